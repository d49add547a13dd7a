"""Every write to the outbox: queueing, claiming, delivering, retrying, re-queueing, reading.

The life of an email row: PENDING -> (task claims) SENDING -> SENT, or back to PENDING with a later
`next_attempt_at` after a temporary refusal, or FAILED after a permanent refusal or too many attempts.
A claim is a conditional UPDATE, so two deliveries of the same task (a broker re-delivery, the sweeper
racing a slow worker) cannot both send: the loser finds nothing to claim.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import can
from helpdesk.mail import SentButUnconfirmed
from notifications import selectors
from notifications.headers import message_id_for
from notifications.models import Notification, NotificationChannel, NotificationStatus

logger = logging.getLogger(__name__)


def retry_delays() -> tuple[int, ...]:
    """Seconds between attempts after a temporary failure (NOTIFICATION_RETRY_DELAYS); then failed."""
    return tuple(settings.NOTIFICATION_RETRY_DELAYS)


# A row still "sending" this long after its claim belongs to a worker that died. A live one may wait
# EMAIL_DATA_TIMEOUT for the mail server's answer to the end of a message, plus the rest of the send.
STALE_CLAIM = timedelta(seconds=settings.EMAIL_DATA_TIMEOUT) + timedelta(minutes=5)
# A pending row the broker should have delivered by now (Redis was down, the publish failed).
PENDING_GRACE = timedelta(minutes=1)


class DeliveryDeferred(Exception):
    """A temporary failure: the row is pending again and the task should retry after `delay` seconds."""

    def __init__(self, delay: int):
        super().__init__(f"retry in {delay} s")
        self.delay = delay


@dataclass(frozen=True)
class DeliveryResult:
    notification_id: int
    sent: bool


# --- queueing -----------------------------------------------------------------------------------


def notifications_enqueue(ids: list[int]) -> None:
    """Hand rows to the broker. Never raises, and never holds a web request more than about a second.

    Called from `transaction.on_commit`, inside the web request. The publish goes over a connection of its
    own with short socket timeouts (BROKER_PUBLISH_TIMEOUT): a Redis that refuses fails at once, one that
    hangs within the timeout. The first failure stops the loop: the rest would fail the same way, one
    timeout after another, and the sweeper queues every row left pending once Redis answers again.
    """
    from helpdesk.celery import app
    from notifications.tasks import notification_send

    if not ids:
        return
    if app.conf.task_always_eager:  # the quick start: delivery runs here, in the request
        for notification_id in ids:
            try:
                notification_send.apply_async(args=(notification_id,))
            except Exception:  # a mail server's error must not undo the change that caused the mail
                logger.warning("notification %s not sent now; the sweeper will", notification_id, exc_info=True)
        return
    timeout = settings.BROKER_PUBLISH_TIMEOUT
    # One try to connect (no retries: the sweeper is the retry), and short socket timeouts for a hung server.
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}
    done = 0
    try:
        with app.connection_for_write(connect_timeout=timeout, transport_options=options) as connection:
            for notification_id in ids:
                # Celery's apply_async takes a connection; celery-types does not list it.
                notification_send.apply_async(  # type: ignore[call-arg]
                    args=(notification_id,), connection=connection, retry=False
                )
                done += 1
    except Exception:  # the broker is unreachable or does not answer in time
        logger.warning("%s of %s notifications not queued now; the sweeper will", len(ids) - done, len(ids))


def notifications_save(notifications: list[Notification]) -> list[Notification]:
    """Write outbox rows inside the caller's transaction and queue the email ones after it commits."""
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications)
    for notification in created:
        if notification.channel == NotificationChannel.EMAIL and not notification.message_id:
            notification.message_id = message_id_for(notification)
    Notification.objects.bulk_update(
        [n for n in created if n.channel == NotificationChannel.EMAIL], ["message_id"], batch_size=500
    )
    to_send = [n.pk for n in created if n.status == NotificationStatus.PENDING]
    if to_send:
        transaction.on_commit(lambda: notifications_enqueue(to_send))
    return created


# --- delivery -----------------------------------------------------------------------------------


def _claim(notification_id: int, claim: str) -> bool:
    """Take the row for this delivery; False when it is sent, failed, not due, or being sent.

    Due times and claims are the database's clock (`Now()`), never the process's: a worker whose clock runs
    behind still finds what is due, and a sweeper whose clock runs ahead does not take a claim still fresh.
    """
    # A retry's countdown may run out a moment before the row's next attempt: a few seconds' grace.
    claimable = Q(status=NotificationStatus.PENDING, next_attempt_at__lte=Now() + timedelta(seconds=5))
    if claim:
        # The same task delivered again by the broker after its worker died takes its own claim back, once
        # the claim is stale. A copy delivered twice at once finds the row being sent, and leaves it.
        claimable |= Q(status=NotificationStatus.SENDING, claimed_by=claim, claimed_at__lt=Now() - STALE_CLAIM)
    updated = Notification.objects.filter(claimable, pk=notification_id, channel=NotificationChannel.EMAIL).update(
        status=NotificationStatus.SENDING, claimed_by=claim, claimed_at=Now()
    )
    return updated == 1


