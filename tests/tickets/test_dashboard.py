"""The coordinator's dashboard: triage in place (htmx and plain posts), watch columns, workload, counts."""

import dataclasses
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django import forms as django_forms
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tickets import fragments, selectors, services
from tickets.models import Event, EventKind, Ticket, TicketStatus
from tickets.templatetags.tickets import width_step
from tickets.views import TRIAGE_LIMIT

pytestmark = pytest.mark.django_db

DASHBOARD = "/tickets/dashboard/"
HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


def _part(name):
    return reverse("tickets:dashboard_part", args=[name])


def _triage_url(ticket):
    return reverse("tickets:dashboard_triage", kwargs={"number": ticket.pk})


def _post(ticket, **values):
    data = {"version": ticket.version, "impact": 2, "urgency": 2, "tier": 1, "category": "", "priority": ""}
    data.update(values)
    return data


@pytest.mark.parametrize("persona", ["requester", "technician", "outsider"])
def test_only_coordinators_and_managers_have_the_dashboard(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(_part("counts")).status_code == 403
    ticket = factories.TicketFactory()
    response = client.post(_triage_url(ticket), _post(ticket))
    assert response.status_code in (403, 404)
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_unknown_part_is_a_404(client_for, coordinator):
    assert client_for(coordinator).get(_part("nothing")).status_code == 404


def test_triage_is_most_urgent_then_oldest_first(client_for, coordinator):
    old_low = factories.TicketFactory(priority=4, created_at=timezone.now() - timedelta(days=2))
    new_high = factories.TicketFactory(priority=1)
    old_high = factories.TicketFactory(priority=1, created_at=timezone.now() - timedelta(days=1))
    factories.TicketFactory(priority=1, status="assigned", assignee=factories.TechnicianFactory())
    response = client_for(coordinator).get(DASHBOARD)
    assert [row["ticket"] for row in response.context["triage_rows"]] == [old_high, new_high, old_low]


def test_triage_in_place_with_htmx_swaps_the_row(client_for, coordinator, technician_t2):
    category = factories.CategoryFactory(name="Network")
    ticket = factories.TicketFactory(subject="VPN drops")
    response = client_for(coordinator).post(
        _triage_url(ticket),
        _post(ticket, category=category.pk, impact=1, urgency=1, tier=2, assignee=technician_t2.pk),
        **HTMX,
    )
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "tickets/dashboard/_triage_row.html"
    body = response.content.decode()
    assert f'id="triage-row-{ticket.pk}"' in body
    assert "<html" not in body
    assert f"HD-{ticket.pk} is triaged and assigned to {technician_t2.get_full_name()}." in body
    ticket.refresh_from_db()
    assert (ticket.category, ticket.priority, ticket.tier, ticket.assignee) == (category, 1, 2, technician_t2)
    assert ticket.status == TicketStatus.ASSIGNED
    assert list(Event.objects.filter(ticket=ticket).values_list("kind", "actor")) == [
        (EventKind.TRIAGED, coordinator.pk),
        (EventKind.ASSIGNED, coordinator.pk),
    ]


def test_a_row_never_gives_a_ticket_below_its_tier_and_keeps_what_was_chosen(client_for, coordinator, technician):
    ticket = factories.TicketFactory(subject="Database cluster", urgency=3)
    response = client_for(coordinator).post(
        _triage_url(ticket), _post(ticket, urgency=1, tier=3, assignee=technician.pk), **HTMX
    )
    assert response.status_code == 400  # the row with its error, which htmx swaps in (base.html's configuration)
    body = response.content.decode()
    assert f"{technician.get_full_name()} works at tier 1; this ticket needs tier 3 or above." in body
    assert '<option value="3" selected>' in body  # what the coordinator chose is still there
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.urgency, ticket.assignee, ticket.version) == (1, 3, None, 1)  # all or nothing
    assert not Event.objects.filter(ticket=ticket).exclude(kind=EventKind.CREATED).exists()


