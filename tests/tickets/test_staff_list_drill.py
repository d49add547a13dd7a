"""The staff list's drill-down filters: every figure of the Insight reports links to the list narrowed to
exactly the tickets it counts (reports.rollups), in the desk's days."""

import zoneinfo
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Tier
from reports.models import DayFigures
from tests import factories
from tickets import selectors, services
from tickets.forms import TicketFilterForm
from tickets.models import BusinessCalendar, ReportAs, SavedFilter, SlaPolicy, TrainingSetup

pytestmark = pytest.mark.django_db

LIST = "/tickets/all/"
DESK = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# A viewer far from the desk: the same moment is often another day there.
FAR = zoneinfo.ZoneInfo("Pacific/Kiritimati" if settings.TIME_ZONE != "Pacific/Kiritimati" else "America/Adak")


def _numbers(response):
    return [t.pk for t in response.context["page"]["object_list"]]


def _listed(client, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return set(_numbers(response))


def _pks(*tickets):
    return {t.pk for t in tickets}


def _selected(user, params):
    """What the list shows for `params`, through the form and the selector the view uses."""
    filters = TicketFilterForm(params).filters()
    return set(selectors.tickets_filtered(user, filters).values_list("pk", flat=True))


# --- status and resolution ---------------------------------------------------------------------


def test_solved_is_resolved_or_closed(client_for, coordinator):
    resolved = factories.TicketFactory(status="resolved", resolved_at=timezone.now())
    closed = factories.TicketFactory(status="closed", resolved_at=timezone.now(), closed_at=timezone.now())
    factories.TicketFactory(status="new")
    factories.TicketFactory(status="in_progress")
    factories.TicketFactory(status="cancelled", closed_at=timezone.now())
    assert _listed(client_for(coordinator), {"status": "solved"}) == _pks(resolved, closed)
    choices = dict(TicketFilterForm().fields["status"].choices)
    assert str(choices["solved"]) == "Resolved or closed"


def test_resolved_dates_are_inclusive_and_only_of_solved_tickets(client_for, coordinator):
    day = date(2026, 3, 3)
    at = datetime(2026, 3, 3, 12, 0, tzinfo=DESK)
    # Opened a week before (a ticket is resolved after it was opened).
    opened = {"created_at": at - timedelta(days=7)}
    first = factories.TicketFactory(status="resolved", resolved_at=at.replace(hour=0), **opened)
    last = factories.TicketFactory(status="closed", resolved_at=at.replace(hour=23, minute=59), **opened)
    factories.TicketFactory(status="resolved", resolved_at=at - timedelta(days=1), **opened)
    after = factories.TicketFactory(status="resolved", resolved_at=at + timedelta(days=1), **opened)
    # Reopened: its old resolution no longer counts.
    factories.TicketFactory(status="in_progress", resolved_at=at, **opened)
    client = client_for(coordinator)
    params = {"status": "any", "days": "desk", "resolved_from": day, "resolved_to": day}
    assert _listed(client, params) == _pks(first, last)
    assert _listed(client, {**params, "resolved_to": ""}) == _pks(first, last, after)


def test_days_desk_counts_every_date_filter_in_the_desks_days(coordinator):
    """The same moment is another day in the viewer's zone and in the desk's: days=desk counts the desk's."""
    late = datetime.combine(date(2026, 3, 3), datetime.max.time(), tzinfo=DESK) - timedelta(minutes=30)
    day = late.date()
    assert late.astimezone(FAR).date() != day
    ticket = factories.TicketFactory(
        status="resolved", created_at=late, resolved_at=late, resolution_due_at=late, assignee=None
    )
    technician = factories.TechnicianFactory()
    factories.EventFactory(
        ticket=ticket, kind="time_logged", action="log_time", actor=technician, new={"minutes": 5}, created_at=late
    )
    other = factories.TicketFactory(status="resolved", created_at=late + timedelta(hours=1), resolved_at=late)
    for start, end, extra in (
        ("created_from", "created_to", {}),
        ("resolved_from", "resolved_to", {}),
        ("due_from", "due_to", {}),
        ("activity_from", "activity_to", {"activity": "time_logged", "activity_by": technician.pk}),
    ):
        params = {"status": "any", start: day.isoformat(), end: day.isoformat(), **extra}
        with timezone.override(FAR):
            assert ticket.pk in _selected(coordinator, {**params, "days": "desk"}), start
            assert ticket.pk not in _selected(coordinator, params), start
    with timezone.override(FAR):
        assert other.pk not in _selected(coordinator, {"status": "any", "created_to": day, "days": "desk"})


# --- what a ticket is --------------------------------------------------------------------------


def test_channel_resolution_code_and_device(client_for, coordinator):
    device = factories.DeviceFactory()
    phone = factories.TicketFactory(channel="phone", device=device)
    email = factories.TicketFactory(channel="email")
    trained = factories.TicketFactory(status="resolved", resolved_at=timezone.now(), resolution_code="user_training")
    fixed = factories.TicketFactory(status="resolved", resolved_at=timezone.now(), resolution_code="fixed")
    client = client_for(coordinator)
    assert _listed(client, {"status": "any", "channel": "phone"}) == _pks(phone)
    assert _listed(client, {"status": "any", "channel": "email"}) == _pks(email)
    assert _listed(client, {"status": "any", "resolution_code": "user_training"}) == _pks(trained)
    assert _listed(client, {"status": "any", "resolution_code": "fixed"}) == _pks(fixed)
    assert _listed(client, {"status": "any", "device": device.pk}) == _pks(phone)


def test_report_as_and_how_to(client_for, coordinator):
    hardware = factories.CategoryFactory(report_as=ReportAs.HARDWARE)
    how_to = factories.CategoryFactory(report_as=ReportAs.HOW_TO)
    plain = factories.CategoryFactory()
    broken = factories.TicketFactory(category=hardware)
    question = factories.TicketFactory(category=how_to)
    guided = factories.TicketFactory(
        category=plain, status="closed", resolved_at=timezone.now(), resolution_code="user_training"
    )
    # A guidance code counts only once the ticket is solved (rollups: `solved and ...`).
    factories.TicketFactory(category=plain, status="in_progress", resolution_code="user_training")
    factories.TicketFactory(category=plain, status="resolved", resolved_at=timezone.now(), resolution_code="fixed")
    factories.TicketFactory()
    client = client_for(coordinator)
    assert _listed(client, {"status": "any", "report_as": "hardware"}) == _pks(broken)
    assert _listed(client, {"status": "any", "report_as": "how_to"}) == _pks(question)
    assert _listed(client, {"status": "any", "how_to": "yes"}) == _pks(question, guided)
    # The codes that mean guidance are the desk's to choose.
    TrainingSetup.objects.create(how_to_codes=["fixed"])
    assert _listed(client, {"status": "any", "how_to": "yes"}) == _pks(question) | {
        t.pk for t in selectors.tickets_visible_to(coordinator).filter(resolution_code="fixed")
    }


def test_escalated_reopened_and_first_contact(client_for, coordinator):
    plain = factories.TicketFactory(tier=1)
    escalated = factories.TicketFactory(tier=2, escalation_count=1)
    reopened = factories.TicketFactory(tier=1, reopen_count=2)
    # At tier 2 from the start (triaged there): not solved at first contact, yet never escalated.
    higher = factories.TicketFactory(tier=2)
    client = client_for(coordinator)
    assert _listed(client, {"status": "any", "escalated": "yes"}) == _pks(escalated)
    assert _listed(client, {"status": "any", "escalated": "no"}) == _pks(plain, reopened, higher)
    assert _listed(client, {"status": "any", "reopened": "yes"}) == _pks(reopened)
    assert _listed(client, {"status": "any", "reopened": "no"}) == _pks(plain, escalated, higher)
    assert _listed(client, {"status": "any", "first_contact": "yes"}) == _pks(plain, reopened)


@pytest.mark.parametrize("name", ["response_met", "resolution_met"])
def test_service_level_met_is_true_and_not_met_is_false_never_unmeasured(client_for, coordinator, name):
    met = factories.TicketFactory(**{name: True})
    missed = factories.TicketFactory(**{name: False})
    factories.TicketFactory(**{name: None})
    client = client_for(coordinator)
    assert _listed(client, {"status": "any", name: "yes"}) == _pks(met)
    assert _listed(client, {"status": "any", name: "no"}) == _pks(missed)


def test_the_existing_filters_are_the_reports_slices(client_for, coordinator, technician):
    """Tier, priority, category (exactly: not its children), department, location, assignee."""
    parent = factories.CategoryFactory()
    child = factories.CategoryFactory(parent=parent)
    requester = factories.EmployeeFactory()
    mine = factories.TicketFactory(
        tier=2, priority=1, category=parent, requester=requester, assignee=technician, status="assigned"
    )
    factories.TicketFactory(tier=1, priority=3, category=child, status="assigned")
    client = client_for(coordinator)
    for params in (
        {"tier": 2},
        {"priority": 1},
        {"category": parent.pk},
        {"department": requester.department_id},
        {"location": requester.location_id},
        {"assignee": technician.pk},
    ):
        assert _listed(client, {"status": "any", **params}) == _pks(mine), params


def test_a_retired_category_and_a_technician_who_left_still_filter(client_for, coordinator):
    """A report of past days names them: the list counts their tickets, and offers them to choose again."""
    retired = factories.CategoryFactory(name="Fax machines", is_active=False)
    left = factories.TechnicianFactory(first_name="Lena", last_name="Left", is_active=False)
    theirs = factories.TicketFactory(category=retired, assignee=left, status="closed", resolved_at=timezone.now())
    factories.TicketFactory(status="closed", resolved_at=timezone.now())
    client = client_for(coordinator)
    response = client.get(LIST, {"status": "solved", "category": retired.pk, "assignee": left.pk})
    assert _numbers(response) == [theirs.pk]
    assert not list(response.context["messages"])
    page = response.content.decode()
    assert f'<option value="{retired.pk}" selected>' in page
    assert f'<option value="{left.pk}" selected>Lena Left' in page
    # Not offered otherwise.
    page = client.get(LIST).content.decode()
    assert "Fax machines" not in page and "Lena Left" not in page


# --- what a technician did ---------------------------------------------------------------------


def _event(ticket, action, *, actor=None, old=None, new=None, at=None):
    return factories.EventFactory(
        ticket=ticket,
        kind="status_changed" if action != "log_time" else "time_logged",
        action=action,
        actor=actor,
        old=old or {},
        new=new or {},
        created_at=at or timezone.now(),
    )


def _held(user):
    return {"assignee": {"id": user.pk if user else None, "name": ""}}


def test_escalations_sent_count_for_the_holder_or_else_the_one_who_escalated(client_for, coordinator, technician):
    other = factories.TechnicianFactory()
    held = factories.TicketFactory(status="assigned")
    unheld = factories.TicketFactory(status="assigned")
    by_other = factories.TicketFactory(status="assigned")
    held_by_other = factories.TicketFactory(status="assigned")
    _event(held, "escalate", actor=coordinator, old=_held(technician), new=_held(other))
    _event(unheld, "escalate", actor=technician, old=_held(None), new=_held(other))
    _event(by_other, "escalate", actor=other, old={}, new=_held(technician))
    # Escalated by the technician, but someone else held it: it counts for the holder.
    _event(held_by_other, "escalate", actor=technician, old=_held(other), new=_held(None))
    # Another kind of hand-off is no escalation.
    _event(factories.TicketFactory(status="assigned"), "de_escalate", actor=technician, old=_held(technician))
    client = client_for(coordinator)
    sent = {"status": "any", "activity": "escalations_sent"}
    assert _listed(client, {**sent, "activity_by": technician.pk}) == _pks(held, unheld)
    assert _listed(client, {**sent, "activity_by": other.pk}) == _pks(by_other, held_by_other)
    received = {"status": "any", "activity": "escalations_received"}
    assert _listed(client, {**received, "activity_by": other.pk}) == _pks(held, unheld)
    assert _listed(client, {**received, "activity_by": technician.pk}) == _pks(by_other)
    assert _listed(client, received) == _pks(held, unheld, by_other)


def test_reopened_after_and_time_logged(client_for, coordinator, technician):
    other = factories.TechnicianFactory()
    reopened = factories.TicketFactory(status="in_progress")
    reopened_closed = factories.TicketFactory(status="in_progress")
    theirs = factories.TicketFactory(status="in_progress")
    _event(reopened, "reopen", actor=coordinator, old=_held(technician))
    _event(reopened_closed, "reopen_closed", actor=coordinator, old=_held(technician))
    _event(theirs, "reopen", actor=technician, old=_held(other))
    logged = factories.TicketFactory(status="in_progress")
    _event(logged, "log_time", actor=technician, new={"minutes": 30, "total": 30})
    _event(theirs, "log_time", actor=other, new={"minutes": 10, "total": 10})
    # No minutes, no time logged (rollups: `new.get("minutes")`).
    _event(factories.TicketFactory(status="in_progress"), "log_time", actor=technician, new={"minutes": 0})
    _event(factories.TicketFactory(status="in_progress"), "log_time", actor=technician, new={"total": 5})
    client = client_for(coordinator)
    base = {"status": "any", "activity_by": technician.pk}
    assert _listed(client, {**base, "activity": "reopened_after"}) == _pks(reopened, reopened_closed)
    assert _listed(client, {**base, "activity": "time_logged"}) == _pks(logged)
    assert _listed(client, {**base, "activity": "time_logged", "activity_by": other.pk}) == _pks(theirs)


def test_activity_counts_on_the_days_of_its_events(client_for, coordinator, technician):
    day = date(2026, 3, 3)
    noon = datetime(2026, 3, 3, 12, 0, tzinfo=DESK)
    today = factories.TicketFactory(status="in_progress", created_at=noon - timedelta(days=30))
    before = factories.TicketFactory(status="in_progress", created_at=noon - timedelta(days=30))
    _event(today, "log_time", actor=technician, new={"minutes": 5}, at=noon)
    _event(before, "log_time", actor=technician, new={"minutes": 5}, at=noon - timedelta(days=1))
    params = {
        "status": "any",
        "days": "desk",
        "activity": "time_logged",
        "activity_by": technician.pk,
        "activity_from": day,
        "activity_to": day,
    }
    client = client_for(coordinator)
    assert _listed(client, params) == _pks(today)
    assert _listed(client, {**params, "activity_from": day - timedelta(days=1)}) == _pks(today, before)


# --- bad values, kept filters, query counts ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "done"),
        ("resolved_from", "yesterday"),
        ("resolved_to", "2026-02-30"),
        ("days", "office"),
        ("channel", "fax"),
        ("resolution_code", "magic"),
        ("device", "laptop"),
        ("report_as", "software"),
        ("how_to", "no"),
        ("escalated", "maybe"),
        ("reopened", "1"),
        ("first_contact", "no"),
        ("response_met", "true"),
        ("resolution_met", "0"),
        ("activity", "slept"),
        ("activity_by", "tess"),
        ("activity_from", "3 March"),
        ("activity_to", "2026-13-01"),
    ],
)
def test_a_bad_value_is_ignored_with_a_message(client_for, coordinator, name, value):
    ticket = factories.TicketFactory(status="assigned")
    response = client_for(coordinator).get(LIST, {name: value, "priority": ticket.priority})
    assert response.status_code == 200
    assert _numbers(response) == [ticket.pk]
    notices = [str(m) for m in response.context["messages"]]
    assert len(notices) == 1 and notices[0].startswith("A filter was ignored."), notices
    assert name not in dict(parse_qsl(response.context["querystring"]))


