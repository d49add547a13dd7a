"""SLA clocks on tickets: due times in business time, pauses, recomputation, and the every-minute check
that warns, marks breaches and applies the breach actions once."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Notification
from tests import factories
from tickets import services, sla
from tickets.models import (
    BreachClock,
    BusinessCalendar,
    ClosedDay,
    Event,
    EventKind,
    SlaPolicy,
    Ticket,
    TicketStatus,
)
from tickets.notices.kinds import NotificationKind

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _at(*args, zone=STOCKHOLM):
    return datetime(*args, tzinfo=zone)


@pytest.fixture
def office():
    return BusinessCalendar.objects.create(name="Office", time_zone="Europe/Stockholm", country="SE", is_default=True)


@pytest.fixture
def policies(office):
    return {
        priority: SlaPolicy.objects.create(
            priority=priority, first_response_minutes=response, resolution_minutes=resolution
        )
        for priority, response, resolution in [(1, 30, 60), (2, 60, 8 * 60), (3, 4 * 60, 24 * 60), (4, 480, 2400)]
    }


def _open(requester, when, *, impact=1, urgency=1, category=None):
    with time_machine.travel(when, tick=False):
        return services.ticket_create(
            by=requester,
            requester=requester.employee,
            subject="Printer",
            impact=impact,
            urgency=urgency,
            category=category,
        )


def test_a_p1_opened_late_on_the_friday_before_a_public_holiday(requester, policies):
    """The issue's case: 1 working hour to resolve; Friday 22 May 2026 16:30 in Oslo, Whit Monday closed."""
    norway = BusinessCalendar.objects.create(name="Oslo office", time_zone="Europe/Oslo", country="NO")
    printers = factories.CategoryFactory(name="Printers", calendar=norway)
    ticket = _open(requester, _at(2026, 5, 22, 16, 30, zone=OSLO), category=printers)
    assert ticket.priority == 1
    assert ticket.first_response_due_at == _at(2026, 5, 22, 17, 0, zone=OSLO)  # 30 minutes: 16:30 -> 17:00
    assert ticket.resolution_due_at == _at(2026, 5, 26, 8, 30, zone=OSLO)  # Whit Monday is closed
    assert ticket.sla_warn_at == _at(2026, 5, 26, 8, 15, zone=OSLO)  # 75 % of the hour


def test_the_organisations_own_closed_days_count_too(requester, policies, office):
    ClosedDay.objects.create(calendar=office, date=_at(2026, 3, 10, 0, 0).date(), name="Staff day")
    ticket = _open(requester, _at(2026, 3, 9, 16, 30))  # a Monday
    assert ticket.resolution_due_at == _at(2026, 3, 11, 8, 30)


def test_no_policy_no_clock(requester, office):
    ticket = _open(requester, _at(2026, 3, 9, 9, 0))
    assert (ticket.first_response_due_at, ticket.resolution_due_at) == (None, None)


def test_waiting_pauses_the_clock_and_paused_time_survives_a_priority_change(requester, policies, coordinator):
    ticket = _open(requester, _at(2026, 3, 9, 9, 0), impact=2, urgency=2)  # P3: 24 working hours
    assert ticket.priority == 3
    assert ticket.resolution_due_at == _at(2026, 3, 11, 15, 0)
    with time_machine.travel(_at(2026, 3, 9, 10, 0), tick=False):
        ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=factories.TechnicianFactory())
        ticket = services.ticket_start(ticket=ticket, by=coordinator)
        ticket = services.ticket_set_waiting(ticket=ticket, by=coordinator, on="requester")
    assert ticket.resolution_due_at is None  # unknown while it waits
    with time_machine.travel(_at(2026, 3, 9, 13, 0), tick=False):
        ticket = services.ticket_resume(ticket=ticket, by=coordinator)
    assert ticket.resolution_due_at == _at(2026, 3, 12, 9, 0)  # three working hours later
    # Raised to P2 (8 working hours): counted from the start, the three paused hours still left out.
    with time_machine.travel(_at(2026, 3, 9, 14, 0), tick=False):
        ticket = services.ticket_triage(
            ticket=ticket,
            by=coordinator,
            category=None,
            impact=2,
            urgency=2,
            tier=1,
            priority=2,
            priority_reason="The whole floor",
        )
    assert ticket.resolution_due_at == _at(2026, 3, 10, 11, 0)
    assert len(ticket.sla_pauses) == 1