def test_triage_without_javascript_redirects_to_the_dashboard(client_for, coordinator):
    ticket = factories.TicketFactory()
    client = client_for(coordinator)
    response = client.post(_triage_url(ticket), _post(ticket, urgency=1))
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    ticket.refresh_from_db()
    assert ticket.urgency == 1 and ticket.assignee is None
    assert f"HD-{ticket.pk} is triaged." in client.get(DASHBOARD).content.decode()


def test_priority_override_needs_a_reason_and_the_row_keeps_what_was_typed(client_for, coordinator):
    ticket = factories.TicketFactory()
    response = client_for(coordinator).post(_triage_url(ticket), _post(ticket, priority=1), **HTMX)
    assert response.status_code == 400  # the row comes back with its error; htmx is configured to swap a 400
    body = response.content.decode()
    assert "Say why the priority differs from the matrix." in body
    assert '<option value="1" selected>P1 critical</option>' in body
    ticket.refresh_from_db()
    assert ticket.version == 1
    # Without JavaScript: the whole page, 400, with the row's error.
    plain = client_for(coordinator).post(_triage_url(ticket), _post(ticket, priority=1))
    assert plain.status_code == 400
    assert "Say why the priority differs from the matrix." in plain.content.decode()


def test_override_with_a_reason(client_for, coordinator):
    ticket = factories.TicketFactory()
    client_for(coordinator).post(_triage_url(ticket), _post(ticket, priority=1, priority_reason="CEO"), **HTMX)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden, ticket.priority_reason) == (1, True, "CEO")


def test_a_stale_row_changes_nothing_and_comes_back_fresh(client_for, coordinator, manager):
    ticket = factories.TicketFactory()
    services.ticket_triage(ticket=ticket, by=manager, category=None, impact=1, urgency=1, tier=1)
    response = client_for(coordinator).post(_triage_url(ticket), _post(ticket, version=1, tier=3), **HTMX)
    body = response.content.decode()
    assert "changed since you opened it" in body
    assert 'name="version" value="2"' in body
    ticket.refresh_from_db()
    assert ticket.tier == 1


def test_the_suggestions_fill_the_rows_assignee_choices(client_for, coordinator):
    printers = factories.CategoryFactory(name="Printers")
    best = factories.TechnicianFactory(first_name="Pia", profile__skills=[printers])
    factories.TechnicianFactory(first_name="Nina")
    ticket = factories.TicketFactory(category=printers)
    url = reverse("tickets:suggestions", kwargs={"number": ticket.pk})
    fragment = client_for(coordinator).get(url, **HTMX).content.decode()
    assert "<html" not in fragment
    assert f'name="assignee" value="{best.pk}" id="suggest-{ticket.pk}-{best.pk}" checked' in fragment
    assert "skills: Printers · tier 1 · 0 of 10 open · solved 0 like this in the last year" in fragment
    page = client_for(coordinator).get(url).content.decode()
    assert "Assign to Pia" in page


def test_suggestions_are_for_coordinators(client_for, technician, requester):
    ticket = factories.TicketFactory(requester=requester.employee)
    url = reverse("tickets:suggestions", kwargs={"number": ticket.pk})
    assert client_for(technician).get(url).status_code == 403
    assert client_for(requester).get(url).status_code == 403


def test_every_part_refreshes_and_the_triage_list_waits_in_the_static_script(client_for, coordinator):
    factories.TicketFactory()
    page = client_for(coordinator).get(DASHBOARD).content.decode()
    # Four parts on the timer and on "Refresh now"; no trigger filter, which htmx would have to eval.
    assert page.count('data-hx-trigger="every 5s, dashboard-refresh from:body"') == 4
    assert '<script src="/static/js/dashboard.js"></script>' in page
    # "Refresh now" is a plain link to the page, made to refresh in place by that script.
    assert page.count("data-dashboard-refresh") == 1
    # The script calls off the triage list's refresh while a row is edited (in the browser:
    # tests/e2e/test_dashboard.py).
    script = (settings.BASE_DIR / "static" / "js" / "dashboard.js").read_text()
    assert 'addEventListener("htmx:confirm"' in script and "window.triageIsBusy" in script


