"""Each service writes its change and one Event in the same transaction, and queues the notification hook."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests import factories
from tickets import services, tasks
from tickets.models import Channel, Comment, Event, EventKind, Ticket, TicketStatus
from tickets.services import StaleTicket

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(monkeypatch):
    """The events handed to the notification hook, inside the transaction that wrote them."""
    calls = []
    monkeypatch.setattr("tickets.notifications.notify", calls.append)
    return calls


def _events(ticket):
    return list(Event.objects.filter(ticket=ticket).order_by("pk"))


def test_create_writes_the_ticket_and_a_created_event(requester, django_capture_on_commit_callbacks, notified):
    device = factories.DeviceFactory(assigned_to=requester.employee)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            by=requester,
            requester=requester.employee,
            subject=" VPN drops ",
            description="Every hour",
            device=device,
            impact=2,
            urgency=1,
        )
    ticket.refresh_from_db()
    assert ticket.subject == "VPN drops"
    assert ticket.priority == 2
    assert ticket.status == TicketStatus.NEW
    assert ticket.tier == 1
    assert ticket.channel == Channel.WEB
    assert ticket.created_by == requester
    assert ticket.reference == f"HD-{ticket.pk}"
    [event] = _events(ticket)
    assert (event.kind, event.actor, event.is_public) == (EventKind.CREATED, requester, True)
    assert event.new["priority"] == 2
    assert notified == [event]


def test_a_requester_cannot_open_a_ticket_for_someone_else(requester, requester_2):
    with pytest.raises(PermissionDenied):
        services.ticket_create(by=requester, requester=requester_2.employee, subject="x", impact=3, urgency=3)
    assert not Ticket.objects.exists()


def test_numbers_are_unique_and_increasing(requester):
    first = factories.TicketFactory(requester=requester.employee)
    second = factories.TicketFactory(requester=requester.employee)
    assert second.pk > first.pk
    assert first.reference != second.reference


def test_log_call_resolved_on_the_spot(coordinator, requester):
    device = factories.DeviceFactory(asset_tag="AT-7")
    ticket = services.ticket_log_call(
        by=coordinator,
        requester=requester.employee,
        subject="Forgot password",
        category=None,
        device=device,
        impact=3,
        urgency=1,
        minutes=4,
        resolve_now=True,
        resolution_notes="Reset it with the caller.",
        resolution_code="user_training",
    )
    ticket.refresh_from_db()
    assert ticket.channel == Channel.PHONE
    assert ticket.created_by == coordinator
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.first_response_at is not None
    assert ticket.time_spent_minutes == 4
    kinds = [(e.kind, e.action) for e in _events(ticket)]
    assert kinds == [
        (EventKind.CREATED, ""),
        (EventKind.REPLIED, "log_call"),
        (EventKind.TIME_LOGGED, "log_time"),
        (EventKind.STATUS_CHANGED, "resolve"),
    ]


def test_log_call_first_response_bumps_the_version_and_records_a_reply(coordinator, requester, notified):
    """Speaking to the caller is the first response: a change like any other, kept in the history as a
    reply on the phone, without a mail repeating the call to the requester."""
    now = timezone.now()
    ticket = services.ticket_log_call(
        by=coordinator, requester=requester.employee, subject="Printer jams", impact=3, urgency=3, now=now
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at == now
    assert ticket.version == 2  # created at 1, the first response is the one change since
    created, answered = _events(ticket)
    assert (created.kind, answered.kind, answered.action) == (EventKind.CREATED, EventKind.REPLIED, "log_call")
    assert answered.actor == coordinator
    assert answered.is_public
    assert answered.new["first_response_at"] == now.isoformat()
    assert answered.new["channel"] == Channel.PHONE
    assert [event.kind for event in notified] == [EventKind.CREATED]


def test_log_call_needs_the_right(technician, requester):
    with pytest.raises(PermissionDenied):
        services.ticket_log_call(by=technician, requester=requester.employee, subject="x", impact=3, urgency=3)


def test_assign_records_who_and_to_whom(ticket, coordinator, technician, notified, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician, expected_version=1)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.version) == (TicketStatus.ASSIGNED, technician, 2)
    [event] = _events(ticket)
    assert event.kind == EventKind.ASSIGNED
    assert event.actor == coordinator
    assert event.old["assignee"]["id"] is None
    assert event.new["assignee"]["id"] == technician.pk
    assert notified == [event]


def test_assign_only_to_a_technician(ticket, coordinator, requester_2):
    with pytest.raises(services.WorkflowError):
        services.ticket_assign(ticket=ticket, by=coordinator, assignee=requester_2)


def test_a_held_ticket_is_never_raised_above_its_holders_tier_by_triage(assigned_ticket, coordinator, technician):
    """A ticket is held at its tier or above: a held ticket goes up by escalation, to someone of that tier."""
    assert (assigned_ticket.assignee, assigned_ticket.tier) == (technician, 1)
    with pytest.raises(services.WorkflowError, match="works at tier 1; this ticket needs tier 2 or above"):
        services.ticket_triage(ticket=assigned_ticket, by=coordinator, category=None, impact=3, urgency=1, tier=2)
    assigned_ticket.refresh_from_db()
    assert (assigned_ticket.tier, assigned_ticket.urgency) == (1, 2)
    assert not Event.objects.filter(ticket=assigned_ticket, kind=EventKind.TRIAGED).exists()
    # The rest of a triage still goes through for the holder's own tier.
    services.ticket_triage(ticket=assigned_ticket, by=coordinator, category=None, impact=3, urgency=1, tier=1)
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.urgency == 1


def test_reassign(assigned_ticket, coordinator, technician_t2):
    services.ticket_assign(ticket=assigned_ticket, by=coordinator, assignee=technician_t2)
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.assignee == technician_t2


def test_triage_recomputes_priority_and_records_the_diff(ticket, coordinator):
    category = factories.CategoryFactory(name="Printer")
    services.ticket_triage(ticket=ticket, by=coordinator, category=category, impact=1, urgency=1, tier=2)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.tier, ticket.category) == (1, 2, category)
    [event] = _events(ticket)
    assert event.kind == EventKind.TRIAGED
    assert event.is_public is False
    assert event.old["priority"] == 4
    assert event.new["priority"] == 1
    assert event.new["category_name"] == "Printer"


def test_priority_override_needs_a_reason(ticket, coordinator):
    with pytest.raises(services.MissingFields):
        services.ticket_triage(ticket=ticket, by=coordinator, category=None, impact=3, urgency=3, tier=1, priority=1)
    services.ticket_triage(
        ticket=ticket,
        by=coordinator,
        category=None,
        impact=3,
        urgency=3,
        tier=1,
        priority=1,
        priority_reason="The CEO's laptop",
    )
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden, ticket.priority_reason) == (1, True, "The CEO's laptop")


def test_triage_is_for_coordinators(ticket, technician):
    with pytest.raises(PermissionDenied):
        services.ticket_triage(ticket=ticket, by=technician, category=None, impact=1, urgency=1, tier=1)


def test_second_change_from_the_same_version_is_refused(assigned_ticket, technician, coordinator, technician_t2):
    opened_at = assigned_ticket.version
    services.ticket_start(ticket=assigned_ticket, by=technician, expected_version=opened_at)
    with pytest.raises(StaleTicket):
        services.ticket_assign(
            ticket=assigned_ticket, by=coordinator, assignee=technician_t2, expected_version=opened_at
        )
    assigned_ticket.refresh_from_db()
    assert (assigned_ticket.status, assigned_ticket.assignee) == (TicketStatus.IN_PROGRESS, technician)
    assert [e.action for e in _events(assigned_ticket)] == ["start"]


def test_replies_and_notes_are_never_refused_for_staleness(assigned_ticket, technician, requester):
    services.ticket_start(ticket=assigned_ticket, by=technician, expected_version=1)
    # Both wrote from the page they opened at version 1.
    services.comment_add(ticket=assigned_ticket, by=requester, body="Any news?")
    services.comment_add(ticket=assigned_ticket, by=technician, body="Ordered a part.", is_internal=True)
    assert Comment.objects.filter(ticket=assigned_ticket).count() == 2


def test_reply_events_and_first_response(assigned_ticket, technician, requester):
    services.comment_add(ticket=assigned_ticket, by=requester, body="Hello")
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.first_response_at is None
    services.comment_add(ticket=assigned_ticket, by=technician, body="Note", is_internal=True)
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.first_response_at is None
    with time_machine.travel("2026-03-02 10:00 +00:00", tick=False):
        comment = services.comment_add(ticket=assigned_ticket, by=technician, body="On my way")
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.first_response_at == comment.created_at
    kinds = [(e.kind, e.is_public, e.actor) for e in _events(assigned_ticket)]
    assert kinds == [
        (EventKind.REPLIED, True, requester),
        (EventKind.NOTE_ADDED, False, technician),
        (EventKind.REPLIED, True, technician),
    ]


def test_requester_cannot_write_internal_notes(ticket, requester):
    with pytest.raises(PermissionDenied):
        services.comment_add(ticket=ticket, by=requester, body="secret", is_internal=True)


def test_requester_answer_resumes_a_ticket_waiting_on_them(assigned_ticket, technician, requester):
    services.ticket_start(ticket=assigned_ticket, by=technician)
    services.ticket_set_waiting(ticket=assigned_ticket, by=technician, on="requester", note="Which floor?")
    services.comment_add(ticket=assigned_ticket, by=requester, body="Floor 3")
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.status == TicketStatus.IN_PROGRESS
    last = _events(assigned_ticket)[-1]
    assert (last.action, last.actor) == ("resume", None)


def test_log_time_adds_up(assigned_ticket, technician):
    services.ticket_log_time(ticket=assigned_ticket, by=technician, minutes=15)
    services.ticket_log_time(ticket=assigned_ticket, by=technician, minutes=10, note="Reinstalled driver")
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.time_spent_minutes == 25
    last = _events(assigned_ticket)[-1]
    assert (last.kind, last.is_public, last.new) == (EventKind.TIME_LOGGED, False, {"minutes": 10, "total": 25})


def test_log_time_is_for_staff(assigned_ticket, requester):
    with pytest.raises(PermissionDenied):
        services.ticket_log_time(ticket=assigned_ticket, by=requester, minutes=5)


def test_hand_back_clears_the_assignee_and_is_internal(assigned_ticket, technician):
    services.ticket_hand_back(ticket=assigned_ticket, by=technician, note="Not my area")
    assigned_ticket.refresh_from_db()
    assert (assigned_ticket.status, assigned_ticket.assignee) == (TicketStatus.NEW, None)
    [event] = _events(assigned_ticket)
    assert (event.action, event.is_public, event.note) == ("hand_back", False, "Not my area")


def test_cancel_as_duplicate_links_the_tickets(ticket, coordinator, requester):
    original = factories.TicketFactory(requester=requester.employee)
    services.ticket_cancel(ticket=ticket, by=coordinator, duplicate_of=original)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.duplicate_of, ticket.resolution_code) == (
        TicketStatus.CANCELLED,
        original,
        "duplicate",
    )
    assert original.duplicates.get() == ticket
    [event] = _events(ticket)
    assert event.note == f"Duplicate of {original.reference}"


def test_resolve_confirm_close(assigned_ticket, technician, requester):
    with time_machine.travel("2026-03-02 10:00 +00:00", tick=False):
        services.ticket_resolve(
            ticket=assigned_ticket, by=technician, resolution_notes="New toner", resolution_code="fixed"
        )
        assigned_ticket.refresh_from_db()
        assert assigned_ticket.resolved_at == timezone.now()
        services.ticket_confirm(ticket=assigned_ticket, by=requester)
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.status == TicketStatus.CLOSED
    assert assigned_ticket.closed_at is not None


def test_resolved_tickets_close_after_the_reopen_window(requester, settings):
    settings.TICKET_REOPEN_DAYS = 7
    resolved_at = timezone.now() - timedelta(days=10)
    old = factories.TicketFactory(requester=requester.employee, status="resolved", resolved_at=resolved_at)
    recent = factories.TicketFactory(
        requester=requester.employee, status="resolved", resolved_at=timezone.now() - timedelta(days=2)
    )
    assert services.tickets_close_expired_resolutions(now=timezone.now()) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (TicketStatus.CLOSED, TicketStatus.RESOLVED)
    [event] = _events(old)
    assert (event.actor, event.action, event.kind) == (None, "close", EventKind.STATUS_CHANGED)
    assert "7 days" in event.note


def test_the_periodic_task_calls_the_service(requester, settings):
    settings.TICKET_REOPEN_DAYS = 3
    ticket = factories.TicketFactory(
        requester=requester.employee, status="resolved", resolved_at=timezone.now() - timedelta(days=4)
    )
    with time_machine.travel(timezone.now(), tick=False):
        assert tasks.tickets_close_resolved.apply().get() == 1
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert "tickets-close-resolved" in settings.CELERY_BEAT_SCHEDULE