def test_resolving_stops_the_clock_and_reopening_resumes_it(requester, policies, technician):
    ticket = _open(requester, _at(2026, 3, 9, 9, 0), impact=2, urgency=2)
    with time_machine.travel(_at(2026, 3, 9, 10, 0), tick=False):
        ticket = services.ticket_take(ticket=ticket, by=technician)
        ticket = services.ticket_resolve(
            ticket=ticket, by=technician, resolution_notes="Reseated", resolution_code="fixed"
        )
    with time_machine.travel(_at(2026, 3, 10, 10, 0), tick=False):
        ticket = services.ticket_reopen(ticket=ticket, by=requester, note="Again")
    # A working day resolved does not count: due a day later than it would have been.
    assert ticket.resolution_due_at == _at(2026, 3, 12, 15, 0)


def _run_check(when):
    with time_machine.travel(when, tick=False):
        return services.sla_check()


def test_the_check_warns_then_breaches_and_escalates_exactly_once(requester, policies, technician, coordinator):
    policies[1].breach_escalates_on = BreachClock.RESOLUTION
    policies[1].save()
    ticket = _open(requester, _at(2026, 3, 9, 9, 0))
    with time_machine.travel(_at(2026, 3, 9, 9, 5), tick=False):
        ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    assert _run_check(_at(2026, 3, 9, 9, 40)) == {"warned": 0, "response_breached": 1, "resolution_breached": 0}
    assert _run_check(_at(2026, 3, 9, 9, 46)) == {"warned": 1, "response_breached": 0, "resolution_breached": 0}
    assert _run_check(_at(2026, 3, 9, 9, 50)) == {"warned": 0, "response_breached": 0, "resolution_breached": 0}
    done = _run_check(_at(2026, 3, 9, 10, 1))
    assert done == {"warned": 0, "response_breached": 0, "resolution_breached": 1}
    # Repeated, as a second beat process or a re-run would: nothing more.
    assert _run_check(_at(2026, 3, 9, 10, 1)) == {"warned": 0, "response_breached": 0, "resolution_breached": 0}
    assert _run_check(_at(2026, 3, 9, 11, 0)) == {"warned": 0, "response_breached": 0, "resolution_breached": 0}

    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.status) == (2, None, TicketStatus.NEW)  # back to triage, tier 2
    assert ticket.resolution_breached_at == _at(2026, 3, 9, 10, 1)
    events = Event.objects.filter(ticket=ticket)
    assert events.filter(kind=EventKind.ALERTED, action="sla_warning").count() == 1
    assert events.filter(kind=EventKind.ALERTED, action="sla_breach").count() == 2  # response, then resolution
    escalation = events.get(action="escalate")
    assert escalation.actor is None and "resolution time passed" in escalation.note
    sent = {(n.recipient_id, n.kind) for n in Notification.objects.filter(ticket=ticket)}
    assert (technician.pk, NotificationKind.SLA_WARNING) in sent
    assert (technician.pk, NotificationKind.BREACH) in sent
    assert (coordinator.pk, NotificationKind.BREACH) in sent
    assert (requester.pk, NotificationKind.ESCALATED) in sent  # the requester hears it passed to a specialist


def test_a_breach_may_raise_the_priority_instead(requester, policies):
    policies[3].breach_raises_priority_on = BreachClock.RESOLUTION
    policies[3].save()
    ticket = _open(requester, _at(2026, 3, 9, 9, 0), impact=2, urgency=2)
    _run_check(_at(2026, 3, 12, 9, 0))
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden, ticket.tier) == (2, True, 1)
    assert "resolution time passed" in ticket.priority_reason
    assert _run_check(_at(2026, 3, 20, 9, 0))["resolution_breached"] == 0  # once per breach


def test_waiting_tickets_do_not_breach(requester, policies, coordinator, technician):
    ticket = _open(requester, _at(2026, 3, 9, 9, 0))
    with time_machine.travel(_at(2026, 3, 9, 9, 10), tick=False):
        ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
        ticket = services.ticket_start(ticket=ticket, by=technician)
        ticket = services.ticket_set_waiting(ticket=ticket, by=technician, on="vendor")
    assert _run_check(_at(2026, 3, 10, 9, 0))["resolution_breached"] == 0


def test_the_ticket_page_shows_both_clocks(client_for, requester, policies, technician, coordinator):
    ticket = _open(requester, _at(2026, 3, 9, 9, 0))
    with time_machine.travel(_at(2026, 3, 9, 9, 20), tick=False):
        services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
        body = client_for(technician).get(ticket.get_absolute_url()).content.decode()
        mine = client_for(requester).get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="sla-response"' in body and "10 minutes of working time left" in body
    assert "40 minutes of working time left" in body
    assert "We aim to solve this by" in mine and 'data-testid="sla-response"' not in mine
    with time_machine.travel(_at(2026, 3, 9, 10, 30), tick=False):
        body = client_for(technician).get(ticket.get_absolute_url()).content.decode()
    assert "breached, 30 minutes of working time over" in body


def test_editing_a_policy_recomputes_the_open_tickets(requester, policies):
    ticket = _open(requester, _at(2026, 3, 9, 9, 0))
    policies[1].resolution_minutes = 120
    policies[1].save()
    assert services.sla_recompute_open() == 1
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == _at(2026, 3, 9, 11, 0)


