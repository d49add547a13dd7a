"""The demo's technician's day: shared canned replies (with their Swedish texts), a monthly backup check on a
schedule, a known problem on the mail, visits booked for today and tomorrow and a laptop at the vendor, all
through the services, so `make run` shows each page with something on it."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from assets.models import Employee
from tickets import services
from tickets.models import Ticket

# (title, English text, Swedish text, then, minutes)
REPLIES = [
    (
        "Restart and tell us",
        "Hello {first_name},\n\nplease restart your computer and tell us whether the problem is still there.\n\n"
        "{technician}, help desk ({ticket})",
        "Hej {first_name}!\n\nStarta om datorn och berätta för oss om problemet finns kvar.\n\n"
        "{technician}, helpdesken ({ticket})",
        "wait_on_requester",
        5,
    ),
    (
        "Password reset done",
        "Hello {first_name},\n\nyour password is reset. You will be asked to choose a new one at your next login.",
        "Hej {first_name}!\n\nDitt lösenord är återställt. Du får välja ett nytt när du loggar in nästa gång.",
        "",
        10,
    ),
    (
        "Device sent to the vendor",
        "Hello {first_name},\n\n{device} is at the vendor for repair. We will tell you as soon as it is back.",
        "Hej {first_name}!\n\n{device} är hos leverantören för reparation. Vi hör av oss så snart den är tillbaka.",
        "wait_on_vendor",
        0,
    ),
]


def technicians_day_write(*, coordinator: User, technician: User) -> int:
    """Write the demo's technician's day; returns how many things it made."""
    for title, english, swedish, then, minutes in REPLIES:
        services.canned_reply_create(
            by=coordinator, shared=True, title=title, body=english, bodies={"sv": swedish}, then=then, minutes=minutes
        )
    made = len(REPLIES)
    today = timezone.localdate()
    mail = Ticket.objects.filter(subject="Outlook keeps asking for my password").first()
    if mail is not None:
        services.known_problem_publish(
            ticket=mail,
            by=coordinator,
            public_text="Outlook asks everyone for their password since this morning; we are on it.",
            categories=[mail.category] if mail.category else [],
        )
        made += 1
    worked = Ticket.objects.filter(assignee=technician, status__in=["assigned", "in_progress"]).order_by("pk")
    for ticket, day, hour in zip(
        worked, (today, today + timedelta(days=1), today + timedelta(days=1)), (14, 9, 13), strict=False
    ):
        start = timezone.make_aware(datetime.combine(day, time(hour)))
        if start < timezone.now():
            start = timezone.now() + timedelta(hours=1)
        location = ticket.requester.location
        services.visit_book(
            ticket=ticket,
            by=technician,
            technician=technician,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            place=str(location) if location else "Head office",
            bring="A spare charger",
        )
        made += 1
    # Another technician's ticket about a device in use: it goes to the vendor.
    laptop = (
        Ticket.objects.filter(status="in_progress", device__status="in_use", assignee__isnull=False)
        .exclude(assignee=technician)
        .order_by("pk")
        .first()
    )
    if laptop is not None and laptop.assignee is not None:
        services.repair_send(
            ticket=laptop,
            by=laptop.assignee,
            vendor="Lenovo Service",
            rma_number="RMA-20461",
            sent_on=today,
            expected_back=today + timedelta(days=7),
            under_warranty=True,
        )
        made += 1
    services.recurring_create(
        by=coordinator,
        subject="Monthly backup check",
        description="Restore one file from last night's backup and note how long it took.",
        requester=Employee.objects.filter(is_active=True).order_by("pk").first(),
        category=None,
        tier=1,
        assignee=technician,
        device=None,
        location=None,
        every=1,
        unit="months",
        starts_on=(today.replace(day=28) + timedelta(days=4)).replace(day=1),  # the first of next month
        ends_on=None,
    )
    return made + 1
