"""The demo's year of history for the Insight reports (manage.py demo_load writes it after the current
tickets)."""

import logging
import math
import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import User
from assets.models import Device, DeviceType, Employee
from helpdesk.demo_people import COORDINATOR, DEMO_DOMAIN, TECHNICIANS, demo_email
from helpdesk.seed import (
    CATEGORY_WEIGHTS,
    DEVICE_MODELS,
    HOW_TO_DEPARTMENT,
    HOW_TO_TOPIC,
    RESOLUTION_CODES,
    RISING_CATEGORY,
    RISING_DAYS,
    SUBJECTS,
)
from tickets import business_time, sla
from tickets.models import (
    Category,
    Comment,
    Event,
    ReportAs,
    SlaPolicy,
    Ticket,
    TicketStatus,
)
from tickets.priority import priority_for

# The tickets of the last twelve months, written as they would stand now (bulk_create, like the benchmark):
# enough for the Insight reports to tell the seed's story (helpdesk/seed.py). Times are working minutes of
# the demo's calendar, so the measures equal what tickets.sla.measure would have set.

HISTORY_TICKETS = 2000
# How fast each technician resolves: a factor on the working time a ticket takes. Tess is quick, Tomasz slow.
TECHNICIAN_SPEEDS = {"Tess": 0.45, "Tomasz": 2.4, "Tove": 0.7, "Ola": 1.8, "Tia": 0.8, "Henrik": 1.5}
HISTORY_REOPENED = 0.07  # of the solved tickets, reopened once before the resolution held
HISTORY_CANCELLED = 0.03
HOW_TO_SHARE = 0.3  # of the how-to department's tickets, questions about HOW_TO_TOPIC
RISING_PEAK = 0.35  # the rising problem's share of the tickets of the last day (none RISING_DAYS ago)
# The leaves whose faults are a device's, by device type.
DEVICE_CATEGORY: dict[str, str] = {
    DeviceType.LAPTOP: "Laptop",
    DeviceType.DESKTOP: "Desktop",
    DeviceType.MONITOR: "Monitor",
    DeviceType.PRINTER: "Printer",
    DeviceType.PHONE: "Phone",
}


