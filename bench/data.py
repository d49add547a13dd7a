"""The benchmark organisation: a help desk after three years, loaded fast into an empty database.

Small tables (categories, departments, locations, users, employees, devices) go in with bulk_create;
the three big ones (tickets, events, comments) with COPY from generated text, in chunks, with their
secondary indexes and foreign keys dropped for the load and rebuilt (and so re-checked) afterwards, all
in one transaction: a failed load leaves an empty database, never a half-indexed one.

Skewed like a real desk: a few people ask far more (Zipf-like weights over employees), a few device
models and a few devices break far more, most old tickets are closed and most open ones are recent.
Timestamps agree with each other: events in order, resolved before closed, updated_at the last change.

Only the columns named here are filled; columns other issues add must be nullable or have a database
default, or a constant Python default (which is then copied in, read from the model).
"""

import io
import json
import math
import random
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Role, TechnicianProfile, Tier, User
from assets.models import Department, Device, DeviceAssignment, DeviceStatus, DeviceType, Employee, Location
from tickets import tally
from tickets.models import Category, Comment, Event, Project, ProjectStatus, Ticket
from tickets.priority import priority_for

BENCH_PASSWORD = "bench-password"  # noqa: S105 - every bench login; the bench database is throwaway
DOMAIN = "bench.example"
PERSONAS = {
    "requester": f"requester@{DOMAIN}",  # asks more than anyone else
    "requester_light": f"requester.light@{DOMAIN}",  # asks rarely: the query-count growth check
    "technician": f"technician@{DOMAIN}",  # tier 1, a full queue, the long ticket
    "technician_light": f"technician.light@{DOMAIN}",
    "coordinator": f"coordinator@{DOMAIN}",
}
LONG_TICKET_SUBJECT = "Bench: the laptop that keeps crashing (long history)"
LONG_TICKET_EVENTS = 200
PERSONA_OPEN_TICKETS = 20  # open tickets always held by the technician persona, whatever the scale

DAY = 86400
HOUR = 3600
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

CATEGORIES = {
    "Hardware": ["Laptop", "Desktop", "Monitor", "Printer", "Phone", "Docking station"],
    "Software": ["Email", "Office", "VPN", "Operating system", "Business apps"],
    "Network": ["Wi-Fi", "Cabling", "Internet access"],
    "Access": ["Password", "Permissions", "New starter", "Leaver"],
}
# How often each leaf comes up; passwords and email far more than cabling.
PROJECT_KINDS = ["Move to building", "Network cabling in", "Laptop roll-out in", "New printers in"]
PROJECT_SHARE = 0.05  # of the tickets raised while a project runs, at most
CATEGORY_WEIGHTS = {
    "Laptop": 12, "Desktop": 4, "Monitor": 3, "Printer": 9, "Phone": 4, "Docking station": 4,
    "Email": 10, "Office": 7, "VPN": 7, "Operating system": 5, "Business apps": 6,
    "Wi-Fi": 6, "Cabling": 1, "Internet access": 3,
    "Password": 14, "Permissions": 6, "New starter": 3, "Leaver": 2,
}  # fmt: skip
SUBJECTS = {
    "Laptop": ["Laptop will not start", "Laptop battery drains in an hour", "Laptop fan is very loud",
               "Blue screen on the laptop", "Laptop keyboard keys stuck", "Laptop overheats in meetings"],
    "Desktop": ["Desktop restarts by itself", "Computer very slow since the update", "PC does not power on"],
    "Monitor": ["Second screen not detected", "Monitor flickers", "Screen stays black after sleep"],
    "Printer": ["Printer jams on every job", "Printer shows offline", "Toner empty on floor 2 printer",
                "Cannot scan to email", "Printouts come out blank"],
    "Phone": ["Phone does not sync mail", "Cracked phone screen", "Phone cannot join the Wi-Fi"],
    "Docking station": ["Docking station does not charge", "No picture through the docking station"],
    "Email": ["Mailbox full", "Outlook keeps asking for the password", "Mail stuck in the outbox",
              "Shared mailbox missing", "Calendar invitations not arriving"],
    "Office": ["Excel crashes when opening a file", "Word document will not save", "Teams has no sound"],
    "VPN": ["VPN disconnects every few minutes", "Cannot connect to the VPN from home", "VPN very slow"],
    "Operating system": ["Update fails to install", "Login takes ten minutes", "Disk almost full"],
    "Business apps": ["ERP report times out", "Cannot log in to the CRM", "Invoice app shows an error"],
    "Wi-Fi": ["Wi-Fi drops in meeting room", "No Wi-Fi in the warehouse", "Guest Wi-Fi does not work"],
    "Cabling": ["Network socket dead", "Cable needed for new desk"],
    "Internet access": ["Web pages very slow", "Site blocked by the proxy"],
    "Password": ["Forgot my password", "Account locked", "Password expired while travelling"],
    "Permissions": ["Need access to the finance share", "Cannot open the project folder", "Admin rights"],
    "New starter": ["Set up accounts for a new colleague", "Laptop for a new starter"],
    "Leaver": ["Remove access for a leaver", "Collect equipment from a leaver"],
}  # fmt: skip
FIRST_NAMES = [
    "Anna", "Björn", "Åsa", "Lars", "Ingrid", "Øystein", "Sølvi", "Katarzyna", "Łukasz", "Zofia",
    "Małgorzata", "Jan", "Sofie", "Pieter", "Lotte", "Javier", "Lucía", "María", "Erik", "Karin",
    "Mikael", "Håkan", "Agnieszka", "Paweł", "Noor", "Daan", "Emma", "Oskar", "Nils", "Aino",
]  # fmt: skip
LAST_NAMES = [
    "Lindqvist", "Åberg", "Ødegård", "Nowak", "Wiśniewska", "Kowalski", "de Vries", "Jansen",
    "García", "Martínez", "Johansson", "Berg", "Hansen", "Strand", "Zieliński", "Bakker",
    "Svensson", "Olsen", "Lewandowski", "Visser", "Fernández", "Nilsson", "Dahl", "Mulder",
]  # fmt: skip
JOB_TITLES = ["Accountant", "Sales representative", "Logistics planner", "Team lead", "Analyst", "Assistant"]
DEPARTMENTS = [
    "Finance", "Sales", "Operations", "Logistics", "Human resources", "Marketing", "Legal", "Purchasing",
    "Customer service", "Research", "Production", "Quality", "Facilities", "Management", "IT",
]  # fmt: skip
SITES = [("HQ", ["A", "B", "C"]), ("Warehouse", ["North", "South"]), ("Oslo office", ["1"]), ("Kraków", ["K1"])]
# (type, maker, model, OS, how common, how fragile): a few models break far more often than others.
DEVICE_MODELS = [
    (DeviceType.LAPTOP, "Lenovo", "ThinkPad T14 Gen 4", "Windows 11", 30, 1.0),
    (DeviceType.LAPTOP, "Dell", "Latitude 5440", "Windows 11", 20, 2.5),
    (DeviceType.LAPTOP, "Apple", "MacBook Air M2", "macOS 14", 10, 0.6),
    (DeviceType.LAPTOP, "HP", "ProBook 450 G8", "Windows 10", 8, 4.0),
    (DeviceType.DESKTOP, "HP", "EliteDesk 800 G9", "Windows 11", 12, 1.0),
    (DeviceType.MONITOR, "Dell", "P2723DE", "", 14, 0.3),
    (DeviceType.PRINTER, "Brother", "HL-L6210DW", "", 2, 8.0),
    (DeviceType.PRINTER, "Kyocera", "ECOSYS M3655", "", 1, 12.0),
    (DeviceType.PHONE, "Apple", "iPhone 14", "iOS 17", 10, 0.8),
    (DeviceType.NETWORK, "Cisco", "Catalyst 9120 AP", "", 1, 3.0),
]
DEVICE_CATEGORY: dict[str, str] = {
    DeviceType.LAPTOP: "Laptop",
    DeviceType.DESKTOP: "Desktop",
    DeviceType.MONITOR: "Monitor",
    DeviceType.PRINTER: "Printer",
    DeviceType.PHONE: "Phone",
    DeviceType.NETWORK: "Wi-Fi",
}
RESOLUTION_CODES = [("fixed", 55), ("workaround", 12), ("user_training", 12), ("hardware_replaced", 8),
                    ("no_fault_found", 8), ("other", 5)]  # fmt: skip