DRILL = {
    "status": "solved",
    "resolved_from": "2026-03-01",
    "resolved_to": "2026-03-31",
    "days": "desk",
    "channel": "phone",
    "resolution_code": "fixed",
    "report_as": "hardware",
    "how_to": "yes",
    "escalated": "yes",
    "reopened": "no",
    "first_contact": "yes",
    "response_met": "yes",
    "resolution_met": "no",
    "activity": "escalations_sent",
    "activity_from": "2026-03-01",
    "activity_to": "2026-03-31",
}


def test_the_filters_are_kept_by_saved_filters_the_export_and_the_filter_form(client_for, coordinator, technician):
    device = factories.DeviceFactory()
    params = {**DRILL, "device": str(device.pk), "activity_by": str(technician.pk)}
    client = client_for(coordinator)
    response = client.get(LIST, params)
    assert response.status_code == 200
    kept = dict(parse_qsl(response.context["querystring"]))
    assert kept == params
    page = response.content.decode()
    assert f'href="{reverse("tickets:export")}?{response.context["querystring"].replace("&", "&amp;")}"' in page
    # The filters without a control of their own go on with the filter form, and the list says them.
    for name in ("days", "how_to", "first_contact", "activity", "activity_by", "activity_from", "device"):
        assert f'name="{name}"' in page, name
    drilled = response.context["filter_form"].drilled()
    assert "Activity: Escalations sent" in drilled
    assert any(line.startswith("Activity of: ") and str(technician.pk) not in line for line in drilled)
    assert 'data-testid="drilled"' in page
    client.post(reverse("tickets:saved_filter_save"), {"name": "Drill", "querystring": response.context["querystring"]})
    assert dict(parse_qsl(SavedFilter.objects.get(user=coordinator).querystring)) == params
    export = client.get(reverse("tickets:export"), params)
    assert export.status_code == 200


