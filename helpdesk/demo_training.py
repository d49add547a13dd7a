"""The demo's training: a session on Excel given to the department that asks most about it a hundred days ago
(attendance recorded, so its effect shows), and one on Outlook next week that the demo's requester is invited
to and has said yes to. Through the services, so `make run` shows each training page with something on it."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from assets.models import Department, Employee
from core.days import desk_zone
from helpdesk.seed import HOW_TO_DEPARTMENT, HOW_TO_TOPIC
from tickets.models import Category
from training import services
from training.models import Invitation


def training_write(*, coordinator: User, trainer: User, requester: User) -> int:
    """Write the demo's two sessions; returns how many."""
    zone = desk_zone()
    today = timezone.localdate()
    sales = Department.objects.get(name=HOW_TO_DEPARTMENT)
    excel = Category.objects.get(name=HOW_TO_TOPIC)
    outlook = Category.objects.get(name="Outlook")
    given_on = datetime.combine(today - timedelta(days=100), time(9), tzinfo=zone)
    given = services.session_plan(
        by=coordinator,
        title="Excel: formulas, filters and pivot tables",
        description="Two hours, hands on: bring your laptop and a spreadsheet you use every week.",
        trainer=trainer,
        starts_at=given_on,
        ends_at=given_on + timedelta(hours=2),
        capacity=20,
        place="HQ, training room 2",
        categories=[excel],
        resolution_codes=["user_training"],
        departments=[sales],
        planned_from="training",
        now=given_on - timedelta(days=14),
    )
    invited = list(Invitation.objects.filter(session=given).order_by("pk").values_list("pk", flat=True))
    services.attendance_record(session=given, by=trainer, attended=invited[: max(len(invited) * 2 // 3, 1)])

    starts = datetime.combine(today + timedelta(days=7), time(13), tzinfo=zone)
    upcoming = services.session_plan(
        by=coordinator,
        title="Outlook: calendars, rules and shared mailboxes",
        trainer=trainer,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1, minutes=30),
        capacity=12,
        place="HQ, training room 2",
        online_link="https://meet.example.org/outlook-training",
        categories=[outlook],
        employees=list(Employee.objects.filter(user=requester)),
        departments=[requester.employee.department] if requester.employee.department else [],
        planned_from="training",
    )
    own = Invitation.objects.get(session=upcoming, employee__user=requester)
    services.invitation_answer(invitation=own, by=requester, coming=True)
    return 2