RESOLUTION_NOTES = [
    "Restarted the service and confirmed with the user.",
    "Replaced the faulty part; tested for an hour.",
    "Reset the password and walked the user through the self-service page.",
    "Reinstalled the driver from the vendor's site.",
    "Cleared the cached credentials; works again.",
    "Applied the known workaround from the knowledge base.",
]
COMMENTS_STAFF = [
    "Could you restart the machine and tell me if it still happens?",
    "I am looking at it now.",
    "I have ordered a replacement; it should arrive in two days.",
    "Please try again now and let me know.",
]
COMMENTS_REQUESTER = [
    "It still happens after a restart.",
    "Thanks, that worked!",
    "I attached a screenshot of the error.",
    "When can someone come by?",
]
NOTES_INTERNAL = ["Same as last month on this model.", "Vendor case opened.", "Checked the logs: disk errors."]

# Wall-clock targets per priority (first response, resolution), in hours: close enough for due times.
SLA_HOURS = {1: (1, 4), 2: (4, 24), 3: (8, 72), 4: (24, 120)}
# Median resolution time per priority, in hours.
RESOLVE_HOURS = {1: 3, 2: 8, 3: 24, 4: 48}
FIRST_ACTION_HOURS = {1: 0.15, 2: 0.5, 3: 2, 4: 4}