class History:
    """Writes the demo's past tickets with their Events and first replies, all solved or cancelled."""

    def __init__(
        self, *, rng: random.Random, now: datetime, employees: list[Employee], devices: list[Device],
        categories: list[Category],
    ) -> None:  # fmt: skip
        self.rng, self.now = rng, now
        self.zone = ZoneInfo(settings.TIME_ZONE)
        users = {user.email: user for user in User.objects.filter(email__endswith="@" + DEMO_DOMAIN)}
        self.coordinator = users[demo_email(COORDINATOR[0])]
        self.technicians = {
            tier: [users[demo_email(first)] for first, _last, t, _skills in TECHNICIANS if t == tier]
            for tier in (1, 2, 3)
        }
        self.speed = {users[demo_email(first)].pk: speed for first, speed in TECHNICIAN_SPEEDS.items()}
        self.people = [employee for employee in employees if employee.is_active]
        self.by_department: dict[int, list[Employee]] = {}
        for employee in self.people:
            self.by_department.setdefault(employee.department_id or 0, []).append(employee)
        self.how_to_department = next(
            (e.department_id for e in self.people if e.department and e.department.name == HOW_TO_DEPARTMENT), None
        )
        self.category = {category.name: category for category in categories}
        self.device_of: dict[int, Device] = {}
        for device in devices:
            if device.assigned_to_id:
                self.device_of.setdefault(device.assigned_to_id, device)
        fragility = {model: fragile for _k, _m, model, _s, _c, fragile in DEVICE_MODELS}
        self.faulty = [device for device in devices if device.device_type in DEVICE_CATEGORY]
        self.fault_weights = [fragility[device.model] for device in self.faulty]
        names = list(CATEGORY_WEIGHTS)
        self.names, self.weights = names, [CATEGORY_WEIGHTS[name] for name in names]
        self.policies = {policy.priority: policy for policy in SlaPolicy.objects.all()}
        self.setup = sla.Setup.load()
        calendar = self.setup.default
        assert calendar is not None  # load() made the default calendar
        self.clock = sla.arithmetic_calendar(calendar, (now - timedelta(days=400)).date())
        self.codes = [code for code, _weight in RESOLUTION_CODES if code != "user_training"]
        self.code_weights = [weight for code, weight in RESOLUTION_CODES if code != "user_training"]

    def working(self, start: datetime, minutes: int, pauses: list | None = None) -> datetime:
        """The moment a clock started at `start` has run `minutes` of working time."""
        due = business_time.due_at(self.clock, start, timedelta(minutes=minutes), pauses or [])
        assert due is not None
        return due

    def opened_at(self) -> datetime:
        """A moment in the last year (until three days ago), mostly in office hours on a working day."""
        rng = self.rng
        moment = (self.now - timedelta(days=3) - timedelta(seconds=rng.random() * 362 * 86400)).astimezone(self.zone)
        if rng.random() < 0.9:
            day = moment.date()
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            minute = rng.randint(8 * 60, 16 * 60 + 30)
            moment = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return moment.replace(second=0, microsecond=0)

    def write(self, count: int = HISTORY_TICKETS) -> int:
        tickets: list[Ticket] = []
        lives: list[tuple[list[Any], dict | None]] = []
        for _index in range(count):
            written = self.ticket()
            if written is not None:
                tickets.append(written[0])
                lives.append((written[1], written[2]))
        Ticket.objects.bulk_create(tickets, batch_size=500)
        replies = [
            Comment(ticket=ticket, **reply) for ticket, (_events, reply) in zip(tickets, lives, strict=True) if reply
        ]
        Comment.objects.bulk_create(replies, batch_size=500)
        reply_of = {comment.ticket_id: comment for comment in replies}
        events = []
        for ticket, (history, _reply) in zip(tickets, lives, strict=True):
            for at, kind, action, actor, old, new, public in history:
                if action == "reply":
                    new = {"comment": reply_of[ticket.pk].pk, "attachments": 0}
                events.append(
                    Event(
                        ticket=ticket, actor=actor, kind=kind, action=action, old=old, new=new, is_public=public,
                        created_at=at,
                    )
                )  # fmt: skip
        Event.objects.bulk_create(events, batch_size=1000)
        return len(tickets)

    def pick_category(self, opened: datetime, requester: Employee) -> str:
        rng = self.rng
        age = (self.now - opened).total_seconds() / 86400
        if age < RISING_DAYS and rng.random() < RISING_PEAK * (1 - age / RISING_DAYS):
            return RISING_CATEGORY
        if requester.department_id == self.how_to_department and rng.random() < HOW_TO_SHARE:
            return HOW_TO_TOPIC
        return rng.choices(self.names, weights=self.weights)[0]

    def ticket(self) -> tuple[Ticket, list[tuple], dict | None] | None:
        """One past ticket, its Events (at, kind, action, actor, old, new, public) and its first reply."""
        rng = self.rng
        opened = self.opened_at()
        requester = rng.choice(self.people)
        name = self.pick_category(opened, requester)
        device = None
        if name in DEVICE_CATEGORY.values():
            # A fault: the device comes first, by how fragile its model is; its holder reports it.
            device = rng.choices(self.faulty, weights=self.fault_weights)[0]
            name = DEVICE_CATEGORY[device.device_type]
            owner = device.assigned_to
            if owner is not None and owner.is_active:
                requester = owner
        elif rng.random() < 0.5:
            device = self.device_of.get(requester.pk)
        category = self.category[name]
        impact, urgency = rng.choice([(3, 2), (3, 2), (3, 1), (2, 2), (3, 3), (2, 1), (1, 2), (1, 1)])
        priority = priority_for(impact, urgency)
        policy = self.policies[priority]
        requester_user = requester.user
        channel = "web" if requester_user is not None and rng.random() < 0.7 else rng.choice(["email", "phone"])
        created_by = requester_user if channel == "web" else self.coordinator if channel == "phone" else None
        ticket = Ticket(
            subject=rng.choice(SUBJECTS[name]), requester=requester, created_by=created_by, channel=channel,
            category=category, device=device, impact=impact, urgency=urgency, priority=priority,
            created_at=opened,
        )  # fmt: skip
        ticket.description = ticket.subject + "."
        created_actor = created_by if channel != "email" else None
        events: list[tuple] = [
            (opened, "created", "", created_actor, {},
             {"status": "new", "channel": channel, "priority": priority, "category": category.pk,
              "device": device.pk if device else None, "attachments": 0}, True)
        ]  # fmt: skip
        nobody = person(None)
        if rng.random() < HISTORY_CANCELLED:
            ticket.status = TicketStatus.CANCELLED
            ticket.closed_at = opened + timedelta(minutes=rng.randint(20, 300))
            events.append(
                (ticket.closed_at, "status_changed", "cancel", self.coordinator,
                 {"status": "new", "assignee": nobody}, {"status": "cancelled", "assignee": nobody}, True)
            )  # fmt: skip
            ticket.sla_pauses = [[ticket.closed_at.isoformat(), None]]
            return self.finish(ticket, events, None)

        tier = rng.choices([1, 2, 3], weights=[78, 16, 6])[0]
        if name in ("VPN", "Cabling", "Internet access", "Operating system") and tier == 1 and rng.random() < 0.4:
            tier = 2
        escalated = tier > 1 and rng.random() < 0.7
        first = rng.choice(self.technicians[tier - 1 if escalated else tier])
        # First response: a public reply, in working minutes around a third of the target (some miss it).
        response = max(1, int(policy.first_response_minutes * math.exp(rng.gauss(-1.0, 0.8))))
        assigned_at = self.working(opened, response // 2)
        replied_at = self.working(opened, response)
        events.append(
            (assigned_at, "assigned", "assign", self.coordinator, {"status": "new", "assignee": nobody},
             {"status": "assigned", "assignee": person(first)}, True)
        )  # fmt: skip
        events.append(_status(assigned_at, "start", first, "assigned", "in_progress", first))
        events.append((replied_at, "replied", "reply", first, {}, {}, True))
        reply = {"author": first, "body": "Thanks, I am looking at it now.", "created_at": replied_at}
        holder = first
        # Resolution: the final holder's speed times a typical share of the target.
        final = rng.choice(self.technicians[tier]) if escalated else first
        typical = policy.resolution_minutes * 0.3 * math.exp(rng.gauss(0, 0.7))
        total = max(response + 20, int(typical * self.speed[final.pk]))
        if escalated:
            moment = self.working(opened, response + (total - response) // 4)
            events.append(
                (moment, "status_changed", "escalate", holder,
                 {"status": "in_progress", "assignee": person(holder), "tier": tier - 1, "priority": priority},
                 {"status": "assigned", "assignee": person(final), "tier": tier, "priority": priority}, True)
            )  # fmt: skip
            events.append(_status(moment + timedelta(minutes=1), "start", final, "assigned", "in_progress", final))
            ticket.escalation_count = 1
            holder = final
        pauses: list[list[str | None]] = []
        if rng.random() < HISTORY_REOPENED:
            # Resolved once too soon: the requester (or a coordinator) reopens it a day or two later.
            early = response + (total - response) * 2 // 3
            wrongly = self.working(opened, early)
            events.append(_status(wrongly, "resolve", holder, "in_progress", "resolved", holder))
            back = wrongly + timedelta(hours=rng.randint(20, 60))
            events.append(_status(back, "reopen", requester_user or self.coordinator, "resolved", "assigned", holder))
            pauses.append([wrongly.isoformat(), back.isoformat()])
            resolved = self.working(back, total - early)
            ticket.reopen_count = 1
        else:
            resolved = self.working(opened, total)
        logged = rng.choice([10, 15, 30, 45, 60, 90])
        events.append(
            (resolved - timedelta(minutes=1), "time_logged", "log_time", holder, {"total": 0},
             {"minutes": logged, "total": logged}, False)
        )  # fmt: skip
        events.append(_status(resolved, "resolve", holder, "in_progress", "resolved", holder))
        pauses.append([resolved.isoformat(), None])
        if resolved > self.now - timedelta(hours=1):
            return None  # still being worked on today: the open tickets are load_tickets'
        how_to = category.report_as == ReportAs.HOW_TO
        ticket.status = TicketStatus.RESOLVED
        ticket.tier, ticket.assignee, ticket.resolved_at = tier, holder, resolved
        ticket.first_response_at = replied_at
        ticket.resolution_code = "user_training" if how_to else rng.choices(self.codes, weights=self.code_weights)[0]
        ticket.resolution_notes = "Showed the steps; works now." if how_to else "Fixed: see the timeline."
        ticket.time_spent_minutes = logged
        ticket.response_minutes, ticket.resolution_minutes = response, total
        ticket.response_met = response <= policy.first_response_minutes
        ticket.resolution_met = total <= policy.resolution_minutes
        ticket.sla_pauses = pauses
        if resolved + timedelta(days=7) < self.now:
            ticket.status = TicketStatus.CLOSED
            if requester_user is not None and rng.random() < 0.4:
                ticket.closed_at = resolved + timedelta(minutes=rng.randint(30, 2 * 24 * 60))
                events.append(_status(ticket.closed_at, "confirm", requester_user, "resolved", "closed", holder))
            else:
                ticket.closed_at = resolved + timedelta(days=7)
                events.append(_status(ticket.closed_at, "close", None, "resolved", "closed", holder))
        return self.finish(ticket, events, reply)

    def finish(self, ticket: Ticket, events: list[tuple], reply: dict | None) -> tuple[Ticket, list, dict | None]:
        events.sort(key=lambda event: event[0])
        ticket.updated_at = events[-1][0]
        ticket.version = len(events)
        sla.recompute(ticket, self.setup)
        if ticket.response_met is False:
            ticket.response_breached_at = ticket.first_response_due_at
        if ticket.resolution_met is False:
            ticket.resolution_breached_at = ticket.resolution_due_at
        return ticket, events, reply


def _status(at: datetime, action: str, actor: User | None, old: str, new: str, holder: User | None) -> tuple:
    return (
        at, "status_changed", action, actor, {"status": old, "assignee": person(holder)},
        {"status": new, "assignee": person(holder)}, True,
    )  # fmt: skip


def quiet(logger: logging.Logger, work: Callable[[], object]) -> None:
    """Run `work` without `logger`'s warnings: the recount after a bulk load warns of every row it adds."""
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        work()
    finally:
        logger.setLevel(level)


def person(user: User | None) -> dict:
    """A user as the services keep them in an Event (tickets.services)."""
    if user is None:
        return {"id": None, "name": ""}
    return {"id": user.pk, "name": user.get_full_name() or user.email, "first_name": user.first_name}
