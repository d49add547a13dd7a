"""The desk and technicians reports against figures computed by hand on a small week of work, the
permissions of each, and a page's query count that does not grow with the tickets."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import DayFigures
from reports.periods import Period
from reports.selectors.desk import desk_report
from reports.selectors.technicians import technicians_report
from reports.tasks import reports_recount_rollups
from tests import factories
from tickets import services
from tickets.models import BusinessCalendar, Channel, SlaPolicy

pytestmark = pytest.mark.django_db

# Stockholm is UTC+1 in early March: 09:00 local is 08:00 UTC. The calendar works 08:00-17:00, Monday to
# Friday; every priority must answer within 60 working minutes and resolve within 480.
WEEK = Period(date(2026, 3, 2), date(2026, 3, 8))  # Monday to Sunday
PREVIOUS = Period(date(2026, 2, 23), date(2026, 3, 1))


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour - 1, minute, tzinfo=UTC)  # local hour -> UTC


def _do(when: datetime, call, **kwargs):
    with time_machine.travel(when, tick=False):
        return call(now=when, **kwargs)


@pytest.fixture
def week(technician, technician_t2, coordinator):
    """A = `technician` (tier 1), B = `technician_t2` (tier 2)."""
    BusinessCalendar.objects.create(name="Office", is_default=True, time_zone="Europe/Stockholm")
    for priority in (1, 2, 3, 4):
        SlaPolicy.objects.create(priority=priority, first_response_minutes=60, resolution_minutes=480)
    finance = factories.DepartmentFactory(name="Finance")
    sales = factories.DepartmentFactory(name="Sales")
    anna = factories.EmployeeFactory(department=finance)
    bo = factories.EmployeeFactory(department=sales)
    a, b = technician, technician_t2

    def create(when, employee, channel=Channel.WEB):
        return _do(when, services.ticket_create, by=coordinator, requester=employee, subject="Help",
                   impact=3, urgency=2, channel=channel)  # fmt: skip

    # T5, last week: created and resolved by A in an hour.
    t5 = create(at(25, 9, month=2), anna)
    _do(at(25, 9, 5, month=2), services.ticket_assign, ticket=t5, by=coordinator, assignee=a)
    _do(
        at(25, 10, month=2), services.ticket_resolve, ticket=t5, by=a, resolution_notes="Done.", resolution_code="fixed"
    )
    # T1, Monday: answered after 30 working minutes, resolved after 120; A logs half an hour.
    t1 = create(at(2, 9), anna)
    _do(at(2, 9, 10), services.ticket_assign, ticket=t1, by=coordinator, assignee=a)
    _do(at(2, 9, 30), services.comment_add, ticket=t1, by=a, body="On my way.")
    _do(at(2, 10), services.ticket_log_time, ticket=t1, by=a, minutes=30)
    _do(at(2, 11), services.ticket_resolve, ticket=t1, by=a, resolution_notes="Cable.", resolution_code="fixed")
    # T2, Monday 16:00: answered Tuesday 09:30 (60 + 90 = 150 working minutes), escalated by A to B,
    # resolved by B Wednesday 10:00 (60 Monday + 540 Tuesday + 120 Wednesday = 720).
    t2 = create(at(2, 16), bo)
    _do(at(2, 16, 5), services.ticket_assign, ticket=t2, by=coordinator, assignee=a)
    _do(at(3, 9, 30), services.comment_add, ticket=t2, by=a, body="Looking.")
    _do(at(3, 9, 40), services.ticket_start, ticket=t2, by=a)
    _do(at(3, 10), services.ticket_escalate, ticket=t2, by=a, note="Server side.", to=b)
    _do(at(4, 10), services.ticket_resolve, ticket=t2, by=b, resolution_notes="Fixed.", resolution_code="fixed")
    # T3, Tuesday 10:00 by phone, never answered in writing: A resolves it at 10:20, it is reopened
    # Wednesday 09:00 and resolved again at 09:30: 20 + 30 = 50 working minutes (the resolved night is paused).
    t3 = create(at(3, 10), anna, Channel.PHONE)
    _do(at(3, 10, 5), services.ticket_assign, ticket=t3, by=coordinator, assignee=a)
    _do(at(3, 10, 20), services.ticket_resolve, ticket=t3, by=a, resolution_notes="Reset.", resolution_code="fixed")
    _do(at(4, 9), services.ticket_reopen, ticket=t3, by=coordinator, note="Again.")
    _do(at(4, 9, 30), services.ticket_resolve, ticket=t3, by=a, resolution_notes="Reset.", resolution_code="fixed")
    # T4, Thursday: still new at the end of the week.
    create(at(5, 9), bo)
    return {"a": a, "b": b, "finance": finance, "tickets": (t1, t2, t3, t5)}


def _figures(report) -> dict:
    return {f.key: (f.value, f.previous) for f in report.figures}


def test_the_desk_figures_of_the_week_are_those_computed_by_hand(week):
    with time_machine.travel(at(9, 12), tick=False):
        figures = _figures(desk_report(WEEK))
    assert figures["created"] == (4, 1)
    assert figures["resolved"] == (3, 1)
    assert figures["backlog"] == (1, 0)  # 4 in, 3 out this week; last week 1 in, 1 out
    # Responses 30 and 150: the median is the first (nearest rank 1 of 2); the 90th percentile the second,
    # read from its 5 % bucket: 60 * 1.05**18 = 144.4 to 151.6 minutes, shown as their middle, 148.
    assert figures["response_median"] == (30, None)
    assert figures["response_p90"] == (148, None)
    # Resolutions 50, 120, 720 (last week 60, the first minute of the 5 % buckets: 60 to 63, shown as 61).
    # Median rank 2 = 120 -> bucket 60 * 1.05**14 = 118.8 to 124.7,
    # shown as 122; 90th percentile rank 3 = 720 -> 60 * 1.05**50 = 688.0 to 722.4, shown as 705.
    assert figures["resolution_median"] == (122, 61)
    assert figures["resolution_p90"] == (705, 61)
    assert figures["response_met"] == (50.0, None)  # T1 in time, T2 late; last week nobody answered
    assert figures["resolution_met"] == (66.7, 100.0)  # T1 and T3 of three
    assert figures["reopened"] == (33.3, 0.0)  # T3 of three resolved
    assert figures["escalated"] == (25.0, 0.0)  # T2 of four created
    assert figures["first_contact"] == (66.7, 100.0)  # T1 and T3: tier 1, never escalated


def test_the_desk_within_a_department_counts_only_its_requesters(week):
    with time_machine.travel(at(9, 12), tick=False):
        figures = _figures(desk_report(WEEK, ("department", str(week["finance"].pk))))
    assert figures["created"] == (2, 1)  # T1 and T3 this week, T5 last week
    assert figures["resolved"] == (2, 1)


def test_the_desk_by_channel_and_by_day(week):
    with time_machine.travel(at(9, 12), tick=False):
        report = desk_report(WEEK)
    channels = {row.channel: (row.created, row.resolved, row.first_contact) for row in report.channels}
    assert channels == {"web": (3, 2, 1), "phone": (1, 1, 1), "api": (0, 0, 0), "schedule": (0, 0, 0)}
    by_day = [(b.first.day, b.created, b.resolved, b.backlog) for b in report.buckets]
    assert by_day == [(2, 2, 1, 1), (3, 1, 0, 2), (4, 0, 2, 0), (5, 1, 0, 1), (6, 0, 0, 1), (7, 0, 0, 1), (8, 0, 0, 1)]


def test_the_technicians_figures_follow_each_ticket_to_whoever_resolved_it(week, coordinator):
    a, b = week["a"], week["b"]
    with time_machine.travel(at(9, 12), tick=False):
        report = technicians_report(WEEK, viewer=coordinator, everyone=True)
    rows = {row.user_id: row for row in report.rows}
    assert rows[a.pk].figures == {
        "resolved": 2,  # T1 and T3 (T2 went to B)
        "resolution_median": 50,  # 50 and 120: nearest rank 1
        "resolution_p90": 122,  # 120 in its bucket
        "resolution_met": 100.0,
        "reopened_after": 1,  # T3
        "escalations_sent": 1,  # T2
        "escalations_received": 0,
        "minutes_logged": 30,
        "open_now": 0,
    }
    assert rows[a.pk].previous["resolved"] == 1  # T5
    assert rows[b.pk].figures["resolved"] == 1
    assert rows[b.pk].figures["resolution_median"] == 705
    assert rows[b.pk].figures["resolution_met"] == 0.0
    assert rows[b.pk].figures["escalations_received"] == 1
    medians = {m.tier: m for m in report.medians}
    assert medians[1].figures["resolved"] == 2 and medians[2].figures["resolved"] == 1


def test_a_technician_sees_their_own_row_and_the_tier_medians_never_a_colleague(week, client_for):
    a, b = week["a"], week["b"]
    url = reverse("reports:technicians") + "?period=custom&first=2026-03-02&last=2026-03-08"
    with time_machine.travel(at(9, 12), tick=True):
        page = client_for(a).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-technician="{a.pk}"' in html
    assert f'data-technician="{b.pk}"' not in html
    assert b.get_full_name() not in html
    assert 'data-tier="1"' in html and 'data-tier="2"' in html
    with time_machine.travel(at(9, 12), tick=True):
        assert client_for(a).get(reverse("reports:desk")).status_code == 404
        exported = client_for(a).get(url + "&export=technicians")
    body = b"".join(exported.streaming_content).decode()
    assert a.get_full_name() in body and b.get_full_name() not in body


REPORTS = ["desk", "technicians", "trends", "machines", "training"]


@pytest.mark.parametrize("name", ["index", "setup", *REPORTS])
def test_a_requester_never_reaches_a_report(requester, client_for, name):
    assert client_for(requester).get(reverse(f"reports:{name}")).status_code == 404
    assert client_for(requester).get(reverse(f"reports:{name}") + "?export=replacements").status_code == 404


@pytest.mark.parametrize("name", ["trends", "machines", "training"])
def test_a_technician_reaches_only_the_technicians_report(technician, client_for, name):
    assert client_for(technician).get(reverse(f"reports:{name}")).status_code == 404


def test_coordinators_and_managers_see_every_report_page(week, coordinator, manager, client_for):
    for user in (coordinator, manager):
        client = client_for(user)
        with time_machine.travel(at(9, 12), tick=True):
            assert client.get(reverse("reports:index")).status_code == 302
            desk = client.get(reverse("reports:desk") + "?period=custom&first=2026-03-02&last=2026-03-08")
            technicians = client.get(reverse("reports:technicians"))
            for name in REPORTS:
                assert client.get(reverse(f"reports:{name}") + "?period=last_quarter").status_code == 200
        assert desk.status_code == 200 and technicians.status_code == 200
        assert f'data-technician="{week["b"].pk}"' in technicians.content.decode()


def test_a_bad_period_is_shown_beside_its_field_and_the_default_period_is_reported(coordinator, client_for):
    page = client_for(coordinator).get(reverse("reports:desk") + "?period=custom&first=2026-03-09&last=2026-03-02")
    assert page.status_code == 200
    assert "The last day comes before the first." in page.content.decode()
    finance = factories.DepartmentFactory(name="Finance")
    two = client_for(coordinator).get(reverse("reports:desk") + f"?department={finance.pk}&channel=web&first=x")
    assert two.status_code == 200
    assert "One filter at a time" in two.content.decode()
    assert "Enter a valid date." in two.content.decode()


def test_the_desk_page_runs_the_same_queries_for_a_few_tickets_or_many(
    week, coordinator, client_for, django_assert_max_num_queries
):
    client = client_for(coordinator)
    url = reverse("reports:desk") + "?period=last_12_months"
    client.get(url)  # warm the caches

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for hour in (9, 10, 11, 12, 13):
        services.ticket_create(by=coordinator, requester=factories.EmployeeFactory(), subject="More", impact=3,
                               urgency=2, category=factories.CategoryFactory(), now=at(6, hour))  # fmt: skip
    factories.TechnicianFactory()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_manager_sets_what_counts_and_the_figures_are_counted_again(
    manager, coordinator, client_for, django_capture_on_commit_callbacks
):
    """The setup page saves through the services and queues the recount after the commit; the recount moves
    the tickets already counted."""
    excel = factories.CategoryFactory(name="Excel")
    employee = factories.EmployeeFactory()
    services.ticket_create(by=coordinator, requester=employee, subject="Pivot tables?", impact=3, urgency=3,
                           category=excel)  # fmt: skip
    assert not DayFigures.objects.filter(grain="day", group_by="employee", within="topic").exists()
    with django_capture_on_commit_callbacks() as queued:
        page = client_for(manager).post(
            reverse("reports:setup"), {"how_to_codes": ["user_training"], f"category_{excel.pk}": "how_to"}
        )
    assert page.status_code == 302
    assert reports_recount_rollups.delay in queued
    reports_recount_rollups()  # what the worker runs
    excel.refresh_from_db()
    assert excel.report_as == "how_to"
    row = DayFigures.objects.get(grain="day", group_by="employee", member=str(employee.pk), within="topic")
    assert (row.within_member, row.how_to) == (str(excel.pk), 1)


def test_only_managers_reach_the_setup(coordinator, technician, client_for):
    for user in (coordinator, technician):
        assert client_for(user).get(reverse("reports:setup")).status_code == 404


def _listed(client, link: str) -> int:
    page = client.get(link)
    assert page.status_code == 200, link
    assert "A filter was ignored" not in page.content.decode(), link
    return page.content.decode().count('data-testid="ticket-row"')


def test_every_count_links_to_exactly_the_tickets_it_counts(week, coordinator, client_for):
    """The report and the staff list agree: each count's link lists that many tickets (one page suffices
    here), for the key figures, each day, each channel and each technician."""
    client = client_for(coordinator)
    with time_machine.travel(at(9, 12), tick=False):
        desk = desk_report(WEEK)
        people = technicians_report(WEEK, viewer=coordinator, everyone=True)
    checked = 0
    for figure in desk.figures:
        # Problems solved without a ticket are no tickets: their link opens the articles that solved them.
        if figure.unit == "count" and figure.key != "self_help":
            assert _listed(client, figure.link) == figure.value, figure.key
            checked += 1
    for bucket in desk.buckets:
        assert _listed(client, bucket.created_link) == bucket.created
        assert _listed(client, bucket.resolved_link) == bucket.resolved
        assert _listed(client, bucket.backlog_link) == bucket.backlog
        checked += 3
    for row in desk.channels:
        assert _listed(client, row.created_link) == row.created
        assert _listed(client, row.resolved_link) == row.resolved
    for row in people.rows:
        for name in ("resolved", "open_now"):
            assert _listed(client, row.links[name]) == row.figures[name], (row.name, name)
        # Counts of Events: the tickets they happened on, one each here.
        for name in ("reopened_after", "escalations_sent", "escalations_received"):
            assert _listed(client, row.links[name]) == row.figures[name], (row.name, name)
    # The percentages link to their numerators' tickets: T1 answered in time, T2 escalated, T3 reopened.
    shares = {figure.key: figure.link for figure in desk.figures}
    assert _listed(client, shares["response_met"]) == 1
    assert _listed(client, shares["escalated"]) == 1
    assert _listed(client, shares["reopened"]) == 1
    assert _listed(client, shares["first_contact"]) == 2
    assert _listed(client, shares["response_median"]) == 2  # the two responses measured
    assert checked == 3 + 3 * 7