def notification_deliver(*, notification_id: int, claim: str = "") -> DeliveryResult:
    """Send one email row, at most once. Raises DeliveryDeferred after a temporary failure."""
    from notifications.rendering import render_email

    if not _claim(notification_id, claim):
        return DeliveryResult(notification_id, sent=False)
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    attempt = notification.attempts + 1
    try:
        message = render_email(notification)
        _send(message)
    except Exception as error:
        permanent = _is_permanent(error)
        delays = retry_delays()
        if permanent or attempt > len(delays):
            Notification.objects.filter(pk=notification_id).update(
                status=NotificationStatus.FAILED, attempts=attempt, last_error=_describe(error), claimed_by=""
            )
            logger.warning("notification %s failed for good: %s", notification_id, _describe(error))
            return DeliveryResult(notification_id, sent=False)
        delay = delays[attempt - 1]
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.PENDING,
            attempts=attempt,
            last_error=_describe(error),
            claimed_by="",
            next_attempt_at=Now() + timedelta(seconds=delay),
        )
        raise DeliveryDeferred(delay) from error
    _mark_sent(notification_id, attempt)
    return DeliveryResult(notification_id, sent=True)


# How long a worker keeps trying to record a message the mail server accepted, while the database is away,
# before it gives up and leaves the row to the sweeper (which sends it again, with the same Message-ID).
# Shorter than STALE_CLAIM, so the sweeper never takes a row whose mark is still being retried.
MARK_PATIENCE = timedelta(minutes=4)


def _mark_sent(notification_id: int, attempt: int) -> None:
    """Record that the mail server accepted the message. The message is out: this update must not be lost
    to a database restart, or the sweeper would send the message again. It is retried, on a fresh
    connection each time, for up to MARK_PATIENCE."""
    deadline = time.monotonic() + MARK_PATIENCE.total_seconds()
    pause = 0.25
    while True:
        try:
            Notification.objects.filter(pk=notification_id).update(
                status=NotificationStatus.SENT, attempts=attempt, sent_at=Now(), last_error="", claimed_by=""
            )
            return
        except (OperationalError, InterfaceError):
            # The connection broke (the database restarted): drop it, so the next try opens a new one.
            connection.close()
            if time.monotonic() + pause > deadline:
                logger.error(
                    "notification %s was sent but could not be marked; the sweeper will send it again", notification_id
                )
                raise
            logger.warning("notification %s sent; marking it waits for the database", notification_id)
            time.sleep(pause)  # waiting for the database to come back, not for time to pass
            pause = min(pause * 2, 8.0)


# One mail-server connection per worker process, kept between messages: opening a connection (TCP,
# EHLO, maybe TLS and AUTH) costs more than sending a message. Keyed by the settings it was made from,
# so a change of server (or a test's own sink) gets a new one.
_connection: tuple[tuple, BaseEmailBackend] | None = None


def _mail_connection():
    global _connection
    key = (
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_TIMEOUT,
        settings.EMAIL_DATA_TIMEOUT,
    )
    if _connection is not None and _connection[0] != key:
        _close_mail_connection()
    if _connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        _connection = (key, connection)
    return _connection[1]


def _close_mail_connection() -> None:
    global _connection
    if _connection is not None:
        try:
            _connection[1].close()
        except Exception:  # a connection that broke is closed either way
            logger.debug("closing the mail connection failed", exc_info=True)
        _connection = None


def _send(message) -> None:
    """Send over the kept connection, at most once.

    Nothing here sends again: only the backend knows whether the server already has the message.
    helpdesk.mail.SMTPBackend reconnects when the connection drops before DATA (the kept one may have been
    closed while idle), and raises SentButUnconfirmed when it drops or times out after.
    """
    message.connection = _mail_connection()
    try:
        message.send()
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
        # The server answered: the session is still good, unless it hung up with its answer (421).
        if getattr(message.connection, "connection", None) is None:
            _close_mail_connection()
        raise
    except Exception:
        _close_mail_connection()  # dropped, timed out, unconfirmed, or half-way: the next message starts afresh
        raise


def _is_permanent(error: Exception) -> bool:
    """5xx answers from the mail server are final; 4xx, timeouts and refused connections are not."""
    if isinstance(error, SentButUnconfirmed):
        return False  # it may have arrived, or not: a later attempt, under the same Message-ID, makes sure
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    # Other SMTP trouble, timeouts and refused connections pass; anything else is a bug in rendering,
    # which retrying will not fix: show it to the managers at once.
    return not isinstance(error, smtplib.SMTPException | OSError)


