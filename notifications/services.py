"""Every write to the outbox: queueing, re-queueing, resending, digests, reading.

Writing and queueing rows live in notifications.queue, delivering one in notifications.delivery; their
public names are re-exported here, the one entry point of the other apps and the tests.
"""

import logging
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import can
from notifications import selectors, webhooks
from notifications.delivery import (
    STALE_CLAIM,
    DeliveryDeferred,
    DeliveryResult,
    notification_deliver,
    retry_delays,
)
from notifications.headers import message_id_for, thread_id_for
from notifications.kinds import WEBHOOK as WEBHOOK_KIND
from notifications.models import Notification, NotificationChannel, NotificationStatus, WebhookSubscription
from notifications.queue import notifications_enqueue, notifications_for, notifications_save

__all__ = [
    "DeliveryDeferred",
    "DeliveryResult",
    "message_id_for",
    "notification_deliver",
    "notifications_enqueue",
    "notifications_for",
    "notifications_save",
    "retry_delays",
    "thread_id_for",
]

logger = logging.getLogger(__name__)

# A pending row the broker should have delivered by now (Redis was down, the publish failed).
PENDING_GRACE = timedelta(minutes=1)


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
            channel__in=[NotificationChannel.EMAIL, NotificationChannel.WEBHOOK],
            next_attempt_at__lt=Now() - PENDING_GRACE,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    ids = sorted(set(stale) | set(waiting))
    if ids:
        notifications_enqueue(ids)
    return len(ids)


def notification_resend(*, notification: Notification, by: User) -> Notification:
    """A manager sends a failed row again, from the first attempt."""
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, attempts=0, last_error="", next_attempt_at=Now()
    )
    transaction.on_commit(lambda: notifications_enqueue([notification.pk]))
    notification.refresh_from_db()
    return notification


# Rows a bulk resend moves and hands to the broker per statement and per publish call.
RESEND_BATCH = 500


def notifications_resend_failed(*, by: User, since: datetime, until: datetime) -> int:
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


def notification_mark_read(*, user: User, notification_id: int) -> int:
    return Notification.objects.filter(
        pk=notification_id, recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- webhooks -----------------------------------------------------------------------------------

WEBHOOK_FIELDS = ("name", "url", "events")


def _webhook_check(url: str, events: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    try:
        webhooks.resolve(url)
    except webhooks.AddressRefused as refused:
        errors["url"] = [str(refused.message)]
    known = {name for name, _label in webhooks.event_choices()}
    if not events or set(events) - known:
        errors["events"] = [_("Choose at least one of the events offered.")]
    if errors:
        raise ValidationError(errors)


def webhook_subscription_create(*, by: User, name: str, url: str, events: list[str]) -> WebhookSubscription:
    """A manager subscribes `url` to ticket events; its signing secret is made here."""
    if not can(by, "notifications.webhooks"):
        raise PermissionDenied
    _webhook_check(url, events)
    subscription = WebhookSubscription.objects.create(
        name=name.strip()[:80], url=url, events=sorted(events), secret=webhooks.secret_new(), created_by=by
    )
    transaction.on_commit(webhooks.subscriptions_changed)
    webhooks.subscriptions_changed()
    return subscription


def webhook_subscription_update(
    *, subscription: WebhookSubscription, by: User, name: str, url: str, events: list[str]
) -> WebhookSubscription:
    if not can(by, "notifications.webhooks"):
        raise PermissionDenied
    _webhook_check(url, events)
    subscription.name, subscription.url, subscription.events = name.strip()[:80], url, sorted(events)
    subscription.save(update_fields=["name", "url", "events"])
    webhooks.subscriptions_changed()
    transaction.on_commit(webhooks.subscriptions_changed)
    return subscription


def webhook_subscription_delete(*, subscription: WebhookSubscription, by: User) -> None:
    if not can(by, "notifications.webhooks"):
        raise PermissionDenied
    subscription.delete()
    webhooks.subscriptions_changed()
    transaction.on_commit(webhooks.subscriptions_changed)


def webhook_subscription_enable(*, subscription: WebhookSubscription, by: User) -> WebhookSubscription:
    """Back on after it was disabled: its failures are forgotten; deliveries that failed meanwhile stay failed."""
    if not can(by, "notifications.webhooks"):
        raise PermissionDenied
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        is_active=True, consecutive_failures=0, disabled_at=None, disabled_reason=""
    )
    webhooks.subscriptions_changed()
    transaction.on_commit(webhooks.subscriptions_changed)
    subscription.refresh_from_db()
    return subscription


PING = "ping"


def webhook_rows(
    event: str,
    data: dict[str, Any],
    *,
    ticket_id: int | None = None,
    subscriptions: list[tuple[int, frozenset[str]]] | None = None,
) -> list[Notification]:
    """Outbox rows (unsaved) of `event` for every active subscription that wants it: one each. `subscriptions`:
    webhooks.subscriptions_active(), when the caller has read it already."""
    if subscriptions is None:
        subscriptions = webhooks.subscriptions_active()
    return [
        Notification(
            subscription_id=pk,
            ticket_id=ticket_id,
            kind=WEBHOOK_KIND,
            channel=NotificationChannel.WEBHOOK,
            context={"event": event, "data": data},
            message_id=str(uuid.uuid4()),
        )
        for pk, events in subscriptions
        if event in events
    ]


def webhook_ping(*, subscription: WebhookSubscription, by: User) -> Notification:
    """A test event to one subscription, through the outbox like any other."""
    if not can(by, "notifications.webhooks"):
        raise PermissionDenied
    row = Notification(
        subscription=subscription,
        kind=WEBHOOK_KIND,
        channel=NotificationChannel.WEBHOOK,
        context={"event": PING, "data": {"subscription": subscription.pk, "sent_by": by.email}},
        message_id=str(uuid.uuid4()),
    )
    return notifications_save([row])[0]
