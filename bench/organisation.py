"""The benchmark organisation, everything but the tickets: categories, people, devices, projects."""

import random
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

from accounts.models import Role, TechnicianProfile, Tier, User
from assets.models import Department, Device, DeviceAssignment, DeviceStatus, DeviceType, Employee, Location
from bench.tables import DAY, DOMAIN, PERSONAS, PROJECT_KINDS, SITES
from helpdesk.seed import DEPARTMENTS, DEVICE_MODELS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, categories_create
from tickets.models import Project, ProjectStatus

T = TypeVar("T")


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


def day_start(day: date) -> float:
    return datetime.combine(day, datetime.min.time(), UTC).timestamp()


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(accumulate(weights))


class Picker(Generic[T]):
    """Weighted choices with precomputed cumulative weights: fast enough for millions of draws."""

    def __init__(self, rng: random.Random, items: Iterable[T], weights: Iterable[float]) -> None:
        self.rng = rng
        self.items = list(items)
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]

    def one(self) -> T:
        return self.items[bisect_left(self.cum, self.rng.random() * self.total)]


def zipf_weights(count: int, offset: float, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank + offset) ** exponent for rank in range(count)]


class Organisation:
    """Everything but the tickets: built with the ORM (thousands of rows, seconds)."""

    def __init__(self, scale: Scale, rng: random.Random, now: datetime) -> None:
        self.scale = scale
        self.rng = rng
        self.now = now

    def build(self, password: str) -> None:
        rng, scale, now = self.rng, self.scale, self.now
        leaves = categories_create()
        self.categories = {c.name: c for c in leaves}
        self.category_label = {c.pk: f"{c.parent.name} > {c.name}" if c.parent else c.name for c in leaves}

        departments = Department.objects.bulk_create([Department(name=name) for name in DEPARTMENTS])
        self.departments = {department.name: department for department in departments}
        locations = Location.objects.bulk_create(
            [
                Location(site=site, building=building, floor=str(floor), room=f"{floor}{room:02d}")
                for site, buildings in SITES
                for building in buildings
                for floor in range(1, 4)
                for room in range(1, 3)
            ]
        )

        def login(email: str, first: str, last: str, role: str) -> User:
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
        model_picker = Picker(rng, range(len(DEVICE_MODELS)), [m[4] for m in DEVICE_MODELS])
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
        lemons = zipf_weights(len(devices), offset=20, exponent=0.9)
        rng.shuffle(lemons)
        self.device_picker = Picker(
            rng, devices, [fragility[d.model] * w for d, w in zip(devices, lemons, strict=True)]
        )
        self.requester_picker = Picker(rng, employees, zipf_weights(len(employees), offset=50))

        # Projects: a move, a cabling job or a roll-out every few weeks, each a few weeks long; the tickets
        # raised during one are sometimes filed under it (TicketWriter.ticket).
        projects, spans = [], []
        first_day = (now - timedelta(days=scale.years * 365)).date()
        for index in range(scale.projects):
            starts = first_day + timedelta(days=rng.randint(0, scale.years * 365 - 14))
            ends = starts + timedelta(days=rng.randint(14, 60))
            location = locations[index % len(locations)]
            project_kind = PROJECT_KINDS[index % len(PROJECT_KINDS)]
            spans.append((starts, ends))
            projects.append(
                Project(
                    name=f"{project_kind} {location.building} ({starts:%b %Y})",
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
            (day_start(starts), day_start(ends) + DAY, project.pk)
            for project, (starts, ends) in zip(projects, spans, strict=True)
        ]
