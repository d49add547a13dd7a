"""Delivering one outbox row: claim it, render it, send it over the kept mail connection, record the outcome.

The life of an email row: PENDING -> (task claims) SENDING -> SENT, or back to PENDING with a later
`next_attempt_at` after a temporary refusal, or FAILED after a permanent refusal or too many attempts.
A claim is a conditional UPDATE, so two deliveries of the same task (a broker re-delivery, the sweeper
racing a slow worker) cannot both send: the loser finds nothing to claim.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import can, roles_with
from core.mail import SentButUnconfirmed
from notifications import webhooks
from notifications.headers import message_id_for
from notifications.kinds import WEBHOOK_DISABLED
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationStatus,
    WebhookAttempt,
    WebhookSubscription,
)
from notifications.rendering import render_email

logger = logging.getLogger(__name__)


def retry_delays() -> tuple[int, ...]:
    """Seconds between attempts after a temporary failure (NOTIFICATION_RETRY_DELAYS); then failed."""
    return tuple(settings.NOTIFICATION_RETRY_DELAYS)


# A row still "sending" this long after its claim belongs to a worker that died. A live one may wait
# EMAIL_DATA_TIMEOUT for the mail server's answer to the end of a message, plus the rest of the send.
STALE_CLAIM = timedelta(seconds=settings.EMAIL_DATA_TIMEOUT) + timedelta(minutes=5)


class DeliveryDeferred(Exception):
    """A temporary failure: the row is pending again and the task should retry after `delay` seconds."""

    def __init__(self, delay: int):
        super().__init__(f"retry in {delay} s")
        self.delay = delay


@dataclass(frozen=True)
class DeliveryResult:
    notification_id: int
    sent: bool


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
    channels = [NotificationChannel.EMAIL, NotificationChannel.WEBHOOK]
    updated = Notification.objects.filter(claimable, pk=notification_id, channel__in=channels).update(
        status=NotificationStatus.SENDING, claimed_by=claim, claimed_at=Now()
    )
    return updated == 1


def notification_deliver(*, notification_id: int, claim: str = "") -> DeliveryResult:
    """Send one email row, at most once. Raises DeliveryDeferred after a temporary failure."""
    if not _claim(notification_id, claim):
        return DeliveryResult(notification_id, sent=False)
    notification = Notification.objects.select_related("recipient", "subscription").get(pk=notification_id)
    if notification.channel == NotificationChannel.WEBHOOK:
        return _webhook_deliver(notification)
    attempt = notification.attempts + 1
    try:
        message = render_email(notification)
        _send(message)
    except Exception as error:
        permanent = _is_permanent(error)
        delays = retry_delays()
        if permanent or attempt > len(delays):
            Notification.objects.filter(pk=notification_id).update(
                status=NotificationStatus.FAILED,
                attempts=attempt,
                last_error=_describe(error, notification.address),
                claimed_by="",
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


def _mail_connection() -> BaseEmailBackend:
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


def _send(message: EmailMessage) -> None:
    """Send over the kept connection, at most once.

    Nothing here sends again: only the backend knows whether the server already has the message.
    core.mail.SMTPBackend reconnects when the connection drops before DATA (the kept one may have been
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
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True  # the server cannot carry the address (no SMTPUTF8) today or tomorrow
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    # Other SMTP trouble, timeouts and refused connections pass; anything else is a bug in rendering,
    # which retrying will not fix: show it to the managers at once.
    return not isinstance(error, smtplib.SMTPException | OSError)


def _describe(error: Exception, address: str = "") -> str:
    if isinstance(error, SentButUnconfirmed):
        return _describe_unconfirmed(error)
    technical = f"{type(error).__name__}: {error}"
    reason = _describe_address_refused(error, address) if address else None
    return (f"{reason} ({technical})" if reason else technical)[:1000]


def _describe_address_refused(error: Exception, address: str) -> str | None:
    """Why a message can never go to `address`, in the managers' words and the desk's language (see below);
    None when the failure is not about the address."""
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(error, smtplib.SMTPNotSupportedError) or (
            isinstance(error, UnicodeError) and not address.isascii()
        ):
            return _(
                "The address %(address)s has letters outside plain ASCII, and the mail server does not accept "
                "such addresses (it does not offer SMTPUTF8). Correct the address: sending again will not help."
            ) % {"address": address}
        if isinstance(error, smtplib.SMTPRecipientsRefused) and _is_permanent(error):
            return _(
                "The mail server refused the address %(address)s. Check the address: sending again will not help."
            ) % {"address": address}
        if isinstance(error, ValueError) and "address" in str(error).lower():
            return _("The address %(address)s cannot be written in a mail. Correct the address.") % {"address": address}
    return None


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


# --- webhooks -----------------------------------------------------------------------------------


def _webhook_deliver(notification: Notification) -> DeliveryResult:
    """POST one webhook row, signed; log the attempt; retry, fail and disable as the answer says.

    At least once: a receiver that got it but whose answer was lost gets it again, with the same
    X-Helpdesk-Delivery id, and drops the copy by that id.
    """
    subscription = notification.subscription
    attempt = notification.attempts + 1
    if subscription is None or not subscription.is_active:
        reason = _("The webhook was deleted or disabled before this delivery was sent.")
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.FAILED, attempts=attempt, last_error=reason, claimed_by=""
        )
        return DeliveryResult(notification.pk, sent=False)
    context = notification.context or {}
    event = str(context.get("event", ""))
    body = webhooks.body_for(notification.message_id, event, notification.created_at, context.get("data", {}))
    answer = webhooks.post(
        subscription.url, body, webhooks.headers_for(subscription, event, notification.message_id, body)
    )
    WebhookAttempt.objects.create(
        notification=notification,
        subscription=subscription,
        status_code=answer.status_code,
        error=answer.error,
        duration_ms=answer.duration_ms,
    )
    if answer.status_code is not None and 200 <= answer.status_code < 300:
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.SENT, attempts=attempt, sent_at=Now(), last_error="", claimed_by=""
        )
        WebhookSubscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
        return DeliveryResult(notification.pk, sent=True)
    said = answer.error or f"HTTP {answer.status_code}"
    delays = settings.WEBHOOK_RETRY_DELAYS
    if webhooks.is_permanent(answer.status_code) or attempt > len(delays):
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.FAILED, attempts=attempt, last_error=said, claimed_by=""
        )
        _webhook_failed(subscription, said)
        return DeliveryResult(notification.pk, sent=False)
    delay = delays[attempt - 1]
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.PENDING,
        attempts=attempt,
        last_error=said,
        claimed_by="",
        next_attempt_at=Now() + timedelta(seconds=delay),
    )
    raise DeliveryDeferred(delay)