def test_the_triage_part_shows_a_new_ticket(client_for, coordinator):
    client = client_for(coordinator)
    assert "Nothing to triage." in client.get(_part("triage"), **HTMX).content.decode()
    ticket = factories.TicketFactory(subject="Brand new")
    fragment = client.get(_part("triage"), **HTMX).content.decode()
    assert f"HD-{ticket.pk}" in fragment and "Brand new" in fragment


@time_machine.travel(NOW, tick=False)
def test_watch_columns(client_for, coordinator, technician):
    now = timezone.now()
    due = factories.TicketFactory(
        subject="Due soon", status="in_progress", assignee=technician, resolution_due_at=now + timedelta(hours=1)
    )
    factories.TicketFactory(subject="Due later", status="in_progress", resolution_due_at=now + timedelta(days=3))
    overdue_response = factories.TicketFactory(subject="No answer yet", first_response_due_at=now - timedelta(hours=1))
    waiting = factories.TicketFactory(
        subject="Silent requester", status="waiting_requester", updated_at=now - timedelta(days=4)
    )
    factories.TicketFactory(subject="Just asked", status="waiting_requester", updated_at=now - timedelta(days=1))
    stale = factories.TicketFactory(subject="Forgotten", status="in_progress", updated_at=now - timedelta(days=6))
    factories.TicketFactory(subject="Old but closed", status="closed", updated_at=now - timedelta(days=30))
    raised = factories.TicketFactory(subject="Raised tier", tier=2)
    factories.EventFactory(ticket=raised, kind="triaged", old={"tier": 1}, new={"tier": 2})
    lowered = factories.TicketFactory(subject="Lowered tier")
    factories.EventFactory(ticket=lowered, kind="triaged", old={"tier": 2}, new={"tier": 1})
    escalated = factories.TicketFactory(subject="Escalated", status="in_progress")
    factories.EventFactory(ticket=escalated, kind="status_changed", action="escalate", old={}, new={})
    long_ago = factories.TicketFactory(subject="Raised long ago")
    factories.EventFactory(
        ticket=long_ago, kind="triaged", old={"tier": 1}, new={"tier": 3}, created_at=now - timedelta(days=10)
    )
    answered = factories.TicketFactory(
        subject="Answered, resolution later",
        status="in_progress",
        first_response_due_at=now - timedelta(hours=2),
        first_response_at=now - timedelta(hours=3),
        resolution_due_at=now + timedelta(hours=3),
    )
    response = client_for(coordinator).get(_part("watch"))
    context = response.context
    # The most pressing first, each by the clock that is close: an answered ticket's first response is not.
    assert [row.ticket for row in context["due_soon"]] == [overdue_response, due, answered]
    assert [(row.clock, row.is_overdue, row.due_at) for row in context["due_soon"]] == [
        ("response", True, now - timedelta(hours=1)),
        ("resolution", False, now + timedelta(hours=1)),
        ("resolution", False, now + timedelta(hours=3)),
    ]
    page = response.content.decode()
    assert page.count("first response overdue since") == 1 and page.count("resolution due") == 2
    assert [row["ticket"] for row in context["escalated"]] == [escalated, raised]
    assert context["waiting"] == [waiting]
    assert context["stale"] == [stale]


