"""The benchmark's training session: given to the largest department two months ago on its most asked
category, attendance recorded for half of those invited, through the training services; the page that
reads its effect is measured like the reports."""

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from assets.models import Department
from bench.tables import PERSONAS
from core.days import desk_zone
from notifications.models import Notification, NotificationStatus
from tickets.models import Category, Ticket
from training import services
from training.models import Invitation, TrainingSession

SESSION_TITLE = "Bench: getting more out of the most asked program"


def session_write() -> int:
    """Write the session; returns how many were invited."""
    coordinator = User.objects.get(email=PERSONAS["coordinator"])
    trainer = User.objects.get(email=PERSONAS["technician"])
    department = Department.objects.annotate(people=Count("employees")).order_by("-people", "pk").first()
    category = (
        Category.objects.filter(pk__in=Ticket.objects.order_by("-pk").values("category")[:5000]).order_by("pk").first()
    )
    if department is None or category is None:
        return 0
    day = timezone.localdate() - timedelta(days=60)
    starts = datetime.combine(day, time(10), tzinfo=desk_zone())
    session = services.session_plan(
        by=coordinator,
        title=SESSION_TITLE,
        trainer=trainer,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=max(department.people, 1),
        place="Training room",
        categories=[category],
        resolution_codes=["user_training"],
        departments=[department],
        now=starts - timedelta(days=14),
    )
    invited = list(Invitation.objects.filter(session=session).order_by("pk").values_list("pk", flat=True))
    services.attendance_record(session=session, by=trainer, attended=invited[::2])
    # Its invitations belong to the loaded past: nobody is mailed.
    Notification.objects.exclude(status=NotificationStatus.SENT).update(status=NotificationStatus.SENT)
    return len(invited)


def session_pk() -> int | None:
    return TrainingSession.objects.filter(title=SESSION_TITLE).values_list("pk", flat=True).first()
