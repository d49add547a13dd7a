"""The staff ticket list: filters, sorting, pages, saved filters, CSV export and bulk actions.

Requesters never reach it, and no filter widens what a user may see."""

import csv
import io
import re
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests import factories
from tickets import selectors, services
from tickets.models import Event, EventKind, SavedFilter, Ticket, TicketStatus

pytestmark = pytest.mark.django_db

LIST = "/tickets/all/"
EXPORT = "/tickets/all/export.csv"
BULK = "/tickets/all/bulk/"


def _numbers(response):
    return [t.pk for t in response.context["page"]["object_list"]]


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # every export starts with a BOM
    return list(csv.reader(io.StringIO(body)))


# --- who may use it ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["requester", "outsider"])
def test_requesters_get_403_on_the_list_the_export_and_bulk(client_for, request, persona, requester_2, technician):
    ticket = factories.TicketFactory(requester=requester_2.employee)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}?requester={requester_2.employee.employee_number}").status_code == 403
    assert client.get(EXPORT).status_code == 403
    response = client.post(BULK, {"tickets": [ticket.pk], "action": "assign", "assignee": technician.pk})
    assert response.status_code == 403
    assert client.post(reverse("tickets:saved_filter_save"), {"name": "x"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_no_filter_widens_what_a_requester_may_see(requester, requester_2):
    mine = factories.TicketFactory(requester=requester.employee, subject="Mine")
    theirs = factories.TicketFactory(requester=requester_2.employee, subject="Theirs", priority=1)
    attempts = [
        {},
        {"requester": requester_2.employee},
        {"q": "Theirs"},
        {"q": f"HD-{theirs.pk}"},
        {"status": ""},
        {"priority": 1},
        {"department": requester_2.employee.department},
        {"location": requester_2.employee.location},
    ]
    for filters in attempts:
        found = set(selectors.tickets_filtered(requester, filters).values_list("pk", flat=True))
        assert theirs.pk not in found, filters
        assert found <= {mine.pk}
    assert list(selectors.tickets_filtered(requester, {"status": ""})) == [mine]


def test_technicians_see_the_list_but_neither_export_nor_bulk(client_for, technician):
    client = client_for(technician)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["bulk_form"] is None
    assert client.get(EXPORT).status_code == 403


# --- filters -----------------------------------------------------------------------------------


@pytest.fixture
def spread(technician):
    """Tickets that differ in one respect each."""
    sales = factories.DepartmentFactory(name="Sales")
    building_c = factories.LocationFactory(building="C")
    anna = factories.EmployeeFactory(first_name="Anna", last_name="Berg", department=sales, location=building_c)
    printers = factories.CategoryFactory(name="Printers")
    project = factories.ProjectFactory(name="Move to C")
    now = timezone.now()
    return {
        "plain": factories.TicketFactory(subject="Mouse broken"),
        "p1": factories.TicketFactory(subject="Server down", priority=1),
        "tier3": factories.TicketFactory(subject="Database", tier=3),
        "printer": factories.TicketFactory(subject="Paper jam", category=printers),
        "assigned": factories.TicketFactory(subject="Screen", status="assigned", assignee=technician),
        "anna": factories.TicketFactory(subject="Anna's laptop", requester=anna),
        "model": factories.TicketFactory(subject="Dock", device=factories.DeviceFactory(model="Dock X9")),
        "project": factories.TicketFactory(subject="Cabling", project=project),
        "closed": factories.TicketFactory(subject="Old", status="closed"),
        "old": factories.TicketFactory(subject="Ancient", created_at=now - timedelta(days=40)),
        "due": factories.TicketFactory(subject="Due", resolution_due_at=now + timedelta(days=2)),
        "objects": {"sales": sales, "c": building_c, "anna": anna, "printers": printers, "project": project},
    }


def test_every_filter(client_for, coordinator, spread, technician):
    client = client_for(coordinator)
    objects = spread["objects"]
    today = timezone.localdate()
    cases = [
        ({"priority": 1}, "p1"),
        ({"tier": 3}, "tier3"),
        ({"category": objects["printers"].pk}, "printer"),
        ({"assignee": technician.pk}, "assigned"),
        ({"requester": objects["anna"].employee_number}, "anna"),
        ({"requester": objects["anna"].email.upper()}, "anna"),
        ({"department": objects["sales"].pk}, "anna"),
        ({"location": objects["c"].pk}, "anna"),
        ({"device_model": "Dock X9"}, "model"),
        ({"project": objects["project"].pk}, "project"),
        ({"status": "closed"}, "closed"),
        ({"q": "jam"}, "printer"),
        ({"created_to": (today - timedelta(days=30)).isoformat()}, "old"),
        ({"due_from": today.isoformat(), "due_to": (today + timedelta(days=3)).isoformat()}, "due"),
    ]
    for params, key in cases:
        assert _numbers(client.get(LIST, params)) == [spread[key].pk], params
    unassigned = _numbers(client.get(LIST, {"assignee": "none"}))
    assert spread["assigned"].pk not in unassigned and spread["plain"].pk in unassigned
    # Open is the default; "any" includes the finished ones.
    assert spread["closed"].pk not in _numbers(client.get(LIST))
    assert spread["closed"].pk in _numbers(client.get(LIST, {"status": "any"}))


def test_unknown_filter_values_are_ignored_with_a_message(client_for, coordinator, spread):
    response = client_for(coordinator).get(
        LIST,
        {"priority": "9", "category": "999999", "requester": "nobody@example.org", "created_from": "soon", "sort": "x"},
    )
    assert response.status_code == 200
    notices = [str(m) for m in response.context["messages"]]
    assert len(notices) == 5
    assert any("Requester" in n and "nobody@example.org" in n for n in notices)
    assert len(_numbers(response)) == Ticket.objects.filter(status__in=["new", "assigned"]).count()


def test_a_ticket_number_goes_straight_to_the_ticket(client_for, coordinator, spread):
    ticket = spread["plain"]
    response = client_for(coordinator).get(LIST, {"q": f"hd-{ticket.pk}"})
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()


@pytest.mark.parametrize("sort", list(selectors.TICKET_SORTS))
def test_every_column_sorts_both_ways(client_for, coordinator, spread, sort):
    client = client_for(coordinator)
    up = _numbers(client.get(LIST, {"sort": sort, "status": "any"}))
    down = _numbers(client.get(LIST, {"sort": f"-{sort}", "status": "any"}))
    assert sorted(up) == sorted(down) == sorted(Ticket.objects.values_list("pk", flat=True))
    if sort in ("number", "subject", "created", "priority"):
        assert up == list(reversed(down))


@pytest.mark.parametrize("sort", [f"{way}{name}" for name in selectors.SPLIT_SORTS for way in ("", "-")])
def test_a_sort_on_a_value_some_tickets_lack_pages_like_one_ordered_list(coordinator, technician, technician_t2, sort):
    """Such a list is read in two parts (with and without the value); every page, also the one where the
    parts meet and those wholly past the first, is the slice of the one ordered list that the export reads."""
    printers, network = factories.CategoryFactory(name="Printers"), factories.CategoryFactory(name="Network")
    now = timezone.now()
    for index in range(11):
        holder = (technician, technician_t2, None)[index % 3]
        factories.TicketFactory(
            status="assigned" if holder else "new",
            assignee=holder,
            category=(printers, network, None, None)[index % 4],
            resolution_due_at=now + timedelta(hours=index) if index % 5 else None,
        )
    qs = selectors.tickets_filtered(coordinator, {"status": ""}, sort=sort)
    whole = [ticket.pk for ticket in qs]
    paged = []
    for number in range(1, 6):
        page = selectors.ticket_page(qs, number, sort=sort, per_page=3)
        paged += [ticket.pk for ticket in page["object_list"]]
        assert page["has_next"] == (number * 3 < len(whole)), number
    assert paged == whole


def test_date_filters_are_whole_days_of_the_viewers_time_zone(coordinator):
    stockholm = zoneinfo.ZoneInfo("Europe/Stockholm")
    late = factories.TicketFactory(created_at=datetime(2026, 3, 9, 23, 30, tzinfo=stockholm))
    early = factories.TicketFactory(created_at=datetime(2026, 3, 10, 0, 0, tzinfo=stockholm))
    day = date(2026, 3, 9)
    with timezone.override(stockholm):
        until = set(selectors.tickets_filtered(coordinator, {"created_to": day}).values_list("pk", flat=True))
        since = set(
            selectors.tickets_filtered(coordinator, {"created_from": day + timedelta(days=1)}).values_list(
                "pk", flat=True
            )
        )
    assert (until, since) == ({late.pk}, {early.pk})
    # The same moments are both on 9 March in New York.
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        both = selectors.tickets_filtered(coordinator, {"created_from": day, "created_to": day})
        assert set(both.values_list("pk", flat=True)) == {late.pk, early.pk}


def test_the_first_and_last_dates_there_are_filter_without_an_error(client_for, coordinator, spread):
    client = client_for(coordinator)
    everything = client.get(LIST, {"status": "any", "created_from": "0001-01-01", "created_to": "9999-12-31"})
    assert everything.status_code == 200
    assert len(_numbers(everything)) == Ticket.objects.count()
    due = client.get(LIST, {"status": "any", "due_from": "0001-01-01", "due_to": "9999-12-31"})
    assert due.status_code == 200
    assert _numbers(due) == [spread["due"].pk]
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Kiritimati")):  # UTC+14: the first day's start is BC
        assert selectors.tickets_filtered(coordinator, {"created_from": date.min}).count() == Ticket.objects.count()


def test_sort_by_subject(client_for, coordinator, spread):
    numbers = _numbers(client_for(coordinator).get(LIST, {"sort": "subject"}))
    subjects = list(Ticket.objects.in_bulk(numbers).values())
    by_pk = {t.pk: t.subject for t in subjects}
    assert [by_pk[n] for n in numbers] == sorted(by_pk.values())


def test_pages_of_fifty(client_for, coordinator):
    for _index in range(51):
        factories.TicketFactory()
    client = client_for(coordinator)
    first = client.get(LIST, {"sort": "number"})
    assert len(_numbers(first)) == 50 and first.context["page"]["has_next"]
    second = client.get(LIST, {"sort": "number", "page": 2})
    assert len(_numbers(second)) == 1 and not second.context["page"]["has_next"]
    assert client.get(LIST, {"page": "abc"}).status_code == 200


def test_saved_filters_are_per_user(client_for, coordinator, manager, spread):
    client = client_for(coordinator)
    response = client.post(
        reverse("tickets:saved_filter_save"), {"name": "Urgent", "querystring": "priority=1&evil=1&status=open"}
    )
    saved = SavedFilter.objects.get(user=coordinator)
    assert saved.querystring == "priority=1&status=open"
    assert response["Location"] == f"{LIST}?priority=1&status=open"
    assert "Urgent" in client.get(LIST).content.decode()
    assert "Urgent" not in client_for(manager).get(LIST).content.decode()
    assert client_for(manager).post(reverse("tickets:saved_filter_delete", args=[saved.pk])).status_code == 404
    client.post(reverse("tickets:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(0)), tick=False)
def test_csv_export_is_exactly_what_the_filters_show(client_for, coordinator, spread):
    factories.TicketFactory(subject="=HYPERLINK(evil)", priority=1)
    response = client_for(coordinator).get(EXPORT, {"priority": 1})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tickets-2026-03-10.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Ticket", "Subject", "Status"]
    assert sorted(row[1] for row in rows[1:]) == ["'=HYPERLINK(evil)", "Server down"]
    everything = _csv(client_for(coordinator).get(EXPORT, {"status": "any"}))
    assert len(everything) - 1 == Ticket.objects.count()  # every page, not just the first


# --- bulk actions ------------------------------------------------------------------------------


def test_bulk_assign_reports_what_changed_and_what_was_refused(client_for, coordinator, technician, technician_t2):
    fresh = [factories.TicketFactory() for _index in range(3)]
    closed = factories.TicketFactory(status="closed")
    already = factories.TicketFactory(status="assigned", assignee=technician)
    response = client_for(coordinator).post(
        BULK,
        {
            "tickets": [t.pk for t in [*fresh, closed, already]] + [999999],
            "action": "assign",
            "assignee": technician.pk,
            "next": f"{LIST}?status=any",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{LIST}?status=any"
    notices = [str(m) for m in response.context["messages"]]
    assert f"Changed: {', '.join(f'HD-{t.pk}' for t in fresh)}." in notices
    # Assigning to the holder is a no-op: no event, no mail, not counted as changed.
    assert f"Already so, nothing to change: HD-{already.pk}." in notices
    assert any(n.startswith(f"HD-{closed.pk} refused: ") and "Closed" in n for n in notices)
    assert "Not found: HD-999999." in notices
    assert Ticket.objects.filter(assignee=technician, status="assigned").count() == 4
    closed.refresh_from_db()
    assert closed.assignee is None and closed.version == 1
    already.refresh_from_db()
    assert already.version == 1
    assert Event.objects.filter(kind=EventKind.ASSIGNED).count() == 3
    assert not Notification.objects.filter(ticket=already).exists()


def test_bulk_assign_refuses_tickets_above_the_technicians_tier(client_for, coordinator, technician):
    """A batch that partly fails: each ticket above the technician's tier is refused with the reason, the
    rest are assigned, and the refused ones are exactly as they were."""
    low = [factories.TicketFactory(tier=1) for _index in range(2)]
    high = factories.TicketFactory(tier=2)
    response = client_for(coordinator).post(
        BULK, {"tickets": [t.pk for t in [*low, high]], "action": "assign", "assignee": technician.pk}, follow=True
    )
    notices = [str(m) for m in response.context["messages"]]
    assert f"Changed: HD-{low[0].pk}, HD-{low[1].pk}." in notices
    name = technician.get_full_name()
    assert f"HD-{high.pk} refused: {name} works at tier 1; this ticket needs tier 2 or above." in notices
    high.refresh_from_db()
    assert (high.assignee, high.status, high.version) == (None, TicketStatus.NEW, 1)
    assert Event.objects.filter(kind=EventKind.ASSIGNED).count() == 2


def test_bulk_priority_category_tier_and_duplicate(client_for, coordinator):
    client = client_for(coordinator)
    tickets = [factories.TicketFactory() for _index in range(2)]
    ids = [t.pk for t in tickets]
    printers = factories.CategoryFactory(name="Printers")
    client.post(BULK, {"tickets": ids, "action": "set_priority", "priority": 1, "priority_reason": "Outage"})
    client.post(BULK, {"tickets": ids, "action": "set_category", "category": printers.pk})
    client.post(BULK, {"tickets": ids, "action": "set_tier", "tier": 2})
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert (ticket.priority, ticket.priority_overridden, ticket.category, ticket.tier) == (1, True, printers, 2)
    original = factories.TicketFactory()
    client.post(BULK, {"tickets": [*ids, original.pk], "action": "cancel_duplicate", "duplicate_of": original.pk})
    assert set(Ticket.objects.filter(duplicate_of=original).values_list("pk", flat=True)) == set(ids)
    original.refresh_from_db()
    assert original.status == TicketStatus.NEW  # refused: not a duplicate of itself


def test_bulk_priority_without_a_reason_is_refused_per_ticket(client_for, coordinator):
    matrix = factories.TicketFactory(impact=1, urgency=1, priority=1)
    other = factories.TicketFactory()
    response = client_for(coordinator).post(
        BULK, {"tickets": [matrix.pk, other.pk], "action": "set_priority", "priority": 1}, follow=True
    )
    notices = [str(m) for m in response.context["messages"]]
    assert f"Already so, nothing to change: HD-{matrix.pk}." in notices
    assert f"HD-{other.pk} refused: Say why the priority differs from the matrix." in notices
    other.refresh_from_db()
    assert other.priority == 4


def test_a_refused_bulk_form_says_why_beside_the_field_and_keeps_the_selection(client_for, coordinator):
    kept, other = factories.TicketFactory(subject="Keep me"), factories.TicketFactory(subject="Other")
    client = client_for(coordinator)
    response = client.post(BULK, {"tickets": [kept.pk], "action": "assign", "next": f"{LIST}?status=any&sort=number"})
    assert response.status_code == 400
    page = response.content.decode()
    # The error is beside the technician field, the list is the one the person was on, the row still ticked.
    assert 'id="bulk_assignee_error"' in page and "This action needs a value here." in page
    assert page.count('id="id_assignee"') == 1 and page.count('id="bulk_assignee"') == 1  # a label, a control
    assert _numbers(response) == [kept.pk, other.pk]
    assert f'value="{kept.pk}" form="bulk-form" id="select-{kept.pk}" checked' in page
    assert f'value="{other.pk}" form="bulk-form" id="select-{other.pk}" aria-label' in page
    # Its links and forms lead back to the list, not to the address the form was posted to.
    assert f'name="next" value="{LIST}?status=any&amp;sort=number"' in page
    assert f'href="{LIST}?status=any&amp;sort=-number"' in page and f'action="{LIST}"' in page
    assert not Event.objects.filter(kind=EventKind.ASSIGNED).exists()
    # Nothing selected: said beside the button. A foreign address in `next` falls back to the plain list.
    response = client.post(BULK, {"action": "set_tier", "tier": 2, "next": "https://elsewhere.example/"})
    assert response.status_code == 400
    assert "Select the tickets to change first." in response.content.decode()
    assert client.get(BULK).status_code == 405
    # The list's own rows are kept again once nothing is selected: the selection never leaks into them.
    assert "checked" not in client.get(LIST, {"status": "any"}).content.decode().split('data-testid="ticket-list"')[1]


def test_bulk_service_is_one_transaction_with_a_savepoint_per_ticket(coordinator, technician):
    good, bad = factories.TicketFactory(), factories.TicketFactory(status="cancelled")
    result = services.tickets_bulk_change(by=coordinator, tickets=[good, bad], action="assign", assignee=technician)
    assert [t.pk for t in result.changed] == [good.pk]
    assert [t.pk for t, _reason in result.refused] == [bad.pk]


# --- query counts ------------------------------------------------------------------------------


def _fill(count, technician):
    department = factories.DepartmentFactory()
    category = factories.CategoryFactory(parent=factories.CategoryFactory())
    project = factories.ProjectFactory()
    for _index in range(count):
        requester = factories.EmployeeFactory(department=department)
        factories.TicketFactory(
            requester=requester,
            category=category,
            device=factories.DeviceFactory(),
            assignee=technician,
            status="in_progress",
            project=project,
        )


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "-requester"}, {"status": "any", "q": "Problem"}, {"sort": "assignee"}, {"sort": "-category"}],
)
def test_the_list_runs_a_fixed_number_of_queries(
    client_for, coordinator, technician, django_assert_num_queries, params
):
    client = client_for(coordinator)
    _fill(3, technician)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST, params)
    _fill(27, technician)
    with django_assert_num_queries(len(small)):
        response = client.get(LIST, params)
    assert len(_numbers(response)) == 30


def test_the_forms_choices_are_read_once_and_never_counted(client_for, coordinator, technician):
    """The filters and the bulk action share their category and project lists, read by one plain query each
    without a COUNT first: 13 queries in all, as many as before crispy drew the fields."""
    client = client_for(coordinator)
    _fill(3, technician)
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    statements = [query["sql"] for query in queries.captured_queries]
    counted = ("tickets_category", "tickets_project", "assets_department", "assets_location", "accounts_user")
    assert not [sql for sql in statements if sql.startswith("SELECT COUNT(*)") and any(t in sql for t in counted)]
    assert sum('FROM "tickets_category"' in sql for sql in statements) == 1
    assert sum('FROM "tickets_project"' in sql for sql in statements) == 1
    assert len(statements) <= 13


# --- kept row markup ---------------------------------------------------------------------------


def test_a_kept_row_follows_every_change_it_shows(client_for, coordinator, technician):
    """The list's rows are kept between requests under what they show: a change shows on the next load."""
    ticket = factories.TicketFactory(subject="Printer jams")
    client = client_for(coordinator)

    def row():
        page = client.get(LIST).content.decode()
        start = page.index(f'value="{ticket.pk}" form="bulk-form"')
        return page[start : page.index("</tr>", start)]

    first = row()
    assert "Printer jams" in first and "New" in first
    assert row() == first
    services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    assert technician.get_full_name() in row()
    ticket.requester.first_name = "Renamed"
    ticket.requester.save()
    assert "Renamed" in row()
    # A technician's list has no bulk actions: the same ticket's row without its checkbox.
    technician_page = client_for(technician).get(LIST).content.decode()
    assert "Printer jams" in technician_page and 'form="bulk-form"' not in technician_page


def test_a_value_added_to_a_rows_context_shows_at_once_with_the_cache_warm(client_for, coordinator, monkeypatch):
    """A row's markup is kept under the digest of everything its template is given, not under a list of what
    it shows: a value added to the row's context changes the key, so the kept markup is never served stale."""
    from tickets.views import staff_list

    ticket = factories.TicketFactory(subject="Printer jams")
    client = client_for(coordinator)

    def row():
        page = client.get(LIST).content.decode()
        start = page.index(f'value="{ticket.pk}" form="bulk-form"')
        return page[start : page.index("</tr>", start)]

    first = row()
    assert row() == first and " checked" not in first  # kept, and served from the cache
    built = staff_list.list_row_context

    def with_more(*args, **kwargs):
        context = built(*args, **kwargs)
        return {**context, "selected": True, "ticket": context["ticket"]}

    monkeypatch.setattr(staff_list, "list_row_context", with_more)
    assert " checked" in row()


def test_every_id_on_the_list_is_unique(client_for, coordinator):
    """The filters and the bulk action have fields of the same names, rendered the same way: each label still
    names its own control, and a kept block served again keeps them apart."""
    factories.TicketFactory.create_batch(3)
    client = client_for(coordinator)
    for _ in range(2):  # rendered, then served from the kept markup
        page = client.get(LIST, {"tier": "2", "created_from": "not a date"}).content.decode()
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
        assert 'id="id_tier"' in page and 'id="bulk_tier"' in page


def test_the_filters_are_laid_out_by_crispy_forms(client_for, coordinator):
    page = client_for(coordinator).get(LIST, {"created_from": "not a date", "tier": "2"}).content.decode()
    tight = re.sub(r"\s+", " ", page)
    assert (
        '<label for="id_tier" class="form-label"> Tier </label> '
        '<select name="tier" class="select form-select" id="id_tier">' in tight
    )
    assert '<option value="2" selected>' in page
    assert '<div id="id_requester_helptext" class="form-text">Employee number or email.</div>' in page
    # The invalid date is ignored with a message, and the field says why next to it.
    assert 'aria-invalid="true"' in page and 'id="id_created_from_error"' in page
