"""Load the demo organisation: departments, locations, staff, devices, technicians, a coordinator, a manager.

`make run` calls it on every start; it loads once and then leaves the data alone. `--size N` multiplies the
staff and devices for large data sets; rows are bulk-inserted, so a large size stays quick.

Besides the few dozen tickets of the last weeks (made through the services), it writes a year of history
(`History`, some 2,000 tickets) so that the Insight reports have something to say, then recounts the
reports' rollups from it. The history tells the seed's story: one device model fails far more than the
others, one department keeps asking how to use one program, the technicians work at clearly different
speeds, and one problem has been rising over the last two months.

Seed data is written with bulk_create rather than through the services on purpose: it describes a state
that already exists (a history), it is not a sequence of actions by people, and it must be fast at size.
"""

import random
import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, TechnicianProfile, User
from assets.models import Department, Device, DeviceAssignment, DeviceStatus, DeviceType, Employee, Location
from helpdesk.demo_articles import articles_write
from helpdesk.demo_history import History, quiet
from helpdesk.demo_mail import held_mail_write
from helpdesk.demo_people import (  # DEMO_PASSWORD is read here by the tests and the e2e journeys
    COORDINATOR,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    LOCATIONS,
    MANAGER,
    REQUESTERS,
    SLA_POLICIES,
    TECHNICIANS,
    demo_email,
    employee_email,
)
from helpdesk.demo_training import training_write
from helpdesk.demo_work import technicians_day_write
from helpdesk.seed import (
    DEPARTMENTS,
    DEVICE_MODELS,
    FAILING_MODEL,
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    RESOLUTION_CODES,
    categories_create,
    name_translations,
)
from notifications.models import Notification, NotificationStatus
from reports import recount
from tickets import failures, search, tally
from tickets import services as ticket_services
from tickets.models import (
    BusinessCalendar,
    Category,
    SlaPolicy,
)


class Command(BaseCommand):
    help = "Load the demo organisation once (idempotent). --size N multiplies staff and devices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=1, help="Multiply staff and devices by this factor.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed, so two loads are alike.")
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, size: int, seed: int, print_logins: bool, **options: object) -> None:
        if print_logins:
            self.print_logins()
            return
        if User.objects.filter(email=demo_email(COORDINATOR[0])).exists():
            self.stdout.write("The demo organisation is already loaded; leaving the data as it is.")
            return
        started = clock.monotonic()
        with transaction.atomic():
            counts = self.load(size=max(1, size), rng=random.Random(seed))
        self.stdout.write(
            self.style.SUCCESS(
                "Loaded the demo organisation: "
                + ", ".join(f"{count} {name}" for name, count in counts.items() if count)
                + f" ({clock.monotonic() - started:.1f} s)"
            )
        )

    def print_logins(self) -> None:
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        rows = [
            (_role_label(Role.REQUESTER), demo_email(REQUESTERS[0][0])),
            (_role_label(Role.TECHNICIAN) + " (tier 1)", demo_email(TECHNICIANS[0][0])),
            (_role_label(Role.TECHNICIAN) + " (tier 2)", demo_email(TECHNICIANS[2][0])),
            (_role_label(Role.TECHNICIAN) + " (tier 3)", demo_email(TECHNICIANS[4][0])),
            (_role_label(Role.COORDINATOR), demo_email(COORDINATOR[0])),
            (_role_label(Role.MANAGER), demo_email(MANAGER[0])),
        ]
        for label, email in rows:
            self.stdout.write(f"    {label:<22} {email}")
        self.stdout.write("  The manager logs in with a second factor: the first login sets up an authenticator app.")

    def load_tickets(
        self, *, rng: random.Random, employees: list[Employee], devices: list[Device], categories: list[Category]
    ) -> int:
        """Create the demo tickets through the ticket services, back-dated over the last five weeks."""
        users = {user.email: user for user in User.objects.filter(email__endswith="@" + DEMO_DOMAIN)}
        coordinator = users[demo_email(COORDINATOR[0])]
        technicians = {
            tier: [users[demo_email(first)] for first, _last, t, _skills in TECHNICIANS if t == tier]
            for tier in (1, 2, 3)
        }
        category_by_name = {category.name: category for category in categories}
        devices_of: dict[int, Device] = {}
        for device in devices:
            if device.assigned_to_id:
                devices_of.setdefault(device.assigned_to_id, device)
        people = [employee for employee in employees if employee.is_active]
        start = timezone.now() - timedelta(days=35)
        count = 0
        first_of_category: dict = {}
        codes = [code for code, _weight in RESOLUTION_CODES]
        code_weights = [weight for _code, weight in RESOLUTION_CODES]
        for index, (subject, category_name, stage, tier) in enumerate(DEMO_TICKETS):
            # The requesters with logins report most; recent tickets are the open ones.
            employee = people[index % 3] if index % 2 == 0 else rng.choice(people)
            opened = start + timedelta(days=35 * index / len(DEMO_TICKETS), hours=rng.randint(0, 6))
            if stage in ("new", "assigned", "in_progress", "waiting_requester", "waiting_vendor"):
                opened = timezone.now() - timedelta(hours=rng.randint(1, 72))
            step = iter(opened + timedelta(minutes=20 * n) for n in range(1, 50))
            requester_user = employee.user
            impact, urgency = rng.choice([(3, 2), (3, 1), (2, 2), (2, 1), (1, 1), (3, 3)])
            common: dict[str, Any] = {
                "requester": employee,
                "subject": subject,
                "description": subject + ".",
                "category": category_by_name[category_name],
                "device": devices_of.get(employee.pk),
                "impact": impact,
                "urgency": urgency,
                "now": opened,
            }
            if requester_user is not None:
                ticket = ticket_services.ticket_create(by=requester_user, **common)
            else:
                ticket = ticket_services.ticket_log_call(by=coordinator, **common)
            count += 1
            first_of_category.setdefault(category_name, ticket)
            if stage == "new":
                continue
            if stage == "cancelled":
                # The repeated printer report is a duplicate of the first one; the others are withdrawn.
                duplicate_of = first_of_category.get(category_name) if "again" in subject else None
                ticket_services.ticket_cancel(
                    ticket=ticket,
                    by=coordinator,
                    note="Duplicate or not a problem.",
                    duplicate_of=duplicate_of,
                    now=next(step),
                )
                continue
            if tier > 1:
                ticket = ticket_services.ticket_triage(
                    ticket=ticket,
                    by=coordinator,
                    category=ticket.category,
                    impact=ticket.impact,
                    urgency=ticket.urgency,
                    tier=tier,
                    now=next(step),
                )
            technician = rng.choice(technicians[tier])
            ticket = ticket_services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician, now=next(step))
            if stage == "assigned":
                continue
            ticket = ticket_services.ticket_start(ticket=ticket, by=technician, now=next(step))
            ticket_services.comment_add(
                ticket=ticket, by=technician, body="Thanks, I am looking at it now.", now=next(step)
            )
            if stage == "in_progress":
                ticket_services.comment_add(
                    ticket=ticket,
                    by=technician,
                    body="Checked the logs; nothing obvious yet.",
                    is_internal=True,
                    now=next(step),
                )
                continue
            if stage == "waiting_requester":
                ticket_services.ticket_set_waiting(
                    ticket=ticket,
                    by=technician,
                    on="requester",
                    note="When does it happen? A photo would help.",
                    now=next(step),
                )
                continue
            if stage == "waiting_vendor":
                ticket_services.ticket_set_waiting(
                    ticket=ticket, by=technician, on="vendor", note="Part ordered from the vendor.", now=next(step)
                )
                continue
            ticket_services.ticket_log_time(
                ticket=ticket, by=technician, minutes=rng.choice([10, 15, 30, 45]), now=next(step)
            )
            ticket = ticket_services.ticket_resolve(
                ticket=ticket,
                by=technician,
                resolution_notes="Fixed: see the steps in the timeline.",
                resolution_code=rng.choices(codes, weights=code_weights)[0],
                now=next(step),
            )
            if stage == "closed" and requester_user is not None:
                ticket_services.ticket_confirm(ticket=ticket, by=requester_user, now=next(step))
            elif stage == "closed":
                ticket_services.ticket_close(ticket=ticket, by=coordinator, now=next(step))
        _as_history()
        return count

    def load(self, *, size: int, rng: random.Random) -> dict[str, int]:
        password = make_password(DEMO_PASSWORD)
        today = date.today()  # noqa: DTZ011 - a calendar date for purchase and warranty dates

        # Office hours with Swedish public holidays, and a service level per priority (managers edit both).
        BusinessCalendar.objects.create(
            name="Office hours",
            name_translations=name_translations("Office hours"),
            time_zone=settings.TIME_ZONE,
            country="SE",
            is_default=True,
        )
        SlaPolicy.objects.bulk_create(
            [
                SlaPolicy(priority=priority, first_response_minutes=response, resolution_minutes=resolution, **actions)
                for priority, response, resolution, actions in SLA_POLICIES
            ]
        )
        children = categories_create()
        category_by_name = {category.name: category for category in children}

        # A small company: the first departments of the shared table.
        departments = Department.objects.bulk_create(
            [Department(name=name, name_translations=name_translations(name)) for name in DEPARTMENTS[:3]]
        )
        locations = Location.objects.bulk_create(
            [
                Location(
                    site=site, building=building, floor=floor, room=room, name_translations=name_translations(site)
                )
                for site, building, floor, room in LOCATIONS
            ]
        )

        def user(first: str, last: str, role: str) -> User:
            return User(email=demo_email(first), first_name=first, last_name=last, role=role, password=password)

        people = [user(first, last, Role.REQUESTER) for first, last in REQUESTERS]
        technicians = [user(first, last, Role.TECHNICIAN) for first, last, _tier, _skills in TECHNICIANS]
        staff_users = [*technicians, user(*COORDINATOR, Role.COORDINATOR), user(*MANAGER, Role.MANAGER)]
        User.objects.bulk_create(people + staff_users)

        profiles = TechnicianProfile.objects.bulk_create(
            [
                TechnicianProfile(user=account, tier=tier, capacity=8 + 2 * tier, is_available=index != 1)
                for index, (account, (_first, _last, tier, _skills)) in enumerate(
                    zip(technicians, TECHNICIANS, strict=True)
                )
            ]
        )
        Skill = TechnicianProfile.skills.through
        Skill.objects.bulk_create(
            [
                Skill(technicianprofile_id=profile.pk, category_id=category_by_name[name].pk)
                for profile, (_f, _l, _t, skills) in zip(profiles, TECHNICIANS, strict=True)
                for name in skills
            ]
        )

        # Staff: the requesters with logins first, then people known to the desk only by name.
        employee_count = 30 * size
        employees = []
        for index in range(employee_count):
            if index < len(people):
                first, last = people[index].first_name, people[index].last_name
                email, account = people[index].email, people[index]
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                email, account = employee_email(first, last, index), None
            employees.append(
                Employee(
                    first_name=first,
                    last_name=last,
                    email=email,
                    employee_number=f"E{1000 + index:05d}",
                    phone=f"+46 8 555 {index:04d}",
                    job_title=rng.choice(JOB_TITLES),
                    department=departments[index % len(departments)],
                    location=locations[0] if index % 4 else locations[1],
                    is_active=index % 29 != 28,
                    user=account,
                )
            )
        Employee.objects.bulk_create(employees, batch_size=2000)
        for department, head in zip(departments, employees[3:], strict=False):
            department.manager = head
        Department.objects.bulk_update(departments, ["manager"])

        # Devices: a few models, most in use; a few models (the first ones) far more common than others.
        device_count = 40 * size
        weights = [common for _kind, _maker, _model, _system, common, _fragile in DEVICE_MODELS]
        failing = next(row for row in DEVICE_MODELS if row[2] == FAILING_MODEL)
        devices = []
        for index in range(device_count):
            kind, maker, model, system, _common, _fragile = rng.choices(DEVICE_MODELS, weights=weights)[0]
            if index % 10 == 5:
                # The model the story has failing is always among the desks' laptops.
                kind, maker, model, system, _common, _fragile = failing
            purchased = today - timedelta(days=rng.randint(30, 5 * 365))
            in_use = index < len(employees) and employees[index].is_active and kind != DeviceType.PRINTER
            devices.append(
                Device(
                    asset_tag=f"AT-{10000 + index}",
                    serial_number=f"{maker[:2].upper()}{rng.randrange(10**9):09d}",
                    device_type=kind,
                    manufacturer=maker,
                    model=model,
                    operating_system=system,
                    purchase_date=purchased,
                    warranty_end=purchased + timedelta(days=3 * 365),
                    status=DeviceStatus.IN_USE
                    if in_use
                    else rng.choice([DeviceStatus.IN_STOCK, DeviceStatus.IN_REPAIR]),
                    assigned_to=employees[index] if in_use else None,
                    location=employees[index].location if in_use else locations[0],
                )
            )
        Device.objects.bulk_create(devices, batch_size=2000)
        DeviceAssignment.objects.bulk_create(
            [
                DeviceAssignment(
                    device=device, employee=device.assigned_to, started_at=_morning_of(device.purchase_date or today)
                )
                for device in devices
                if device.assigned_to is not None
            ],
            batch_size=2000,
        )
        history = History(rng=rng, now=timezone.now(), employees=employees, devices=devices, categories=children)
        past = history.write()
        tickets = self.load_tickets(rng=rng, employees=employees, devices=devices, categories=children)
        # The history was written around the services: count it in the solved tally and the reports' rollups.
        tally.rebuild()
        failures.mark_all()
        search.fill()
        search.fill_comments()
        quiet(recount.logger, lambda: recount.recount(fix=True))  # every row "differs": none was written yet
        articles = articles_write(author=technicians[0], categories=category_by_name)
        coordinator = User.objects.get(email=demo_email(COORDINATOR[0]))
        work = technicians_day_write(coordinator=coordinator, technician=technicians[0])
        sessions = training_write(
            coordinator=coordinator,
            trainer=technicians[0],
            requester=User.objects.get(email=demo_email(REQUESTERS[0][0])),
        )
        _as_history()
        held = held_mail_write()
        return {
            "tickets": past + tickets,
            "help articles": articles,
            "canned replies, visits, repairs, known problems and schedules": work,
            "training sessions": sessions,
            "held mails": held,
            "categories": len({child.parent_id for child in children}) + len(children),
            "departments": len(departments),
            "locations": len(locations),
            "employees": len(employees),
            "devices": len(devices),
            "logins": len(people) + len(staff_users),
        }