@dataclass(frozen=True)
class Scale:
    tickets: int
    employees: int
    devices: int
    technicians: int = 60
    coordinators: int = 4
    years: int = 3
    projects: int = 3

    @classmethod
    def for_tickets(cls, tickets: int) -> "Scale":
        """10,000 employees and 20,000 devices for a million tickets; fewer, in proportion, for small runs."""
        employees = max(300, min(10_000, tickets // 100))
        return cls(tickets=tickets, employees=employees, devices=2 * employees, projects=max(3, tickets // 20_000))


@dataclass
class LoadSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _ts(seconds: float) -> str:
    return (EPOCH + timedelta(seconds=seconds)).isoformat()


def _day_start(day) -> float:
    return datetime.combine(day, datetime.min.time(), UTC).timestamp()


def _cumulative(weights) -> list[float]:
    return list(accumulate(weights))


class _Picker:
    """Weighted choices with precomputed cumulative weights: fast enough for millions of draws."""

    def __init__(self, rng: random.Random, items, weights):
        self.rng = rng
        self.items = list(items)
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]

    def one(self):
        return self.items[bisect_left(self.cum, self.rng.random() * self.total)]


def _zipf_weights(count: int, offset: float, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank + offset) ** exponent for rank in range(count)]


# --- COPY helpers ------------------------------------------------------------------------------


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _constant_columns(model: type[models.Model], filled: list[str]) -> tuple[list[str], str]:
    """Columns of `model` the loader does not fill that still need a value in COPY.

    Nullable columns and columns with a database default are left to the database. A NOT NULL column
    with a Python default gets that default, read from the model, in every row.
    """
    names, values = [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column in filled or model_field.null:
            continue
        if getattr(model_field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
            continue
        if not model_field.has_default():
            raise RuntimeError(
                f"{model.__name__}.{model_field.name} is NOT NULL without a default: bench/data.py must fill it."
            )
        names.append(column)
        values.append(_copy_value(model_field.get_default()))
    return names, "".join("\t" + value for value in values)


class _Copier:
    def __init__(self, cursor, model: type[models.Model], columns: list[str]):
        extra, self.suffix = _constant_columns(model, columns)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(name) for name in [*columns, *extra])
        self.sql = f"COPY {table} ({names}) FROM STDIN"
        self.cursor = cursor
        self.rows = 0

    def copy(self, lines: list[str]) -> None:
        if not lines:
            return
        if self.suffix:
            lines = [line + self.suffix for line in lines]
        data = ("\n".join(lines) + "\n").encode()
        self.cursor.copy_expert(self.sql, io.BytesIO(data))
        self.rows += len(lines)


def _secondary_indexes_and_foreign_keys(cursor, tables: list[str]) -> tuple[list[tuple], list[tuple]]:
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
        """,
        [tables],
    )
    return indexes, cursor.fetchall()


# --- the organisation --------------------------------------------------------------------------


class _Organisation:
    """Everything but the tickets: built with the ORM (thousands of rows, seconds)."""

    def __init__(self, scale: Scale, rng: random.Random, now: datetime):
        self.scale = scale
        self.rng = rng
        self.now = now

    def build(self, password: str) -> None:
        rng, scale, now = self.rng, self.scale, self.now
        parents = {name: Category.objects.create(name=name) for name in CATEGORIES}
        leaves = Category.objects.bulk_create(
            [Category(name=child, parent=parents[parent]) for parent, kids in CATEGORIES.items() for child in kids]
        )
        self.categories = {c.name: c for c in leaves}
        self.category_label = {c.pk: f"{c.parent.name} > {c.name}" if c.parent else c.name for c in leaves}

        departments = Department.objects.bulk_create([Department(name=name) for name in DEPARTMENTS])
        locations = Location.objects.bulk_create(
            [
                Location(site=site, building=building, floor=str(floor), room=f"{floor}{room:02d}")
                for site, buildings in SITES
                for building in buildings
                for floor in range(1, 4)
                for room in range(1, 3)
            ]
        )

        def login(email, first, last, role):
            return User(email=email, first_name=first, last_name=last, role=role, password=password, date_joined=now)

        technicians = [login(PERSONAS["technician"], "Tess", "Bench", Role.TECHNICIAN)]
        technicians.append(login(PERSONAS["technician_light"], "Tomasz", "Bench", Role.TECHNICIAN))
        for index in range(2, scale.technicians):
            first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]
            technicians.append(login(f"tech{index}@{DOMAIN}", first, last, Role.TECHNICIAN))
        coordinators = [login(PERSONAS["coordinator"], "Cora", "Bench", Role.COORDINATOR)]
        for index in range(1, scale.coordinators):
            coordinators.append(login(f"coordinator{index}@{DOMAIN}", "Coordinator", str(index), Role.COORDINATOR))
        manager = login(f"manager@{DOMAIN}", "Max", "Bench", Role.MANAGER)
        User.objects.bulk_create([*technicians, *coordinators, manager], batch_size=1000)

        # Tiers: most technicians are first line. The personas are tier 1.
        tiers = [Tier.ONE, Tier.ONE] + [
            Tier.ONE if i < 0.6 * scale.technicians else Tier.TWO if i < 0.87 * scale.technicians else Tier.THREE
            for i in range(2, scale.technicians)
        ]
        del tiers[scale.technicians :]
        profiles = TechnicianProfile.objects.bulk_create(
            [
                TechnicianProfile(user=user, tier=tier, capacity=15 + 5 * tier, is_available=index % 17 != 5)
                for index, (user, tier) in enumerate(zip(technicians, tiers, strict=True))
            ]
        )
        skill = TechnicianProfile.skills.through
        leaf_ids = [c.pk for c in leaves]
        skill.objects.bulk_create(
            [
                skill(technicianprofile_id=profile.pk, category_id=category_id)
                for profile in profiles
                for category_id in rng.sample(leaf_ids, rng.randint(3, 7))
            ]
        )
        self.technicians = technicians
        self.tech_tier = {user.pk: tier for user, tier in zip(technicians, tiers, strict=True)}
        self.coordinators = coordinators

        # Employees: rank 0 asks most (Zipf). Every third has a login; rank 0 is the requester persona.
        employees, requester_users = [], []
        light_rank = (scale.employees - 1) // 3 * 3
        for index in range(scale.employees):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if index == 0:
                email, first, last = PERSONAS["requester"], "Rita", "Bench"
            elif index == light_rank:
                email, first, last = PERSONAS["requester_light"], "Ravi", "Bench"
            else:
                email = f"e{index}@{DOMAIN}"
            user = None
            if index % 3 == 0:
                user = login(email, first, last, Role.REQUESTER)
                requester_users.append(user)
            employees.append(
                Employee(
                    first_name=first,
                    last_name=last,
                    email=email,
                    employee_number=f"B{index:06d}",
                    phone=f"+46 8 555 {index:05d}",
                    job_title=rng.choice(JOB_TITLES),
                    department=departments[index % len(departments)],
                    location=locations[index % len(locations)],
                    is_active=index % 41 != 40,
                    user=user,
                )
            )
        User.objects.bulk_create(requester_users, batch_size=2000)
        for employee in employees:
            if employee.user is not None:
                employee.user_id = employee.user.pk
        Employee.objects.bulk_create(employees, batch_size=2000)
        self.employees = employees

        # Devices: most personal devices in use by someone; printers and access points shared.
        model_picker = _Picker(rng, range(len(DEVICE_MODELS)), [m[4] for m in DEVICE_MODELS])
        devices = []
        today = now.date()
        for index in range(scale.devices):
            kind, maker, model, system, _common, _fragile = DEVICE_MODELS[model_picker.one()]
            purchased = today - timedelta(days=rng.randint(30, 5 * 365))
            shared = kind in (DeviceType.PRINTER, DeviceType.NETWORK)
            holder = None if shared or index >= 1.7 * scale.employees else employees[index % scale.employees]
            in_use = holder is not None and holder.is_active
            devices.append(
                Device(
                    asset_tag=f"BA-{100000 + index}",
                    serial_number=f"{maker[:2].upper()}{rng.randrange(10**9):09d}",
                    device_type=kind,
                    manufacturer=maker,
                    model=model,
                    operating_system=system,
                    purchase_date=purchased,
                    warranty_end=purchased + timedelta(days=3 * 365),
                    status=DeviceStatus.IN_USE if in_use or shared else DeviceStatus.IN_STOCK,
                    assigned_to=holder if in_use else None,
                    location=locations[index % len(locations)],
                )
            )
        Device.objects.bulk_create(devices, batch_size=2000)
        DeviceAssignment.objects.bulk_create(
            [
                DeviceAssignment(
                    device=d, employee=d.assigned_to, started_at=now - timedelta(days=rng.randint(30, 900))
                )
                for d in devices
                if d.assigned_to is not None
            ],
            batch_size=2000,
        )
        self.devices = devices
        self.device_of: dict[int, Device] = {}
        for device in devices:
            if device.assigned_to is not None:
                self.device_of.setdefault(device.assigned_to.pk, device)
        fragility = {m[2]: m[5] for m in DEVICE_MODELS}
        # A few devices are lemons: per-device Zipf on top of the model's fragility.
        lemons = _zipf_weights(len(devices), offset=20, exponent=0.9)
        rng.shuffle(lemons)
        self.device_picker = _Picker(
            rng, devices, [fragility[d.model] * w for d, w in zip(devices, lemons, strict=True)]
        )
        self.requester_picker = _Picker(rng, employees, _zipf_weights(len(employees), offset=50))

        # Projects: a move, a cabling job or a roll-out every few weeks, each a few weeks long; the tickets
        # raised during one are sometimes filed under it (_TicketWriter.ticket).
        projects = []
        first_day = (now - timedelta(days=scale.years * 365)).date()
        for index in range(scale.projects):
            starts = first_day + timedelta(days=rng.randint(0, scale.years * 365 - 14))
            ends = starts + timedelta(days=rng.randint(14, 60))
            location = locations[index % len(locations)]
            kind = PROJECT_KINDS[index % len(PROJECT_KINDS)]
            projects.append(
                Project(
                    name=f"{kind} {location.building} ({starts:%b %Y})",
                    project_manager=employees[(index * 7 + 1) % len(employees)],
                    facilities_contact=employees[(index * 11 + 2) % len(employees)] if index % 2 else None,
                    location=location,
                    starts_on=starts,
                    ends_on=ends,
                    status=ProjectStatus.DONE if ends < today else ProjectStatus.ACTIVE,
                    created_by=coordinators[index % len(coordinators)],
                    created_at=now - timedelta(days=(today - starts).days + 7),
                )
            )
        Project.objects.bulk_create(projects)
        self.project_windows = [
            (_day_start(project.starts_on), _day_start(project.ends_on) + DAY, project.pk) for project in projects
        ]


# --- tickets, events, comments -----------------------------------------------------------------


class _TicketWriter:
    def __init__(self, org: _Organisation, rng: random.Random, now: datetime, cursor):
        self.org, self.rng = org, rng
        self.now = now.timestamp()
        self.start = self.now - org.scale.years * 365 * DAY
        self.tickets = _Copier(cursor, Ticket, TICKET_COLUMNS)
        self.events = _Copier(cursor, Event, EVENT_COLUMNS)
        self.comments = _Copier(cursor, Comment, COMMENT_COLUMNS)
        self.ticket_id = self._next_id(cursor, Ticket)
        self.event_id = self._next_id(cursor, Event)
        self.comment_id = self._next_id(cursor, Comment)
        categories = org.categories
        self.category_picker = _Picker(rng, [categories[name] for name in CATEGORY_WEIGHTS], CATEGORY_WEIGHTS.values())
        self.channel_picker = _Picker(rng, ["web", "email", "phone", "api"], [55, 30, 13, 2])
        self.impact_picker = _Picker(rng, [3, 2, 1], [70, 22, 8])
        self.urgency_picker = _Picker(rng, [1, 2, 3], [20, 55, 25])
        self.tier_picker = _Picker(rng, [1, 2, 3], [75, 18, 7])
        self.code_picker = _Picker(rng, [c for c, _w in RESOLUTION_CODES], [w for _c, w in RESOLUTION_CODES])
        self.comment_count_picker = _Picker(rng, [0, 1, 2, 3, 4, 5], [15, 25, 25, 18, 10, 7])
        by_tier: dict[int, list[User]] = {1: [], 2: [], 3: []}
        for user in org.technicians:
            by_tier[org.tech_tier[user.pk]].append(user)
        # Some technicians carry far more than others.
        self.tech_pickers = {
            tier: _Picker(rng, users, _zipf_weights(len(users), offset=3, exponent=0.7))
            for tier, users in by_tier.items()
            if users
        }
        self.person = {u.pk: json.dumps(_person(u)) for u in [*org.technicians, *org.coordinators]}
        self.no_one = json.dumps(_person(None))
        self.subjects = {c.pk: SUBJECTS[c.name] for c in categories.values()}
        self.labels = org.category_label
        self.counts = {"tickets": 0, "events": 0, "comments": 0}

    @staticmethod
    def _next_id(cursor, model) -> int:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cursor.fetchone()[0]

    # One ticket's whole life, as COPY lines appended to the three buffers.
    def ticket(self, buffers, created: float, *, forced: dict | None = None) -> int:
        rng, org = self.rng, self.org
        forced = forced or {}
        tid = self.ticket_id
        self.ticket_id += 1
        requester = forced.get("requester") or org.requester_picker.one()
        requester_user = requester.user_id
        channel = self.channel_picker.one()
        if channel == "web" and requester_user is None:
            channel = "email"
        coordinator = rng.choice(org.coordinators)
        created_by = requester_user if channel == "web" else coordinator.pk if channel == "phone" else None
        roll = rng.random()
        device = None
        if roll < 0.55:
            device = org.device_of.get(requester.pk)
        elif roll < 0.8:
            device = org.device_picker.one()
        if device is not None and rng.random() < 0.7 and device.device_type in DEVICE_CATEGORY:
            category = org.categories[DEVICE_CATEGORY[device.device_type]]
        else:
            category = self.category_picker.one()
        impact, urgency = self.impact_picker.one(), self.urgency_picker.one()
        priority = priority_for(impact, urgency)
        overridden = rng.random() < 0.02
        if overridden:
            priority = max(1, priority - 1)
        tier = forced.get("tier") or self.tier_picker.one()
        status = forced.get("status") or self._status(self.now - created)
        subject = forced.get("subject") or rng.choice(self.subjects[category.pk])
        if device is not None and rng.random() < 0.3 and "subject" not in forced:
            subject = f"{subject} ({device.model})"
        if status == "new" and rng.random() < 0.6:
            category = None  # type: ignore[assignment]  # not triaged yet
        project = None
        if rng.random() < PROJECT_SHARE:
            running = [pk for starts, ends, pk in org.project_windows if starts <= created <= ends]
            project = rng.choice(running) if running else None

        events: list[tuple] = []  # (at, kind, action, actor, old, new, note, is_public)
        comments: list[tuple] = []  # (at, author, body, is_internal)
        first_at = min(created + rng.expovariate(1 / (FIRST_ACTION_HOURS[priority] * HOUR)), self.now)
        created_actor = created_by if channel != "email" else None
        events.append(
            (created, "created", "", created_actor, "{}",
             json.dumps({"status": "new", "channel": channel, "priority": priority,
                         "category": category.pk if category else None, "device": device.pk if device else None,
                         "attachments": 0}), "", True)
        )  # fmt: skip
        if category is not None and not forced and rng.random() < 0.25:
            events.append(
                (first_at - 1, "triaged", "triage", coordinator.pk, '{"category": null}',
                 json.dumps({"category": category.pk, "category_name": self.labels.get(category.pk, category.name)}),
                 "", False)
            )  # fmt: skip
        assignee = None
        resolved_at = closed_at = first_response_at = None
        resolution_notes = resolution_code = ""
        if status != "new" and not (status == "cancelled" and rng.random() < 0.5):
            assignee = forced.get("assignee") or self.tech_pickers[tier].one()
            old_holder = f'{{"status": "new", "assignee": {self.no_one}}}'
            if status == "assigned" or (not forced and rng.random() < 0.4):
                events.append(
                    (first_at, "assigned", "assign", coordinator.pk, old_holder,
                     f'{{"status": "assigned", "assignee": {self.person[assignee.pk]}}}', "", True)
                )  # fmt: skip
                if status != "assigned":
                    first_at = min(first_at + rng.uniform(60, 2 * HOUR), self.now)
                    events.append(
                        self._status_event(first_at, "start", assignee.pk, "assigned", "in_progress", assignee)
                    )
            else:
                events.append(self._status_event(first_at, "take", assignee.pk, "new", "in_progress", assignee))
        end = self.now
        if status in ("resolved", "closed"):
            hours = RESOLVE_HOURS[priority] * math.exp(rng.gauss(0, 0.9))
            resolved_at = min(first_at + hours * HOUR, self.now - 60)
            resolved_at = max(resolved_at, first_at)
            if status == "closed":
                if rng.random() < 0.3:
                    closed_at = min(resolved_at + rng.uniform(600, 2 * DAY), self.now)
                    closing = ("confirm", requester_user) if requester_user else ("close", None)
                else:
                    closed_at = min(resolved_at + 7 * DAY, self.now)
                    closing = ("close", None)
            resolution_code = self.code_picker.one()
            resolution_notes = rng.choice(RESOLUTION_NOTES)
            end = resolved_at
        elif status == "cancelled":
            closed_at = min(first_at + rng.uniform(600, DAY), self.now)
            end = closed_at
        elif status in ("waiting_requester", "waiting_vendor"):
            end = min(first_at + (self.now - first_at) * rng.uniform(0.3, 0.9), self.now)

        if status != "new" and status != "cancelled":
            for _index in range(forced.get("comments", self.comment_count_picker.one())):
                at = rng.uniform(first_at, end)
                if assignee is not None and (rng.random() < 0.55 or requester_user is None):
                    internal = rng.random() < 0.2
                    body = rng.choice(NOTES_INTERNAL if internal else COMMENTS_STAFF)
                    comments.append((at, assignee.pk, body, internal))
                else:
                    comments.append((at, requester_user, rng.choice(COMMENTS_REQUESTER), False))
        comments.sort(key=lambda comment: comment[0])
        for at, author, _body, internal in comments:
            if not internal and author is not None and assignee is not None and author == assignee.pk:
                first_response_at = at
                break

        holder = assignee.pk if assignee else None
        if status in ("waiting_requester", "waiting_vendor"):
            events.append(self._status_event(end, f"wait_on_{status[8:]}", holder, "in_progress", status, assignee))
        if resolved_at is not None:
            events.append(self._status_event(resolved_at, "resolve", holder, "in_progress", "resolved", assignee))
        if status == "closed":
            action, actor = closing
            events.append(self._status_event(closed_at, action, actor, "resolved", "closed", assignee))
        if status == "cancelled":
            note = "Duplicate of an earlier report."
            before = "in_progress" if assignee is not None else "new"
            events.append(self._status_event(closed_at, "cancel", coordinator.pk, before, "cancelled", assignee, note))
        # The long ticket: exactly `total_events` Event rows, counting the comments' own events.
        for index in range(max(0, forced.get("total_events", 0) - len(events) - len(comments))):
            at = first_at + (index + 1) * 600
            if index % 3 == 2:
                events.append((at, "time_logged", "log_time", holder, "{}", '{"minutes": 15}', "", False))
            else:
                waiting = index % 3 == 0
                events.append(
                    self._status_event(
                        at,
                        "wait_on_requester" if waiting else "resume",
                        holder,
                        "in_progress" if waiting else "waiting_requester",
                        "waiting_requester" if waiting else "in_progress",
                        assignee,
                    )
                )

        # COPY lines.
        event_lines, comment_lines = buffers["events"], buffers["comments"]
        for at, author, body, internal in comments:
            cid = self.comment_id
            self.comment_id += 1
            comment_lines.append(f"{cid}\t{tid}\t{_n(author)}\t{body}\t{'t' if internal else 'f'}\t{_ts(at)}")
            kind, action = ("note_added", "note") if internal else ("replied", "reply")
            events.append((at, kind, action, author, "{}", f'{{"comment": {cid}, "attachments": 0}}', "", not internal))
        events.sort(key=lambda event: event[0])
        for at, kind, action, actor, old, new, note, public in events:
            eid = self.event_id
            self.event_id += 1
            flag = "t" if public else "f"
            event_lines.append(f"{eid}\t{tid}\t{_n(actor)}\t{kind}\t{action}\t{old}\t{new}\t{note}\t{flag}\t{_ts(at)}")
        response_hours, resolution_hours = SLA_HOURS[priority]
        updated = max(event[0] for event in events)
        description = (
            f"{subject}. It started {rng.choice(['this morning', 'yesterday', 'after the update', 'last week'])}"
            f" and {rng.choice(['happens every time', 'comes and goes', 'stops me working', 'affects my team too'])}."
        )
        buffers["tickets"].append(
            "\t".join(
                (
                    str(tid),
                    subject,
                    description,
                    str(requester.pk),
                    _n(created_by),
                    channel,
                    _n(category.pk if category else None),
                    _n(device.pk if device else None),
                    str(impact),
                    str(urgency),
                    str(priority),
                    "t" if overridden else "f",
                    "Board meeting tomorrow" if overridden else "",
                    status,
                    str(tier),
                    _n(holder),
                    _ts(created + response_hours * HOUR),
                    _ts(created + resolution_hours * HOUR),
                    _ts(created),
                    _ts(updated),
                    _n(first_response_at and _ts(first_response_at)),
                    _n(resolved_at and _ts(resolved_at)),
                    _n(closed_at and _ts(closed_at)),
                    resolution_notes,
                    resolution_code,
                    str(rng.choice((10, 15, 30, 45, 60, 90, 120)) if resolved_at else 0),
                    str(len(events)),
                    _n(project),
                )
            )
        )
        self.counts["tickets"] += 1
        self.counts["events"] += len(events)
        self.counts["comments"] += len(comments)
        return tid

    def _status_event(self, at, action, actor, old, new, assignee, note=""):
        holder = self.person[assignee.pk] if assignee is not None else self.no_one
        return (
            at,
            "status_changed",
            action,
            actor,
            f'{{"status": "{old}", "assignee": {holder}}}',
            f'{{"status": "{new}", "assignee": {holder}}}',
            note,
            action != "hand_back",
        )

    def _status(self, age: float) -> str:
        """Most old tickets are closed; most open tickets are recent."""
        rng = self.rng
        days = age / DAY
        open_share = (
            0.7 if days < 1 else 0.35 if days < 3 else 0.15 if days < 7 else 0.05 if days < 14 else 0.01
            if days < 30 else 0.0005
        )  # fmt: skip
        if rng.random() < open_share:
            roll = rng.random()
            if days < 1:
                return "new" if roll < 0.35 else "assigned" if roll < 0.5 else "in_progress" if roll < 0.85 else (
                    "waiting_requester" if roll < 0.95 else "waiting_vendor")  # fmt: skip
            return "new" if roll < 0.05 else "assigned" if roll < 0.2 else "in_progress" if roll < 0.7 else (
                "waiting_requester" if roll < 0.88 else "waiting_vendor")  # fmt: skip
        if rng.random() < 0.05:
            return "cancelled"
        # Resolved tickets close by themselves after a week.
        return "resolved" if days < 8 and rng.random() < 0.5 else "closed"

    def flush(self, buffers) -> None:
        self.tickets.copy(buffers["tickets"])
        self.comments.copy(buffers["comments"])
        self.events.copy(buffers["events"])
        for lines in buffers.values():
            lines.clear()


TICKET_COLUMNS = [
    "id", "subject", "description", "requester_id", "created_by_id", "channel", "category_id", "device_id",
    "impact", "urgency", "priority", "priority_overridden", "priority_reason", "status", "tier", "assignee_id",
    "first_response_due_at", "resolution_due_at", "created_at", "updated_at", "first_response_at",
    "resolved_at", "closed_at", "resolution_notes", "resolution_code", "time_spent_minutes", "version",
    "project_id",
]  # fmt: skip
EVENT_COLUMNS = ["id", "ticket_id", "actor_id", "kind", "action", "old", "new", "note", "is_public", "created_at"]
COMMENT_COLUMNS = ["id", "ticket_id", "author_id", "body", "is_internal", "created_at"]


def _n(value) -> str:
    return r"\N" if value is None else str(value)


def _person(user: User | None) -> dict:
    # The shape tickets.services writes into events.
    if user is None:
        return {"id": None, "name": ""}
    return {"id": user.pk, "name": user.get_full_name() or user.email, "first_name": user.first_name}


# --- entry point -------------------------------------------------------------------------------

CHUNK = 25_000


def load(*, tickets: int, seed: int = 42, log=print) -> LoadSummary:
    """Load the organisation and `tickets` tickets into the (empty) default database."""
    if Ticket.objects.exists() or User.objects.filter(email=PERSONAS["coordinator"]).exists():
        raise RuntimeError("The bench database already holds data: run with --fresh, or --skip-load to measure it.")
    scale = Scale.for_tickets(tickets)
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    started = time.monotonic()
    log(
        f"Loading {scale.tickets:,} tickets over {scale.years} years, {scale.employees:,} employees, "
        f"{scale.devices:,} devices, {scale.technicians} technicians"
    )
    big = [Ticket._meta.db_table, Event._meta.db_table, Comment._meta.db_table]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        org = _Organisation(scale, rng, now)
        org.build(make_password(BENCH_PASSWORD))
        log(f"  organisation: {time.monotonic() - started:.1f} s")

        # Check the organisation's deferred foreign keys now: a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        indexes, foreign_keys = _secondary_indexes_and_foreign_keys(cursor, big)
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")

        writer = _TicketWriter(org, rng, now, cursor)
        buffers: dict[str, list[str]] = {"tickets": [], "events": [], "comments": []}
        span = writer.now - writer.start - HOUR
        # Creation times in order, so numbers grow with time; more tickets lately (the organisation grew).
        for chunk_start in range(0, scale.tickets, CHUNK):
            count = min(CHUNK, scale.tickets - chunk_start)
            fractions = sorted(
                math.sqrt(0.25 + 0.75 * (chunk_start + rng.random() * count) / scale.tickets) for _ in range(count)
            )
            for fraction in fractions:
                created = writer.start + (fraction - 0.5) / 0.5 * span
                writer.ticket(buffers, _office_hours(created, rng, writer.now))
            writer.flush(buffers)
            if (chunk_start // CHUNK) % 8 == 7:
                log(f"  {writer.counts['tickets']:,} tickets: {time.monotonic() - started:.0f} s")
        _persona_tickets(writer, org, buffers)
        writer.flush(buffers)
        log(f"  rows copied: {time.monotonic() - started:.1f} s; rebuilding indexes and foreign keys")

        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        for table in big:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))", [table])
    log(f"  indexed: {time.monotonic() - started:.1f} s; counting the solved tickets")
    buckets = tally.rebuild()  # the status changes keep it; tickets copied in have to be counted
    log(f"  solved tally: {buckets:,} buckets, {time.monotonic() - started:.1f} s; vacuum and analyze")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    summary = LoadSummary(
        counts={
            "tickets": writer.counts["tickets"],
            "events": writer.counts["events"],
            "comments": writer.counts["comments"],
            "employees": len(org.employees),
            "devices": len(org.devices),
            "technicians": len(org.technicians),
            "logins": User.objects.count(),
        },
        seconds=time.monotonic() - started,
    )
    log(f"Loaded in {summary.seconds:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in summary.counts.items()))
    return summary


def _office_hours(moment: float, rng: random.Random, now: float) -> float:
    """Most tickets arrive on weekdays between eight and five (never after now)."""
    if rng.random() < 0.15 or moment > now - DAY:
        return moment
    day_start = moment - moment % DAY
    weekday = int(day_start // DAY + 3) % 7  # 1970-01-01 was a Thursday; 0 is Monday
    if weekday >= 5:
        day_start -= (weekday - 4) * DAY
    return day_start + 7 * HOUR + rng.random() * 9 * HOUR


def _persona_tickets(writer: _TicketWriter, org: _Organisation, buffers) -> None:
    """Whatever the scale: the technician persona holds open tickets, one of them with a long history."""
    technician = org.technicians[0]
    requester = org.employees[0]
    now = writer.now
    writer.ticket(
        buffers,
        now - 20 * DAY,
        forced={
            "status": "in_progress",
            "tier": 1,
            "assignee": technician,
            "requester": requester,
            "subject": LONG_TICKET_SUBJECT,
            "comments": 60,
            "total_events": LONG_TICKET_EVENTS,
        },
    )
    for index in range(PERSONA_OPEN_TICKETS):
        writer.ticket(
            buffers,
            now - (index + 1) * 2 * HOUR,
            forced={
                "status": "in_progress" if index % 3 else "assigned",
                "tier": 1,
                "assignee": technician,
                "comments": 1,
            },
        )


def _written_by_measurement() -> list:
    from notifications.models import Notification

    # Children first, so nothing protected is left pointing at a ticket.
    return [Notification, Event, Comment, Ticket, Employee]


def high_water() -> dict[str, int]:
    """The highest id of each table the measurement writes to."""
    return {
        model._meta.label: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in _written_by_measurement()
    }


def remove_since(marks: dict[str, int]) -> dict[str, int]:
    """Delete the rows written after `high_water()` was taken: the data is again as loaded."""
    removed = {}
    with transaction.atomic():
        for model in _written_by_measurement():
            count, _by_model = model.objects.filter(pk__gt=marks[model._meta.label]).delete()
            removed[str(model._meta.verbose_name_plural)] = count
    return removed


def personas() -> dict:
    """The logins, tickets and paths the measurement uses, found in a loaded bench database."""
    users = {role: User.objects.get(email=email) for role, email in PERSONAS.items()}
    long_ticket = Ticket.objects.filter(subject=LONG_TICKET_SUBJECT).order_by("pk").first()
    if long_ticket is None:
        raise RuntimeError("This database holds no bench data: load it first (without --skip-load).")
    technician = users["technician"]
    open_statuses = ["assigned", "in_progress"]
    reply_targets = list(
        Ticket.objects.filter(assignee=technician, status__in=open_statuses)
        .exclude(pk=long_ticket.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)[:PERSONA_OPEN_TICKETS]
    )
    # The short-history twin of the long ticket for the query-count check: like it, with a device, so that
    # both pages run the same queries and only the history's length differs.
    typical = (
        Ticket.objects.filter(assignee=technician, status__in=open_statuses, device__isnull=False)
        .exclude(pk=long_ticket.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    ) or reply_targets[0]
    triage = Ticket.objects.filter(status="new", assignee__isnull=True).order_by("-pk").first()
    # The requester's own ticket page: a typical ticket of theirs, not the long one (the technician's page).
    requester_ticket = (
        Ticket.objects.filter(requester__user=users["requester"]).exclude(pk=long_ticket.pk).order_by("-pk").first()
    )
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("pk").first()
    project = Project.objects.order_by("-pk").first()
    if requester_ticket is None or category is None or project is None:
        raise RuntimeError("The bench data is incomplete: load it again with --fresh.")
    # Values for the staff list's filters, each an ordinary one: the requester who asks most, the busiest
    # technician, the first department, location and device model, the latest project.
    model = Device.objects.order_by("model").values_list("model", flat=True).first() or ""
    filters = {
        "assignee": technician.pk,
        "requester": users["requester"].employee.employee_number,
        "department": Department.objects.order_by("pk").values_list("pk", flat=True).first(),
        "location": Location.objects.order_by("pk").values_list("pk", flat=True).first(),
        "device_model": model,
        "project": project.pk,
        "category": category.pk,
    }
    return {
        "filters": filters,
        "users": users,
        "long_ticket": long_ticket.pk,
        "typical_ticket": typical,
        "reply_targets": reply_targets,
        "unassigned_ticket": triage.pk if triage else typical,
        "requester_ticket": requester_ticket.pk,
        "category": category.pk,
    }
