"""Who hears what: the outbox rows each ticket change writes, in the same transaction as its Event."""

import pytest
from django.db import transaction

from accounts.models import NotificationDelivery, Role
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tests import factories
from tickets import services as ticket_services
from tickets.models import Event, Watcher
from tickets.notices import stale_triage
from tickets.notices.kinds import NotificationKind

pytestmark = pytest.mark.django_db


def emails(**filters):
    return sorted(
        Notification.objects.filter(channel=NotificationChannel.EMAIL, **filters).values_list("email", "kind")
    )


def test_submitting_tells_the_requester_it_was_received(open_ticket, requester):
    assert emails() == [(requester.email, NotificationKind.RECEIVED)]
    row = Notification.objects.get(channel=NotificationChannel.EMAIL)
    assert row.event == Event.objects.get(ticket=open_ticket, kind="created")
    assert row.status == NotificationStatus.PENDING
    assert row.context["ticket_reference"] == open_ticket.reference
    assert row.message_id.startswith(f"<notification-{row.pk}@")


def test_coordinators_who_asked_hear_of_every_new_ticket(requester, category):
    keen = factories.UserFactory(role=Role.COORDINATOR, notify_new_tickets=True)
    factories.UserFactory(role=Role.COORDINATOR, notify_new_tickets=False)
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    assert (keen.email, NotificationKind.NEW_TICKET) in emails()
    assert len(emails(kind=NotificationKind.NEW_TICKET)) == 1


def test_assigning_tells_the_requester_and_the_technician(assigned_ticket, requester, technician):
    assert (requester.email, NotificationKind.ASSIGNED) in emails()
    assert (technician.email, NotificationKind.ASSIGNED_TO_YOU) in emails()
    assigned = Notification.objects.get(kind=NotificationKind.ASSIGNED, channel=NotificationChannel.EMAIL)
    assert assigned.context["assignee_name"] == technician.first_name


def test_an_internal_note_tells_no_requester_and_no_watcher(assigned_ticket, technician):
    Watcher.objects.create(ticket=assigned_ticket, email="boss@example.org")
    before = Notification.objects.count()
    ticket_services.comment_add(ticket=assigned_ticket, by=technician, body="Secret: toner fraud", is_internal=True)
    assert Notification.objects.count() == before


def test_a_public_reply_reaches_the_requester_and_watchers(assigned_ticket, technician, requester):
    Watcher.objects.create(ticket=assigned_ticket, email="boss@example.org")
    ticket_services.comment_add(ticket=assigned_ticket, by=technician, body="Try turning it off and on.")
    replies = Notification.objects.filter(kind=NotificationKind.REPLY, channel=NotificationChannel.EMAIL)
    assert sorted(replies.values_list("email", flat=True)) == ["boss@example.org", requester.email]
    assert replies.first().context["body"] == "Try turning it off and on."


def test_the_requester_replying_tells_the_assignee_not_the_requester(assigned_ticket, technician, requester):
    Notification.objects.all().delete()
    ticket_services.comment_add(ticket=assigned_ticket, by=requester, body="Still jams.")
    assert emails() == [(technician.email, NotificationKind.REQUESTER_REPLIED)]


def test_waiting_on_the_requester_says_what_is_needed(assigned_ticket, technician, requester):
    ticket_services.ticket_start(ticket=assigned_ticket, by=technician)
    ticket_services.ticket_set_waiting(ticket=assigned_ticket, by=technician, on="requester", note="Which tray?")
    row = Notification.objects.get(kind=NotificationKind.WAITING_ON_YOU, channel=NotificationChannel.EMAIL)
    assert row.email == requester.email
    assert row.context["body"] == "Which tray?"


def test_resolving_sends_the_resolution_notes(assigned_ticket, technician, requester):
    ticket_services.ticket_start(ticket=assigned_ticket, by=technician)
    ticket_services.ticket_resolve(
        ticket=assigned_ticket, by=technician, resolution_notes="Replaced the roller.", resolution_code="fixed"
    )
    row = Notification.objects.get(kind=NotificationKind.RESOLVED, channel=NotificationChannel.EMAIL)
    assert row.context["resolution_notes"] == "Replaced the roller."


def test_reopening_tells_the_assignee(assigned_ticket, technician, requester):
    ticket_services.ticket_start(ticket=assigned_ticket, by=technician)
    ticket_services.ticket_resolve(
        ticket=assigned_ticket, by=technician, resolution_notes="Done", resolution_code="fixed"
    )
    ticket_services.ticket_reopen(ticket=assigned_ticket, by=requester, note="It jams again")
    assert (technician.email, NotificationKind.REOPENED) in emails()


def test_nobody_is_told_of_their_own_action(requester, technician, category):
    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    ticket_services.ticket_take(ticket=ticket, by=technician)
    assert not Notification.objects.filter(recipient=technician).exists()


def test_preferences_choose_the_channel(requester, category):
    requester.notification_delivery = NotificationDelivery.IN_APP
    requester.save()
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    assert list(Notification.objects.values_list("channel", "status")) == [
        (NotificationChannel.IN_APP, NotificationStatus.SENT)
    ]


def test_digest_rows_wait_for_the_digest(requester, category):
    requester.notification_delivery = NotificationDelivery.DIGEST
    requester.save()
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    assert Notification.objects.get(channel=NotificationChannel.EMAIL).status == NotificationStatus.DIGEST


def test_muted_kinds_are_skipped(requester, category):
    requester.muted_notification_kinds = [NotificationKind.RECEIVED]
    requester.save()
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    assert not Notification.objects.exists()


def test_an_employee_without_a_login_still_hears_by_email(coordinator, category):
    caller = factories.EmployeeFactory(email="no.login@example.org")
    ticket_services.ticket_log_call(by=coordinator, requester=caller, subject="Phone call", impact=3, urgency=3)
    assert emails() == [("no.login@example.org", NotificationKind.RECEIVED)]


def test_a_rolled_back_change_leaves_no_notification(requester, category):
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
        raise RuntimeError("the request failed after the change")
    assert not Notification.objects.exists()


def test_coordinators_hear_of_a_ticket_left_in_triage_too_long_once(requester, coordinator, settings):
    import time_machine
    from django.utils import timezone

    settings.TRIAGE_ALERT_MINUTES = 60
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False):
        ticket = ticket_services.ticket_create(
            by=requester, requester=requester.employee, subject="x", impact=3, urgency=3
        )
    with time_machine.travel("2026-03-02 09:59 +0000", tick=False):
        assert stale_triage.tickets_alert_stale_triage() == 0
    with time_machine.travel("2026-03-02 10:01 +0000", tick=False):
        assert stale_triage.tickets_alert_stale_triage() == 1
        assert stale_triage.tickets_alert_stale_triage() == 0
        assert (coordinator.email, NotificationKind.TRIAGE_STALE) in emails()
        alert = Event.objects.get(ticket=ticket, kind="alerted")
        assert (alert.actor, alert.is_public, alert.new) == (None, False, {"minutes_in_triage": 61})
        assert alert.created_at == timezone.now()
