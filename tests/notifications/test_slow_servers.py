"""Slow and flaky mail servers, for real (aiosmtpd): a message is never sent twice in one attempt.

Before DATA nothing is delivered, so a dropped connection is reopened and the envelope sent again. From
DATA on the server may already hold the message: the client waits EMAIL_DATA_TIMEOUT for the answer and,
without one, leaves the row for a later attempt with the same Message-ID.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import delivery, services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(requester):
    """One email row, made as a real change makes it (the queued task never runs: no commit here)."""
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="Slow", impact=3, urgency=3)
    return Notification.objects.get(channel=NotificationChannel.EMAIL)


def test_a_server_answering_the_end_of_a_message_late_gets_it_once_and_the_row_is_sent(smtp_sink, row, settings):
    settings.EMAIL_TIMEOUT = 1
    settings.EMAIL_DATA_TIMEOUT = 30
    smtp_sink.answer_data_after(2)
    started = time.monotonic()
    assert services.notification_deliver(notification_id=row.pk).sent
    # The answer really came later than EMAIL_TIMEOUT, which would have given up on it.
    assert time.monotonic() - started > settings.EMAIL_TIMEOUT
    assert len(smtp_sink.messages) == 1
    assert smtp_sink.messages[0]["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, "")


def test_a_server_that_never_answers_the_end_of_a_message_gets_it_again_later_with_the_same_message_id(
    smtp_sink, row, settings
):
    settings.EMAIL_DATA_TIMEOUT = 0.5
    settings.NOTIFICATION_RETRY_DELAYS = [60, 60]
    gate = smtp_sink.withhold_data_reply()
    with pytest.raises(services.DeliveryDeferred) as deferred:
        services.notification_deliver(notification_id=row.pk)
    assert deferred.value.delay == 60
    assert smtp_sink.data_reply_held.wait(timeout=10)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)  # due in a minute
    assert row.last_error.startswith("Unknown whether it arrived")
    assert "no answer within 0.5 seconds" in row.last_error
    # The server got it once; a second copy in the same attempt would have followed at once.
    gate.set()
    assert len(smtp_sink.messages) == 1

    # Not due yet: the retry waits its delay.
    assert not services.notification_deliver(notification_id=row.pk).sent
    assert len(smtp_sink.messages) == 1
    # The delay passes; the retry sends it again, under the same Message-ID, so mail programs fold the two.
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert services.notification_deliver(notification_id=row.pk).sent
    first, second = smtp_sink.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 2, "")


def test_an_unconfirmed_message_after_the_last_retry_fails_with_words_a_manager_understands(smtp_sink, row, settings):
    settings.EMAIL_DATA_TIMEOUT = 0.5
    settings.NOTIFICATION_RETRY_DELAYS = []
    smtp_sink.withhold_data_reply()
    assert not services.notification_deliver(notification_id=row.pk).sent
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert "may have been delivered" in row.last_error
    assert len(smtp_sink.messages) == 1


@pytest.mark.parametrize("saying_421", [False, True], ids=["without a word", "after 421"])
def test_a_connection_dropped_before_data_is_retried_at_once_on_a_new_one_and_delivered_once(
    smtp_sink, row, saying_421
):
    smtp_sink.drop_next_at_rcpt = 1
    smtp_sink.drop_saying_421 = saying_421
    assert services.notification_deliver(notification_id=row.pk).sent
    assert len(smtp_sink.messages) == 1
    first, second = smtp_sink.rcpt_peers
    assert first != second  # two connections: the dropped one, then the one that delivered
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def test_a_connection_dropped_twice_before_data_waits_for_the_next_attempt(smtp_sink, row, settings):
    settings.NOTIFICATION_RETRY_DELAYS = [10]
    smtp_sink.drop_next_at_rcpt = 2
    with pytest.raises(services.DeliveryDeferred):
        services.notification_deliver(notification_id=row.pk)
    assert smtp_sink.messages == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert "SMTPServerDisconnected" in row.last_error


def test_the_kept_connection_carries_the_next_message_after_a_late_answer(smtp_sink, requester, settings):
    settings.EMAIL_TIMEOUT = 1
    settings.EMAIL_DATA_TIMEOUT = 30
    smtp_sink.answer_data_after(1.5)
    for subject in ("One", "Two"):
        ticket_services.ticket_create(by=requester, requester=requester.employee, subject=subject, impact=3, urgency=3)
    for row in Notification.objects.filter(channel=NotificationChannel.EMAIL).order_by("pk"):
        assert services.notification_deliver(notification_id=row.pk).sent
    assert len(smtp_sink.messages) == 2
    assert len(set(smtp_sink.rcpt_peers)) == 1  # one connection, kept
    # ... and its socket waits EMAIL_TIMEOUT again outside DATA.
    assert delivery._mail_connection().connection.sock.gettimeout() == settings.EMAIL_TIMEOUT


def test_the_sweeper_leaves_a_row_alone_while_its_worker_may_still_wait_for_the_answer(row, settings):
    # A worker waiting out EMAIL_DATA_TIMEOUT is alive: taking its row away would send the message twice.
    waiting_since = timezone.now() - timedelta(seconds=settings.EMAIL_DATA_TIMEOUT + 60)
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, claimed_by="task-1", claimed_at=waiting_since, next_attempt_at=waiting_since
    )
    assert services.notifications_requeue_stuck() == 0
    row.refresh_from_db()
    assert (row.status, row.claimed_by) == (NotificationStatus.SENDING, "task-1")
