"""Writing outbox rows and handing them to the broker, and the task that delivers one.

Rows are written inside the caller's transaction; their delivery is queued only after it commits. The
task keeps the name it had in notifications.tasks (tasks.py re-exports it), so messages already queued
under that name are still delivered.
"""

import logging
from datetime import datetime
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction

from accounts.models import NotificationDelivery, User
from notifications import delivery
from notifications.headers import message_id_for
from notifications.models import Notification, NotificationChannel, NotificationStatus

logger = logging.getLogger(__name__)


@shared_task(
    name="notifications.tasks.notification_send",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    ignore_result=True,
)
def notification_send(self: Task, notification_id: int) -> None:
    """Deliver one outbox row. Safe to run twice: the service claims the row before sending."""
    try:
        delivery.notification_deliver(notification_id=notification_id, claim=self.request.id or "")
    except delivery.DeliveryDeferred as deferred:
        # The row counts its attempts and turns failed after the last; the task just waits and tries again.
        raise self.retry(countdown=deferred.delay) from None


def notifications_enqueue(ids: list[int]) -> None:
    """Hand rows to the broker. Never raises, and never holds a web request more than about a second.

    Called from `transaction.on_commit`, inside the web request. The publish goes over a connection of its
    own with short socket timeouts (BROKER_PUBLISH_TIMEOUT): a Redis that refuses fails at once, one that
    hangs within the timeout. The first failure stops the loop: the rest would fail the same way, one
    timeout after another, and the sweeper queues every row left pending once Redis answers again.
    """
    if not ids:
        return
    app = notification_send.app  # the project's Celery app, which the task is bound to
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


def notifications_for(
    *, user: User | None, address: str, kind: str, context: dict[str, Any], at: datetime, **links: Any
) -> list[Notification]:
    """The outbox rows (not saved) of one piece of news for one person, as they chose on their profile: none
    for a kind they switched off or a login no longer active; the bell with a login; the mail, at once or held
    for the daily digest, unless they want the bell alone or there is no address. `links`: the row's ticket
    and event, when the news is about one."""
    if user is not None and (not user.is_active or kind in (user.muted_notification_kinds or [])):
        return []
    common = {"recipient": user, "kind": kind, "context": context, "created_at": at, **links}
    rows = []
    if user is not None:
        rows.append(
            Notification(**common, channel=NotificationChannel.IN_APP, status=NotificationStatus.SENT, sent_at=at)
        )
    delivery = user.notification_delivery if user else NotificationDelivery.IMMEDIATE
    if delivery == NotificationDelivery.IN_APP or not address:
        return rows
    status = NotificationStatus.DIGEST if delivery == NotificationDelivery.DIGEST else NotificationStatus.PENDING
    rows.append(Notification(**common, email=address, channel=NotificationChannel.EMAIL, status=status))
    return rows


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