def _describe(error: Exception) -> str:
    if isinstance(error, SentButUnconfirmed):
        return _describe_unconfirmed(error)
    return f"{type(error).__name__}: {error}"[:1000]


def _describe_unconfirmed(error: SentButUnconfirmed) -> str:
    """The "outcome unknown" case in the managers' words, in the desk's language.

    Written by a worker, outside any request, for whoever manages the desk to read later: a request's
    language (the quick start delivers inside the requester's request) would be an accident.
    """
    with translation.override(settings.LANGUAGE_CODE):
        if error.timed_out:
            reason = _("no answer within %(seconds)s seconds") % {"seconds": error.seconds}
        else:
            reason = _("the connection was closed")
        return _(
            "Unknown whether it arrived: the mail server received the whole message but did not confirm it "
            "(%(reason)s). It may have been delivered. A copy sent again carries the same Message-ID, so "
            "mail programs can show the two as one."
        ) % {"reason": reason}


# --- the sweeper and the managers' resend -------------------------------------------------------


def notifications_requeue_stuck(*, limit: int = 500) -> int:
    """Re-queue rows the broker never delivered and rows whose worker died while sending.

    Ages are the database's clock (`Now()`): a beat whose clock runs ahead never takes a fresh claim.
    """
    with transaction.atomic():
        stale = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=NotificationStatus.SENDING, claimed_at__lt=Now() - STALE_CLAIM)
            .values_list("pk", flat=True)[:limit]
        )
        if stale:
            Notification.objects.filter(pk__in=stale).update(
                status=NotificationStatus.PENDING, claimed_by="", next_attempt_at=Now()
            )
    waiting = list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING,
            channel=NotificationChannel.EMAIL,
            next_attempt_at__lt=Now() - PENDING_GRACE,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    ids = sorted(set(stale) | set(waiting))
    if ids:
        notifications_enqueue(ids)
    return len(ids)


def notification_resend(*, notification: Notification, by) -> Notification:
    """A manager sends a failed row again, from the first attempt."""
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, attempts=0, last_error="", next_attempt_at=Now()
    )
    transaction.on_commit(lambda: notifications_enqueue([notification.pk]))
    notification.refresh_from_db()
    return notification


# Rows a bulk resend moves and hands to the broker per statement and per publish call.
RESEND_BATCH = 500


def notifications_resend_failed(*, by, since: datetime, until: datetime) -> int:
    """A manager sends every failed email row created in the period again, from the first attempt.

    For after a mail outage longer than the retry schedule, when rows failed by the hundred. Each row keeps
    its Message-ID. The rows are queued after the commit, a batch at a time; any the broker does not take
    (Redis down) are pending and due, so the sweeper queues them. Returns how many rows were moved.
    """
    if not can(by, "notifications.failed"):
        raise PermissionDenied
    ids = list(selectors.notifications_failed_between(since, until).order_by("pk").values_list("pk", flat=True))
    moved = 0
    with transaction.atomic():
        for start in range(0, len(ids), RESEND_BATCH):
            batch = ids[start : start + RESEND_BATCH]
            # status=FAILED again: a row resent on its own meanwhile is pending already, and not counted.
            moved += Notification.objects.filter(pk__in=batch, status=NotificationStatus.FAILED).update(
                status=NotificationStatus.PENDING, attempts=0, last_error="", claimed_by="", next_attempt_at=Now()
            )
            transaction.on_commit(partial(notifications_enqueue, batch))
    logger.info("user %s queued %s failed notifications again (created %s to %s)", by.pk, moved, since, until)
    return moved


def notifications_send_digests(*, now: datetime | None = None) -> int:
    """Gather each person's digest rows into one email row, queued like any other. Returns how many."""
    now = now or timezone.now()
    digests = []
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=NotificationStatus.DIGEST)
            .order_by("recipient_id", "created_at", "pk")
        )
        by_recipient: dict[int | None, list[Notification]] = {}
        for row in rows:
            by_recipient.setdefault(row.recipient_id, []).append(row)
        for recipient_id, items in by_recipient.items():
            digests.append(
                Notification(
                    recipient_id=recipient_id,
                    email=items[0].email,
                    kind="digest",
                    channel=NotificationChannel.EMAIL,
                    context={"items": [{"kind": item.kind, **item.context} for item in items]},
                    created_at=now,
                )
            )
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(status=NotificationStatus.SENT, sent_at=now)
        notifications_save(digests)
    return len(digests)


# --- in the app -----------------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(
        pk=notification_id, recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )
