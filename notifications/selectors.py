from datetime import datetime

from django.db.models import QuerySet

from notifications.models import Notification, NotificationChannel, NotificationStatus


def notifications_unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).count()


def notifications_in_app_for(user) -> QuerySet[Notification]:
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


def notifications_sent_about(ticket) -> list[Notification]:
    """What was emailed about one ticket, to whom, when, and what failed: for the staff's ticket page."""
    return list(
        Notification.objects.filter(ticket=ticket, channel=NotificationChannel.EMAIL)
        .select_related("recipient")
        .order_by("-created_at", "-pk")[:50]
    )