@time_machine.travel(NOW, tick=False)
def test_due_soon_is_the_most_pressing_by_the_nearer_clock_whatever_the_limit(technician):
    now = timezone.now()
    hours = [(-5, 2), (3, -1), (None, -3), (1, None), (-2, -4), (2, 3), (None, 1), (-1, 0)]
    for index, (response, resolution) in enumerate(hours):
        factories.TicketFactory(
            subject=f"T{index}",
            status="in_progress" if index % 2 else "new",
            assignee=technician if index % 2 else None,
            first_response_due_at=now + timedelta(hours=response) if response is not None else None,
            first_response_at=now - timedelta(hours=9) if index == 5 else None,  # answered: only resolution counts
            resolution_due_at=now + timedelta(hours=resolution) if resolution is not None else None,
        )

    def nearer(ticket):
        clocks = [ticket.resolution_due_at]
        if ticket.first_response_at is None:
            clocks.append(ticket.first_response_due_at)
        return min(at for at in clocks if at is not None)

    horizon = now + selectors.DUE_SOON
    candidates = [t for t in Ticket.objects.all() if nearer(t) <= horizon]
    expected = sorted(candidates, key=lambda t: (nearer(t), t.pk))
    for limit in (1, 3, 5, 10):
        found = selectors.tickets_due_soon(limit=limit)
        assert [row.ticket.pk for row in found] == [t.pk for t in expected[:limit]], limit
        assert [t.due_at for t in found] == [nearer(t) for t in expected[:limit]]


@time_machine.travel(NOW, tick=False)
def test_counts(client_for, coordinator, technician):
    printers = factories.CategoryFactory(name="Printers")
    factories.TicketFactory(priority=1, tier=2, category=printers)
    factories.TicketFactory(priority=1, status="in_progress", assignee=technician, created_at=NOW - timedelta(days=2))
    factories.TicketFactory(status="resolved", resolved_at=NOW - timedelta(hours=1), created_at=NOW - timedelta(days=3))
    factories.TicketFactory(status="closed", resolved_at=NOW - timedelta(days=1), created_at=NOW - timedelta(days=3))
    counts = client_for(coordinator).get(_part("counts")).context["counts"]
    assert counts["open_total"] == 2
    assert {v: n for v, _label, n in counts["by_status"]}["new"] == 1
    assert {v: n for v, _label, n in counts["by_priority"]}[1] == 2
    assert {v: n for v, _label, n in counts["by_tier"]} == {1: 1, 2: 1, 3: 0}
    assert {row["name"]: row["count"] for row in counts["by_category"]} == {"Printers": 1, "No category": 1}
    assert (counts["created_today"], counts["resolved_today"]) == (1, 1)


def test_workload_board(client_for, coordinator):
    printers = factories.CategoryFactory(name="Printers")
    tech = factories.TechnicianFactory(first_name="Pia", profile__skills=[printers], profile__capacity=4)
    factories.TechnicianFactory(first_name="Otto", profile__is_available=False)
    factories.TicketFactory(assignee=tech, status="in_progress", priority=1)
    factories.TicketFactory(assignee=tech, status="assigned", priority=3)
    factories.TicketFactory(assignee=tech, status="closed", priority=3)
    response = client_for(coordinator).get(_part("workload"))
    pia = next(row for row in response.context["technicians"] if row.user.pk == tech.pk)
    assert pia.open_total == 2
    assert pia.open_by_priority == [(1, 1), (2, 0), (3, 1), (4, 0)]
    body = response.content.decode()
    assert "2 of 4" in body and "Printers" in body and "Away" in body
    assert f"?assignee={tech.pk}&amp;status=open" in body
    assert 'aria-valuenow="2" aria-valuemin="0" aria-valuemax="4"' in body
    assert '<div class="progress-bar w-pct-50"></div>' in body  # 2 of 4, as a class: no style=""


@pytest.mark.parametrize(
    ("percent", "css_class"),
    [(None, "w-pct-0"), (0, "w-pct-0"), (1, "w-pct-5"), (12, "w-pct-10"), (13, "w-pct-15"), (98, "w-pct-100"),
     (100, "w-pct-100"), (140, "w-pct-100")],
)  # fmt: skip
def test_bar_widths_come_in_steps_of_five_each_with_its_rule(percent, css_class):
    assert width_step(percent) == css_class
    stylesheet = (settings.BASE_DIR / "static" / "css" / "helpdesk.css").read_text()
    assert all(f".w-pct-{step} {{ width: " in stylesheet for step in range(0, 101, 5))