def _webhook_failed(subscription: WebhookSubscription, error: str) -> None:
    """One more delivery failed for good: at WEBHOOK_DISABLE_AFTER in a row, the subscription is disabled and
    whoever made it (or every manager, if they are gone) is told through the outbox."""
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        locked.consecutive_failures += 1
        fields = ["consecutive_failures"]
        if locked.is_active and locked.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER:
            with translation.override(settings.LANGUAGE_CODE):
                locked.disabled_reason = _("%(count)s deliveries in a row failed; the last: %(error)s") % {
                    "count": locked.consecutive_failures,
                    "error": error,
                }
            locked.is_active, locked.disabled_at = False, timezone.now()
            fields += ["is_active", "disabled_at", "disabled_reason"]
            _webhook_disabled_notice(locked, error)
            webhooks.subscriptions_changed()
            transaction.on_commit(webhooks.subscriptions_changed)
        locked.disabled_reason = locked.disabled_reason[:300]
        locked.save(update_fields=fields)


def _webhook_disabled_notice(subscription: WebhookSubscription, error: str) -> None:
    """The bell at once, and a mail the sweeper queues within a minute (this module sits under the queue)."""
    creator = subscription.created_by
    if creator is not None and creator.is_active and can(creator, "notifications.webhooks"):
        recipients = [creator]
    else:
        recipients = list(User.objects.filter(is_active=True, role__in=roles_with("notifications.webhooks")))
    context = {
        "name": subscription.name,
        "url": subscription.url,
        "failures": subscription.consecutive_failures,
        "error": error[:300],
        "page": settings.SITE_URL + reverse("notifications:webhook_detail", args=[subscription.pk]),
    }
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=WEBHOOK_DISABLED, channel=NotificationChannel.EMAIL, context=context)
            for user in recipients
        ]
        + [
            Notification(
                recipient=user,
                kind=WEBHOOK_DISABLED,
                channel=NotificationChannel.IN_APP,
                context=context,
                status=NotificationStatus.SENT,
                sent_at=now,
            )
            for user in recipients
        ]
    )
    for row in rows:
        if row.channel == NotificationChannel.EMAIL:
            Notification.objects.filter(pk=row.pk).update(message_id=message_id_for(row))
