"""Thin Celery tasks: ids in, one service call, retries declared here."""

from celery import shared_task

from notifications import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def notification_send(self, notification_id: int) -> None:
    """Deliver one outbox row. Safe to run twice: the service claims the row before sending."""
    try:
        services.notification_deliver(notification_id=notification_id, claim=self.request.id or "")
    except services.DeliveryDeferred as deferred:
        # The row counts its attempts and turns failed after the last; the task just waits and tries again.
        raise self.retry(countdown=deferred.delay) from None


@shared_task(ignore_result=True)
def notifications_requeue_stuck() -> None:
    """Periodic: re-queue rows the broker lost or whose worker died."""
    services.notifications_requeue_stuck()


@shared_task(ignore_result=True)
def notifications_send_digests() -> None:
    """Daily: one email per person who asked for a digest instead of immediate mail."""
    services.notifications_send_digests()