def _fill(count):
    printers = factories.CategoryFactory(parent=factories.CategoryFactory())
    now = timezone.now()
    for _index in range(count):
        tech = factories.TechnicianFactory(profile__skills=[printers])
        factories.TicketFactory(category=printers, device=factories.DeviceFactory(), priority=2)
        flagged = factories.TicketFactory(category=printers)
        factories.EventFactory(ticket=flagged, kind="alerted", action="no_technician")
        factories.TicketFactory(assignee=tech, status="in_progress", resolution_due_at=now, category=printers)
        factories.TicketFactory(assignee=tech, status="waiting_requester", updated_at=now - timedelta(days=9))
        factories.TicketFactory(assignee=tech, status="in_progress", updated_at=now - timedelta(days=9))
        raised = factories.TicketFactory(assignee=tech, status="in_progress", tier=2)
        factories.EventFactory(ticket=raised, kind="triaged", old={"tier": 1}, new={"tier": 2})


@pytest.mark.parametrize("url", [DASHBOARD, _part("triage"), _part("counts"), _part("watch"), _part("workload")])
def test_the_dashboard_runs_a_fixed_number_of_queries(client_for, coordinator, django_assert_num_queries, url):
    client = client_for(coordinator)
    _fill(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _fill(27)
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    if url in (DASHBOARD, _part("triage")):
        assert len(response.context["triage_rows"]) == TRIAGE_LIMIT
        assert response.context["triage_total"] == 60


def test_the_triage_list_shows_the_most_urgent_and_links_to_the_rest(client_for, coordinator):
    tickets = [factories.TicketFactory(priority=4) for _ in range(TRIAGE_LIMIT)]
    urgent = factories.TicketFactory(priority=1)
    page = client_for(coordinator).get(_part("triage")).content.decode()
    assert f'id="triage-row-{urgent.pk}"' in page
    assert f'id="triage-row-{tickets[-1].pk}"' not in page  # the newest of the least urgent waits
    assert f'data-testid="triage-count">{TRIAGE_LIMIT + 1}<' in page
    assert f"The {TRIAGE_LIMIT} most urgent of {TRIAGE_LIMIT + 1} tickets are shown." in page
    assert "/tickets/all/?status=new&amp;assignee=none&amp;sort=priority" in page


def test_a_rows_kept_form_follows_every_change_it_shows(client_for, coordinator, manager):
    """Row forms are kept between requests under what they show: any change shows on the next load."""
    ticket = factories.TicketFactory(impact=3)
    tech = factories.TechnicianFactory(first_name="Tove", last_name="Tech")
    client = client_for(coordinator)

    def row():
        page = client.get(_part("triage")).content.decode()
        start = page.index(f'id="triage-row-{ticket.pk}"')
        # The CSRF field is masked afresh for every response; the rest of the markup is what is compared.
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "CSRF", page[start : page.index("</li>", start)])

    first = row()
    assert f'name="impact" class="form-select form-select-sm" id="triage-{ticket.pk}-impact"' in first
    assert '<option value="3" selected>' in first.split('name="impact"')[1].split("</select>")[0]
    assert row() == first
    Ticket.objects.filter(pk=ticket.pk).update(impact=1, version=2)
    changed = row()
    assert '<option value="1" selected>' in changed.split('name="impact"')[1].split("</select>")[0]
    assert 'name="version" value="2"' in changed
    tech.first_name = "Tova"
    tech.save()
    assert "Tova Tech" in row()
    # Every form carries the response's CSRF field where the kept markup has its mark.
    assert "CSRF" in changed and "<!-- csrf -->" not in changed


