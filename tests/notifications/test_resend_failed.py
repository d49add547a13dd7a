"""After a long mail outage: a manager sends every failed message of a period again, in one action."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from notifications import services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

OUTAGE = datetime(2026, 3, 2, 9, tzinfo=UTC)


def email_row(requester, *, created_at, status=NotificationStatus.FAILED) -> Notification:
    """A real email row (as a new ticket makes it), then failed after every retry at `created_at`."""
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="Outage", impact=3, urgency=3)
    row = Notification.objects.filter(channel=NotificationChannel.EMAIL).latest("pk")
    Notification.objects.filter(pk=row.pk).update(
        status=status, attempts=10, last_error="SMTPServerDisconnected: Connection refused", created_at=created_at
    )
    row.refresh_from_db()
    return row


def now_in_database():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")  # what Now() is on PostgreSQL
        return cursor.fetchone()[0]


@pytest.fixture
def queued(monkeypatch):
    """The ids handed to the broker, call by call."""
    calls: list[list[int]] = []
    monkeypatch.setattr(services, "notifications_enqueue", lambda ids: calls.append(list(ids)))
    return calls


def test_only_the_failed_email_rows_of_the_period_go_back_to_the_queue_in_batches_after_commit(
    requester, manager, queued, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "RESEND_BATCH", 2)
    inside = [email_row(requester, created_at=OUTAGE + timedelta(hours=hour)) for hour in (0, 1, 2)]
    before = email_row(requester, created_at=OUTAGE - timedelta(minutes=1))
    after = email_row(requester, created_at=OUTAGE + timedelta(hours=3, minutes=1))
    sent = email_row(requester, created_at=OUTAGE + timedelta(hours=1), status=NotificationStatus.SENT)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = services.notifications_resend_failed(by=manager, since=OUTAGE, until=OUTAGE + timedelta(hours=3))
        assert queued == []  # nothing reaches the broker before the commit
    assert count == 3
    for callback in callbacks:
        callback()
    assert queued == [[inside[0].pk, inside[1].pk], [inside[2].pk]]

    for row in inside:
        old_message_id = row.message_id
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (NotificationStatus.PENDING, 0, "")
        assert row.next_attempt_at <= now_in_database()  # due at once, by the database's clock
        assert row.message_id == old_message_id  # a copy that did arrive once folds with this one
    for row in (before, after):
        row.refresh_from_db()
        assert (row.status, row.attempts) == (NotificationStatus.FAILED, 10)
    sent.refresh_from_db()
    assert sent.status == NotificationStatus.SENT


@pytest.mark.parametrize("persona", ["requester", "technician", "coordinator"])
def test_only_managers_may_send_failed_rows_again(request, persona, requester, queued):
    row = email_row(requester, created_at=OUTAGE)
    with pytest.raises(PermissionDenied):
        services.notifications_resend_failed(
            by=request.getfixturevalue(persona), since=OUTAGE - timedelta(hours=1), until=OUTAGE + timedelta(hours=1)
        )
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert queued == []


def test_the_rows_sent_again_really_go_out(smtp_sink, requester, manager, django_capture_on_commit_callbacks):
    rows = [email_row(requester, created_at=OUTAGE + timedelta(minutes=minute)) for minute in (0, 10)]
    with django_capture_on_commit_callbacks(execute=False):
        assert services.notifications_resend_failed(by=manager, since=OUTAGE, until=OUTAGE + timedelta(hours=1)) == 2
    # The mail server is back: the delivery service, as the queued task runs it.
    for row in rows:
        assert services.notification_deliver(notification_id=row.pk).sent
    messages = smtp_sink.wait_for(2)
    assert sorted(m["Message-ID"] for m in messages) == sorted(row.message_id for row in rows)
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, "")


def test_rows_the_broker_did_not_take_are_left_to_the_sweeper(
    requester, manager, own_broker, django_capture_on_commit_callbacks
):
    """Redis refuses (the test's own, not started): the rows wait, pending, for the sweeper."""
    from django.db.models.functions import Now

    row = email_row(requester, created_at=OUTAGE)
    now = OUTAGE + timedelta(hours=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notifications_resend_failed(by=manager, since=OUTAGE, until=now) == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING
    # Redis is back; a while later beat's sweeper finds the row it never got.
    own_broker.start()
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=Now() - services.PENDING_GRACE * 2)
    assert services.notifications_requeue_stuck() == 1