def test_the_calendar_follows_category_then_location_then_default(requester, office):
    night = BusinessCalendar.objects.create(name="Night desk", time_zone="UTC")
    location = factories.LocationFactory()
    night.locations.add(location)
    requester.employee.location = location
    requester.employee.save()
    ticket = Ticket.objects.select_related("category", "requester").get(
        pk=factories.TicketFactory(requester=requester.employee).pk
    )
    assert sla.calendar_for(ticket) == night
    own = BusinessCalendar.objects.create(name="Servers 24/7", time_zone="UTC")
    ticket.category = factories.CategoryFactory(calendar=own)
    assert sla.calendar_for(ticket) == own
    assert sla.calendar_for(factories.TicketFactory()) == office


@pytest.mark.django_db(transaction=True)
def test_two_beat_processes_at_once_still_act_once(requester, policies, technician, coordinator):
    """Two checks racing on the same breach (two beat processes): the row lock and the conditional claim
    let exactly one of them act."""
    import threading

    from django.db import connection

    policies[1].breach_escalates_on = BreachClock.RESOLUTION
    policies[1].save()
    ticket = _open(requester, _at(2026, 3, 9, 9, 0))
    barrier = threading.Barrier(2)
    results = []

    def check():
        barrier.wait()
        try:
            results.append(services.sla_check(now=_at(2026, 3, 9, 10, 1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(result["resolution_breached"] for result in results) == [0, 1]
    assert Event.objects.filter(ticket=ticket, action="escalate").count() == 1
    assert Event.objects.filter(ticket=ticket, action="sla_breach").count() == 2  # response and resolution, once each


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"working_days": "1,2,9"}, "working_days"),
        ({"working_days": ""}, "working_days"),
        ({"day_starts": "17:00", "day_ends": "08:00"}, "day_ends"),
        ({"country": "XX"}, "country"),
        ({"country": "ES", "subdivision": "ZZ"}, "subdivision"),
    ],
)
def test_a_calendar_the_clocks_cannot_use_is_refused_beside_its_field(client_for, manager, values, field):
    """Through the admin, where managers edit calendars: a clear message, never a 500 later on every ticket."""
    form = {
        "name": "Broken",
        "time_zone": "Europe/Stockholm",
        "country": "",
        "subdivision": "",
        "working_days": "0,1,2,3,4",
        "day_starts": "08:00",
        "day_ends": "17:00",
        "closed_days-TOTAL_FORMS": "0",
        "closed_days-INITIAL_FORMS": "0",
        **values,
    }
    response = client_for(manager).post("/admin/tickets/businesscalendar/add/", form)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not BusinessCalendar.objects.exists()


def test_a_round_the_clock_calendar_ends_at_midnight(office):
    office.day_starts, office.day_ends, office.working_days = "00:00", "00:00", "0,1,2,3,4,5,6"
    office.full_clean()


def test_recomputing_every_open_ticket_reads_the_setup_once(requester, policies, django_assert_max_num_queries):
    night = BusinessCalendar.objects.create(name="Night", time_zone="UTC")
    night.locations.add(factories.LocationFactory())
    tickets = [_open(requester, _at(2026, 3, 9, 9, 0)) for _ in range(12)]
    policies[1].resolution_minutes = 120
    policies[1].save()
    with django_assert_max_num_queries(8):  # policies, calendars and their locations, closed days, tickets, update
        assert services.sla_recompute_open() == 12
    assert {Ticket.objects.get(pk=t.pk).resolution_due_at for t in tickets} == {_at(2026, 3, 9, 11, 0)}


def test_the_closed_days_of_a_calendar_are_labelled_for_screen_readers(client_for, manager):
    """The closed days' table shows its labels only as column headings: every field of a row, its delete
    box too, carries its own name."""
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Stockholm")
    calendar.closed_days.create(date=date(2026, 12, 24), name="Christmas Eve")
    page = client_for(manager).get(f"/admin/tickets/businesscalendar/{calendar.pk}/change/").content.decode()

    def label_of(name):
        tag = re.search(rf'<input [^>]*name="{re.escape(name)}"[^>]*>', page)
        assert tag, name
        label = re.search(r'aria-label="([^"]*)"', tag.group())
        return label and label.group(1)

    assert label_of("closed_days-0-date") == "Closed day: Date"
    assert label_of("closed_days-0-name") == "Closed day: Name"
    assert label_of("closed_days-0-DELETE") == "Closed day: Delete"
    assert label_of("closed_days-1-date") == "Closed day: Date"  # the empty row to add one
    assert label_of("closed_days-__prefix__-name") == "Closed day: Name"  # the template "Add another" copies