def test_the_kept_read_only_parts_follow_every_change(client_for, coordinator, technician):
    """Counts, watch columns and workload are kept under what they show: each change shows at once."""
    client = client_for(coordinator)
    ticket = factories.TicketFactory(subject="Scanner offline")
    assert "New</a>: <strong>1</strong>" in client.get(_part("counts")).content.decode()
    assert "0 of 10" in client.get(_part("workload")).content.decode()
    services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    assert "New</a>: <strong>0</strong>" in client.get(_part("counts")).content.decode()
    assert "1 of 10" in client.get(_part("workload")).content.decode()
    assert "Scanner offline" not in client.get(_part("watch")).content.decode()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now() - timedelta(days=30))
    assert "Scanner offline" in client.get(_part("watch")).content.decode()


def test_a_rows_age_follows_the_clock_while_its_markup_stays_kept(client_for, coordinator):
    """A row's markup is kept under what it shows, but how old its ticket is changes by the minute: the age is
    filled in on every use, so the kept markup serves all day and the age is still right."""
    kept = caches["fragments"]
    with time_machine.travel(NOW, tick=False):
        ticket = factories.TicketFactory(created_at=NOW - timedelta(minutes=3))
        client = client_for(coordinator)
        assert "3\xa0minutes ago" in _row(client, ticket)
        entries = len(kept._cache)  # type: ignore[attr-defined]
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert "2\xa0hours ago" in _row(client, ticket)
        assert len(kept._cache) == entries  # type: ignore[attr-defined]  # nothing rendered again


def _row(client, ticket) -> str:
    page = client.get(_part("triage")).content.decode()
    start = page.index(f'id="triage-row-{ticket.pk}"')
    return page[start : page.index("</li>", start)]


def _plan_of(sql: str) -> str:
    """The plan PostgreSQL would choose if the tables were large: on a test's few rows it would read the
    whole table, which says nothing about the indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("read", "marker", "indexes"),
    [
        (lambda: selectors.dashboard_counts(), "GROUP BY", ["ticket_open_counts"]),
        (lambda: selectors.dashboard_counts(), "UNION ALL", ["ticket_created_id", "ticket_resolved"]),
        (lambda: selectors.technicians_workload(), "GROUP BY", ["ticket_open_queue"]),
    ],
    ids=["counts-open", "counts-today", "workload"],
)
def test_the_counts_read_their_indexes_alone(technician, read, marker, indexes):
    """Index-only scans: the counts never read the table rows, however many open tickets there are. This
    needs COUNT(*) (the ids are not in these indexes) and `status IN` naming the statuses exactly as the
    partial indexes' conditions do."""
    factories.TicketFactory(assignee=technician, status="in_progress")
    with CaptureQueriesContext(connection) as queries:
        read()
    (sql,) = [query["sql"] for query in queries.captured_queries if marker in query["sql"]]
    plan = _plan_of(sql)
    for index in indexes:
        assert f"Index Only Scan using {index} " in plan, plan


def test_a_value_added_to_a_triage_rows_context_shows_at_once_with_the_cache_warm(client_for, coordinator, monkeypatch):
    """A triage row is kept under the digest of all its template is given: a value added to its context (here
    the note a row shows after a save) shows on the next load although the row's markup is kept."""
    from tickets.views import dashboard_page as dashboard

    ticket = factories.TicketFactory()
    client = client_for(coordinator)

    def row():
        page = client.get(_part("triage")).content.decode()
        start = page.index(f'id="triage-row-{ticket.pk}"')
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "CSRF", page[start : page.index("</li>", start)])

    first = row()
    assert row() == first and "Added to the row" not in first
    built = dashboard.triage_row_context

    def with_more(*args, **kwargs):
        context = built(*args, **kwargs)
        context["row"]["done"] = "Added to the row"
        return context

    monkeypatch.setattr(dashboard, "triage_row_context", with_more)
    assert "Added to the row" in row()


