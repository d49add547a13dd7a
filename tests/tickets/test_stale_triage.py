"""The stale-triage alert counts from when a ticket entered triage, not from when it was created: a ticket
back in triage after days is not "thousands of minutes" late four minutes later. Once per stay in triage."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, NotificationChannel
from tests import factories
from tickets import services
from tickets.models import Event, EventKind, Ticket
from tickets.notices import stale_triage
from tickets.notices.kinds import NotificationKind

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # 4,140 minutes later


@pytest.fixture(autouse=True)
def _an_hour(settings):
    settings.TRIAGE_ALERT_MINUTES = 60


def _at(when, work):
    with time_machine.travel(when, tick=False):
        return work()


def _alert(when):
    return _at(when, stale_triage.tickets_alert_stale_triage)


def _alerts(ticket):
    return Event.objects.filter(ticket=ticket, kind=EventKind.ALERTED, action="triage_stale").order_by("pk")


def _created(requester):
    return _at(
        MONDAY,
        lambda: services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3),
    )


def test_a_ticket_handed_back_after_days_is_counted_from_its_return(requester, coordinator, technician):
    ticket = _created(requester)
    ticket = _at(
        MONDAY + timedelta(minutes=10),
        lambda: services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician),
    )
    ticket = _at(THURSDAY, lambda: services.ticket_hand_back(ticket=ticket, by=technician, note="Not mine"))
    assert (ticket.status, ticket.assignee) == ("new", None)

    assert _alert(THURSDAY + timedelta(minutes=4)) == 0  # back four minutes: not stale
    assert _alert(THURSDAY + timedelta(minutes=59)) == 0
    assert _alert(THURSDAY + timedelta(minutes=61)) == 1
    alert = _alerts(ticket).get()
    assert alert.new == {"minutes_in_triage": 61}
    assert alert.created_at == THURSDAY + timedelta(minutes=61)
    mails = Notification.objects.filter(
        ticket=ticket, recipient=coordinator, kind=NotificationKind.TRIAGE_STALE, channel=NotificationChannel.EMAIL
    )
    assert mails.count() == 1
    assert _alert(THURSDAY + timedelta(minutes=90)) == 0  # once for this stay


def test_each_stay_in_triage_may_be_alerted_once(requester, coordinator, technician):
    ticket = _created(requester)
    assert _alert(MONDAY + timedelta(minutes=61)) == 1  # the first stay, counted from creation
    ticket = _at(
        MONDAY + timedelta(hours=2), lambda: services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    )
    ticket = _at(THURSDAY, lambda: services.ticket_hand_back(ticket=ticket, by=technician, note="Not mine"))
    assert _alert(THURSDAY + timedelta(minutes=30)) == 0
    assert _alert(THURSDAY + timedelta(minutes=75)) == 1
    assert [alert.new["minutes_in_triage"] for alert in _alerts(ticket)] == [61, 75]


def test_an_escalation_to_triage_and_a_tier_move_in_triage_are_entries_too(requester, technician, coordinator):
    escalated = _created(requester)
    escalated = _at(MONDAY, lambda: services.ticket_assign(ticket=escalated, by=coordinator, assignee=technician))
    _at(THURSDAY, lambda: services.ticket_escalate(ticket=escalated, by=technician, note="Beyond me"))
    moved = _created(requester)
    _at(
        THURSDAY,
        lambda: services.ticket_triage(ticket=moved, by=coordinator, category=None, impact=3, urgency=3, tier=2),
    )
    assert _alert(THURSDAY + timedelta(minutes=4)) == 0
    assert _alert(THURSDAY + timedelta(minutes=61)) == 2
    assert _alerts(escalated).get().new == {"minutes_in_triage": 61}
    assert _alerts(moved).get().new == {"minutes_in_triage": 61}


def test_a_ticket_never_out_of_triage_counts_from_its_creation(requester):
    ticket = _created(requester)
    assert _alert(MONDAY + timedelta(minutes=59)) == 0
    assert _alert(MONDAY + timedelta(minutes=61)) == 1
    assert _alerts(ticket).get().new == {"minutes_in_triage": 61}


def test_finding_the_stale_tickets_is_one_query_however_many_wait(requester, coordinator, technician):
    for _index in range(5):
        ticket = _created(requester)
        ticket = _at(MONDAY, lambda t=ticket: services.ticket_assign(ticket=t, by=coordinator, assignee=technician))
        _at(THURSDAY, lambda t=ticket: services.ticket_hand_back(ticket=t, by=technician, note="Not mine"))
    factories.TicketFactory(requester=requester.employee)  # new, a moment ago
    assert Ticket.objects.filter(status="new", assignee__isnull=True).count() == 6
    with time_machine.travel(THURSDAY + timedelta(minutes=30), tick=False), CaptureQueriesContext(connection) as run:
        assert stale_triage.tickets_alert_stale_triage() == 0
    assert len(run.captured_queries) == 1
