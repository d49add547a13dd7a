from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from accounts.models import User
from notifications.models import Notification, NotificationChannel, NotificationStatus


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
        Notification.objects.filter(status=NotificationStatus.FAILED)
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