# Demo tickets: (subject, category, how far along, tier). They go through the same services as the web
# pages, back-dated, so their timelines, events and timestamps are those a real desk would have.
DEMO_TICKETS = [
    ("Printer on floor 2 jams on every page", "Printer", "new", 1),
    ("Cannot log in after password change", "Password", "new", 1),
    ("Outlook keeps asking for my password", "Email", "new", 1),
    ("Second monitor stays black", "Monitor", "new", 1),
    ("VPN drops every ten minutes from home", "VPN", "new", 2),
    ("Need access to the finance share", "Permissions", "assigned", 1),
    ("Laptop fan is very loud", "Laptop", "assigned", 1),
    ("Wi-Fi in meeting room 214 is slow", "Wi-Fi", "assigned", 2),
    ("Excel crashes when opening large files", "Office", "assigned", 1),
    ("New starter on Monday needs an account", "New starter", "in_progress", 1),
    ("Laptop does not charge", "Laptop", "in_progress", 2),
    ("Network port at desk 12 is dead", "Cabling", "in_progress", 3),
    ("Shared mailbox missing in Outlook", "Email", "in_progress", 1),
    ("Blue screen after the update", "Operating system", "in_progress", 3),
    ("Desktop very slow in the mornings", "Desktop", "in_progress", 1),
    ("Scanner sends to the wrong folder", "Printer", "waiting_requester", 1),
    ("Phone does not sync the calendar", "Phone", "waiting_requester", 1),
    ("Which Wi-Fi should guests use?", "Wi-Fi", "waiting_requester", 1),
    ("Replacement battery ordered", "Laptop", "waiting_vendor", 2),
    ("Printer needs a new fuser unit", "Printer", "waiting_vendor", 2),
    ("Forgot my password", "Password", "resolved", 1),
    ("Teams camera not found", "Laptop", "resolved", 1),
    ("Cannot print in colour", "Printer", "resolved", 1),
    ("Mailbox full", "Email", "resolved", 1),
    ("Internet down in the warehouse", "Internet access", "resolved", 3),
    ("Keyboard keys stick", "Desktop", "resolved", 1),
    ("Locked out after holiday", "Password", "closed", 1),
    ("Monitor flickers", "Monitor", "closed", 1),
    ("Install the new VPN client", "VPN", "closed", 2),
    ("Printer offline", "Printer", "closed", 1),
    ("Office asks for activation", "Office", "closed", 1),
    ("Cable tidy for the new desks", "Cabling", "closed", 3),
    ("Phone screen cracked", "Phone", "closed", 1),
    ("Lost access to the sales folder", "Permissions", "closed", 2),
    ("Laptop will not boot", "Laptop", "closed", 2),
    ("Wi-Fi password for the new office", "Wi-Fi", "closed", 1),
    ("Printer jams again (same as last week)", "Printer", "cancelled", 1),
    ("Test, please ignore", "Email", "cancelled", 1),
    ("Cannot log in", "Password", "cancelled", 1),
]


def _as_history() -> None:
    """The demo's history happened before the desk was switched on: nobody is mailed about it."""
    Notification.objects.exclude(status=NotificationStatus.SENT).update(status=NotificationStatus.SENT)
    Notification.objects.filter(channel="in_app").update(read_at=timezone.now())


def _role_label(role: str) -> str:
    return str(Role(role).label)


def _morning_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))