def test_a_typed_row_is_digested_by_its_fields_and_the_rows_they_carry(technician):
    """The workload board and the watch list are kept under the digest of typed rows (selectors' dataclasses):
    a change to any field, or to the model row a field carries, gives another key."""
    from tickets import fragments

    (row,) = selectors.technicians_workload([technician])
    same = fragments.digest([row])
    assert fragments.digest(list(selectors.technicians_workload([technician]))) == same
    assert fragments.digest([dataclasses.replace(row, open_total=row.open_total + 1)]) != same
    assert fragments.digest([dataclasses.replace(row, skill_names=["Printers"])]) != same
    technician.first_name = "Renamed"  # the user the row carries: a value its markup shows
    assert fragments.digest([row]) != same


def test_the_rows_shared_choices_are_in_every_rows_key_and_change_it_when_they_change():
    """Rows share their fields (TriageRowForm.for_row), so the list of every technician is digested once per
    page; a row given other choices still gets another key."""

    class Pick(django_forms.Form):
        who = django_forms.ChoiceField(choices=[("1", "Ada"), ("2", "Bo")])

    first, second = Pick(), Pick()
    second.fields = first.fields  # as the rows of one page
    assert fragments.digest({"form": first}) == fragments.digest({"form": second})
    before = fragments.digest({"form": first})
    first.fields["who"].choices = [("1", "Ada"), ("2", "Bo"), ("3", "Cy")]
    assert fragments.digest({"form": first}) != before
    first.fields["who"].choices = [("1", "Ada"), ("2", "Bo")]
    assert fragments.digest({"form": first}) == before


def test_a_row_is_a_line_that_opens_into_its_form_and_comes_back_open_when_refused(client_for, coordinator):
    ticket = factories.TicketFactory(subject="Folded away")
    client = client_for(coordinator)
    row = client.get(_part("triage")).content.decode()
    toggle = re.search(r'<button type="button" class="[^"]*triage-toggle"[^>]*>', row)
    assert toggle is not None
    assert f'aria-controls="triage-{ticket.pk}-panel"' in toggle[0] and 'aria-expanded="false"' in toggle[0]
    assert f'aria-label="Triage HD-{ticket.pk}"' in toggle[0]
    assert f'<div class="triage-panel" id="triage-{ticket.pk}-panel">' in row
    assert 'class="card triage-row"' in row  # kept markup: closed, whatever was open in a browser
    refused = client.post(_triage_url(ticket), _post(ticket, priority=1), **HTMX).content.decode()
    assert 'class="card triage-row is-open"' in refused and 'aria-expanded="true"' in refused
    saved = client.post(_triage_url(ticket), _post(ticket, tier=2), **HTMX).content.decode()
    # Saved, the row folds again; it keeps its form (the ticket is still new and unassigned) behind the button.
    assert 'class="card triage-row"' in saved and 'aria-expanded="false"' in saved
    assert f"HD-{ticket.pk} is triaged." in saved


def test_the_watch_part_counts_each_list_and_keeps_red_for_the_overdue(client_for, coordinator):
    now = timezone.now()
    late = factories.TicketFactory(subject="Late", first_response_due_at=now - timedelta(hours=1))
    close = factories.TicketFactory(subject="Close", first_response_due_at=now + timedelta(hours=1))
    response = client_for(coordinator).get(_part("watch"))
    assert [row.ticket for row in response.context["overdue"]] == [late]
    assert [row.ticket for row in response.context["due_next"]] == [close]
    page = response.content.decode()
    overdue, due = page.split(' id="watch-overdue"')[1].split(' id="watch-due"')
    assert 'text-bg-danger watch-count">1<' in overdue and "Late" in overdue
    assert 'text-bg-warning watch-count">1<' in due.split(' id="watch-escalated"')[0]
    assert page.count("danger") == 1  # the overdue count alone
    assert page.count("<details") == 5 and "<details open" not in page