def _fill(count, technician):
    category = factories.CategoryFactory(report_as=ReportAs.HARDWARE)
    resolved_at = datetime(2026, 3, 10, 12, 0, tzinfo=DESK)
    for _index in range(count):
        ticket = factories.TicketFactory(
            category=category,
            device=factories.DeviceFactory(),
            assignee=technician,
            status="resolved",
            created_at=resolved_at - timedelta(days=1),
            resolved_at=resolved_at,
            resolution_code="user_training",
            channel="phone",
            escalation_count=1,
            tier=2,
            response_met=True,
            resolution_met=False,
        )
        _event(ticket, "escalate", actor=technician, old=_held(technician), at=resolved_at)


@pytest.mark.parametrize(
    "params",
    [
        {**DRILL, "first_contact": "", "report_as": "", "resolution_code": ""},
        {"status": "solved", "how_to": "yes", "days": "desk", "resolved_from": "2026-03-10", "sort": "-assignee"},
        {"status": "any", "report_as": "hardware", "channel": "phone", "sort": "category"},
    ],
)
def test_the_list_runs_a_fixed_number_of_queries(
    client_for, coordinator, technician, django_assert_num_queries, params
):
    client = client_for(coordinator)
    _fill(3, technician)
    params = {**params, "activity_by": technician.pk} if params.get("activity") else params
    with CaptureQueriesContext(connection) as small:
        assert len(_numbers(client.get(LIST, params))) == 3
    _fill(27, technician)
    with django_assert_num_queries(len(small)):
        response = client.get(LIST, params)
    assert len(_numbers(response)) == 30


