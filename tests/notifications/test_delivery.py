"""Delivery through the real Redis, a real Celery worker and a real SMTP server."""

import pytest
from django.db import transaction

from accounts.models import Role
from notifications import services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tests import factories
from tests.fixtures.celery_worker import wait_for_row_status
from tickets import services as ticket_services

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def email_rows():
    return Notification.objects.filter(channel=NotificationChannel.EMAIL)


def test_a_status_change_reaches_the_requester_in_their_language_with_thread_headers(
    celery_worker, smtp_sink, requester, technician, coordinator
):
    requester.language = "sv"
    requester.save()
    category = factories.CategoryFactory(name="Skrivare")
    ticket = ticket_services.ticket_create(
        by=requester,
        requester=requester.employee,
        subject="Skrivaren på plan 2",
        category=category,
        impact=3,
        urgency=2,
    )
    received = smtp_sink.wait_for(1)[0]
    ticket = ticket_services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    ticket_services.ticket_start(ticket=ticket, by=technician)
    messages = smtp_sink.wait_for(4)  # received; assigned (requester and technician); in progress
    to_requester = [m for m in messages if m["To"] == requester.email]
    started = to_requester[-1]
    assert started["Subject"] == f"[{ticket.reference}] Din begäran är nu: Pågår"
    assert "Pågår" in started.get_body(preferencelist=("plain",)).get_content()
    thread = f"<ticket-{ticket.pk}@127.0.0.1>"
    assert started["In-Reply-To"] == thread
    assert started["References"] == thread
    assert received["References"] == thread
    assert started["Message-ID"] != received["Message-ID"]
    html = started.get_body(preferencelist=("html",)).get_content()
    assert ticket.get_absolute_url() in html
    for row in email_rows():
        wait_for_row_status(row, NotificationStatus.SENT)  # the worker marks a row just after sending it


def test_an_internal_note_sends_nothing_to_the_requester(celery_worker, smtp_sink, requester, technician, coordinator):
    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    ticket = ticket_services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    smtp_sink.wait_for(3)
    ticket_services.comment_add(ticket=ticket, by=technician, body="Internal: user broke it", is_internal=True)
    ticket_services.comment_add(ticket=ticket, by=technician, body="Public: on my way")
    messages = smtp_sink.wait_for(4)
    assert len(messages) == 4
    bodies = "".join(m.get_body(preferencelist=("plain",)).get_content() for m in messages)
    assert "Public: on my way" in bodies
    assert "Internal" not in bodies


def test_a_refusing_mail_server_is_retried_until_it_accepts(celery_worker, smtp_sink, requester, settings):
    settings.NOTIFICATION_RETRY_DELAYS = [0, 0, 0, 0, 0]  # the schedule is tested below; here, the retries
    smtp_sink.refuse_next = 3
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    row = email_rows().get()
    wait_for_row_status(row, NotificationStatus.SENT)
    assert row.attempts == 4


def test_a_permanent_refusal_fails_one_row_and_others_go_out(celery_worker, smtp_sink, requester, coordinator):
    watcher_ok = "ok.watcher@example.org"
    smtp_sink.refuse_permanently.add("bad.watcher@example.org")
    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    smtp_sink.wait_for(1)
    from tickets.models import Watcher

    Watcher.objects.create(ticket=ticket, email="bad.watcher@example.org")
    Watcher.objects.create(ticket=ticket, email=watcher_ok)
    ticket_services.comment_add(ticket=ticket, by=coordinator, body="We are on it")
    messages = smtp_sink.wait_for(3)
    assert sorted(m["To"] for m in messages[1:]) == sorted([requester.email, watcher_ok])
    bad = email_rows().get(email="bad.watcher@example.org")
    wait_for_row_status(bad, NotificationStatus.FAILED)
    assert "550" in bad.last_error


def test_a_rolled_back_transaction_sends_nothing(celery_worker, smtp_sink, requester):
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
        raise RuntimeError("boom")
    # Prove the worker is alive and idle: a later ticket's message is the only one that arrives.
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="later", impact=3, urgency=3)
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    assert "later" in messages[0]["Subject"]


def test_a_second_delivery_of_the_same_row_sends_nothing_more(smtp_sink, requester):
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    row = email_rows().get()
    assert services.notification_deliver(notification_id=row.pk, claim="task-1").sent
    assert not services.notification_deliver(notification_id=row.pk, claim="task-1").sent
    assert not services.notification_deliver(notification_id=row.pk, claim="task-2").sent
    # Every call above was synchronous: had any sent again, the sink would hold it already.
    assert len(smtp_sink.messages) == 1


def test_temporary_failures_back_off_then_fail(smtp_sink, requester, settings):
    """The delays are the database's clock: a row is due when PostgreSQL says so, whatever the process says."""
    settings.NOTIFICATION_RETRY_DELAYS = [10, 30]
    smtp_sink.refuse_next = 10
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    row = email_rows().get()
    with pytest.raises(services.DeliveryDeferred) as first:
        services.notification_deliver(notification_id=row.pk)
    assert first.value.delay == 10
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert 9 <= (row.next_attempt_at - _database_now()).total_seconds() <= 10
    # Not due yet: nothing to claim.
    assert not services.notification_deliver(notification_id=row.pk).sent
    _due_now(row)
    with pytest.raises(services.DeliveryDeferred) as second:
        services.notification_deliver(notification_id=row.pk)
    assert second.value.delay == 30
    _due_now(row)
    result = services.notification_deliver(notification_id=row.pk)
    assert not result.sent
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 3)
    assert "451" in row.last_error


def _database_now():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")  # what Now() is on PostgreSQL
        return cursor.fetchone()[0]


def _due_now(row):
    """The retry's delay passes (the row's next attempt moves into the database's past)."""
    from django.db.models.functions import Now

    Notification.objects.filter(pk=row.pk).update(next_attempt_at=Now())


def test_digest_gathers_a_day_into_one_message(smtp_sink, requester, technician, coordinator):
    requester.notification_delivery = "digest"
    requester.save()
    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=3)
    ticket_services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    assert email_rows().filter(recipient=requester, status=NotificationStatus.DIGEST).count() == 2
    assert services.notifications_send_digests() == 1
    digest = email_rows().get(kind="digest")
    assert services.notification_deliver(notification_id=digest.pk).sent
    message = smtp_sink.wait_for(1)[0]
    assert "2" in message["Subject"]
    assert ticket.reference in message.get_body(preferencelist=("plain",)).get_content()
    assert not email_rows().filter(status=NotificationStatus.DIGEST).exists()
    assert factories.UserFactory(role=Role.REQUESTER)  # nothing else pending for anyone
    assert services.notifications_send_digests() == 0
