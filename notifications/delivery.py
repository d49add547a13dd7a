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
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import translation
from django.utils.translation import gettext as _

from core.mail import SentButUnconfirmed
from notifications.models import Notification, NotificationChannel, NotificationStatus
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
    updated = Notification.objects.filter(claimable, pk=notification_id, channel=NotificationChannel.EMAIL).update(
        status=NotificationStatus.SENDING, claimed_by=claim, claimed_at=Now()
    )
    return updated == 1


def notification_deliver(*, notification_id: int, claim: str = "") -> DeliveryResult:
    """Send one email row, at most once. Raises DeliveryDeferred after a temporary failure."""
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
