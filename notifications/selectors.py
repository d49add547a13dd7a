from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, OuterRef, QuerySet, Subquery

from accounts.models import User
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationStatus,
    WebhookAttempt,
    WebhookSubscription,
)


def notifications_unread_count(user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).count()


def notifications_in_app_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).order_by(
        "-created_at", "-pk"
    )


def notifications_failed() -> QuerySet[Notification]:
    return (
        Notification.objects.filter(status=NotificationStatus.FAILED, channel=NotificationChannel.EMAIL)
        .select_related("recipient", "ticket")
        .order_by("-created_at", "-pk")
    )


def notifications_failed_between(since: datetime, until: datetime) -> QuerySet[Notification]:
    """Failed email rows created in the period, both ends included: what a manager sends again at once."""
    return Notification.objects.filter(
        status=NotificationStatus.FAILED,
        channel=NotificationChannel.EMAIL,
        created_at__gte=since,
        created_at__lte=until,
    )


def notifications_sent_about(ticket: Model) -> list[Notification]:
    """What was emailed about one ticket, to whom, when, and what failed: for the staff's ticket page."""
    return list(
        Notification.objects.filter(ticket_id=ticket.pk, channel=NotificationChannel.EMAIL)
        .select_related("recipient")
        .order_by("-created_at", "-pk")[:50]
    )


def webhook_subscriptions() -> list[Any]:
    """Every subscription with its last attempt: two queries, however many there are."""
    latest = (
        WebhookAttempt.objects.filter(subscription=OuterRef("pk")).order_by("-attempted_at", "-pk").values("pk")[:1]
    )
    subscriptions = list(WebhookSubscription.objects.annotate(last_attempt_id=Subquery(latest)).order_by("name", "pk"))
    ids = [s.last_attempt_id for s in subscriptions if s.last_attempt_id]
    attempts = {attempt.pk: attempt for attempt in WebhookAttempt.objects.filter(pk__in=ids)}
    for subscription in subscriptions:
        subscription.last_attempt = attempts.get(subscription.last_attempt_id)  # type: ignore[attr-defined]
    return subscriptions


def webhook_attempts(subscription: Model, limit: int = 50) -> list[Any]:
    return list(
        WebhookAttempt.objects.filter(subscription_id=subscription.pk)
        .select_related("notification")
        .order_by("-attempted_at", "-pk")[:limit]
    )