# --- the list counts what the reports count ------------------------------------------------------


def test_a_technicians_resolved_figure_links_to_exactly_its_tickets(client_for, coordinator, technician, technician_t2):
    """Tickets built through the services, resolved around the desk's midnight, by one technician and
    another, one reopened: the list narrowed as the report links it shows exactly the tickets the rollups
    count as resolved by the technician that day."""
    BusinessCalendar.objects.create(name="Office", is_default=True, country="SE")
    for priority, (respond, resolve) in {1: (30, 240), 2: (60, 480), 3: (240, 1440), 4: (480, 2880)}.items():
        SlaPolicy.objects.create(priority=priority, first_response_minutes=respond, resolution_minutes=resolve)
    technician_t2.technician_profile.tier = Tier.TWO
    technician_t2.technician_profile.save()
    # The viewer is far from the desk: the link's days=desk makes the list count the desk's days.
    coordinator.time_zone = FAR.key
    coordinator.save()
    requester = factories.EmployeeFactory()
    day = date(2026, 3, 3)
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=DESK)

    def at(moment, change, **kwargs):
        with time_machine.travel(moment, tick=False):
            return change(now=moment, **kwargs)

    def worked(created, subject):
        ticket = at(
            created,
            services.ticket_create,
            by=coordinator,
            requester=requester,
            subject=subject,
            impact=3,
            urgency=2,
        )
        ticket = at(
            created + timedelta(minutes=5), services.ticket_assign, ticket=ticket, by=coordinator, assignee=technician
        )
        return at(created + timedelta(minutes=10), services.ticket_start, ticket=ticket, by=technician)

    def resolve(ticket, moment, by):
        return at(
            moment, services.ticket_resolve, ticket=ticket, by=by, resolution_notes="Done.", resolution_code="fixed"
        )

    early = resolve(worked(midnight - timedelta(days=1), "Early"), midnight + timedelta(minutes=1), technician)
    at(midnight + timedelta(hours=2), services.ticket_log_time, ticket=early, by=technician, minutes=20)
    late = resolve(worked(midnight, "Late"), midnight + timedelta(hours=23, minutes=59), technician)
    resolve(worked(midnight, "Next day"), midnight + timedelta(days=1, minutes=1), technician)
    resolve(worked(midnight - timedelta(days=2), "Day before"), midnight - timedelta(minutes=1), technician)
    handed = worked(midnight, "Handed on")
    handed = at(
        midnight + timedelta(hours=3),
        services.ticket_escalate,
        ticket=handed,
        by=technician,
        note="Needs tier 2.",
        to=technician_t2,
    )
    handed = at(midnight + timedelta(hours=4), services.ticket_start, ticket=handed, by=technician_t2)
    resolve(handed, midnight + timedelta(hours=5), technician_t2)
    again = resolve(worked(midnight, "Again"), midnight + timedelta(hours=6), technician)
    at(midnight + timedelta(hours=7), services.ticket_reopen, ticket=again, by=coordinator, note="Still broken.")

    figures = DayFigures.objects.get(grain="day", day=day, group_by="technician", member=str(technician.pk), within="")
    link = {
        "days": "desk",
        "status": "solved",
        "resolved_from": day.isoformat(),
        "resolved_to": day.isoformat(),
        "assignee": technician.pk,
    }
    client = client_for(coordinator)
    with time_machine.travel(midnight + timedelta(days=2), tick=False):
        listed = _listed(client, link)
        assert listed == _pks(early, late)
        assert len(listed) == figures.resolved
        # Without the desk's days, the viewer's day is another one.
        assert _listed(client, {key: value for key, value in link.items() if key != "days"}) != listed
        # The technician's other figures of the day link as well.
        sent = _listed(
            client,
            {
                "days": "desk",
                "status": "any",
                "activity": "escalations_sent",
                "activity_by": technician.pk,
                "activity_from": day.isoformat(),
                "activity_to": day.isoformat(),
            },
        )
        assert sent == _pks(handed) and len(sent) == figures.escalations_sent
        reopened = _listed(
            client,
            {
                "days": "desk",
                "status": "any",
                "activity": "reopened_after",
                "activity_by": technician.pk,
                "activity_from": day.isoformat(),
                "activity_to": day.isoformat(),
            },
        )
        assert reopened == _pks(again) and len(reopened) == figures.reopened_after
        logged = _listed(
            client,
            {
                "days": "desk",
                "status": "any",
                "activity": "time_logged",
                "activity_by": technician.pk,
                "activity_from": day.isoformat(),
                "activity_to": day.isoformat(),
            },
        )
        assert logged == _pks(early) and figures.minutes_logged == 20
    received = DayFigures.objects.get(
        grain="day", day=day, group_by="technician", member=str(technician_t2.pk), within=""
    )
    with time_machine.travel(midnight + timedelta(days=2), tick=False):
        assert _listed(client, {**link, "assignee": technician_t2.pk}) == _pks(handed)
    assert received.resolved == 1 and received.escalations_received == 1
