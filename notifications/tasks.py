"""Thin Celery tasks: ids in, one service call, retries declared here."""

from celery import shared_task

from notifications import services
from notifications.queue import notification_send

__all__ = ["notification_send", "notifications_requeue_stuck", "notifications_send_digests"]


@shared_task(ignore_result=True)
def notifications_requeue_stuck() -> None:
    """Periodic: re-queue rows the broker lost or whose worker died."""
    services.notifications_requeue_stuck()


@shared_task(ignore_result=True)
def notifications_send_digests() -> None:
    """Daily: one email per person who asked for a digest instead of immediate mail."""
    services.notifications_send_digests()
