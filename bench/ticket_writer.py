"""The tickets, events and comments of the benchmark: each ticket's whole life as COPY lines.

A ticket's measures are those the services would have kept (tickets.sla.measure): the bench desk has no
service levels or calendar, so the minutes to first response and to resolution are wall-clock minutes and
nothing is "met"; the escalations and reopenings are counted from the Events written for them. The history
tells the seed's story (helpdesk/seed.py) at scale: the failing model (its fragility), the how-to department,
fast and slow technicians (TECHNICIAN_SPEEDS) and the problem rising over the last weeks.
"""

import json
import math
import random
from datetime import datetime, timedelta

from django.db import connection, models
from django.db.backends.utils import CursorWrapper

from accounts.models import User
from bench.copying import Copier, copy_time, nullable
from bench.organisation import Organisation, Picker, zipf_weights
from bench.tables import (
    COMMENTS_REQUESTER,
    COMMENTS_STAFF,
    DAY,
    DEVICE_CATEGORY,
    EPOCH,
    ESCALATED_SHARE,
    FIRST_ACTION_HOURS,
    HOUR,
    HOW_TO_SHARE,
    LONG_TICKET_EVENTS,
    LONG_TICKET_SUBJECT,
    NOTES_INTERNAL,
    PERSONA_OPEN_TICKETS,
    PROJECT_SHARE,
    REOPEN_SHARE,
    RESOLUTION_NOTES,
    RESOLVE_HOURS,
    RISING_SHARE,
    SLA_HOURS,
    TECHNICIAN_SPEEDS,
)
from helpdesk.seed import (
    CATEGORY_WEIGHTS,
    HOW_TO_DEPARTMENT,
    HOW_TO_TOPIC,
    RESOLUTION_CODES,
    RISING_CATEGORY,
    RISING_DAYS,
    SUBJECTS,
)
from tickets.models import Comment, Event, ReportAs, Ticket
from tickets.priority import priority_for


class TicketWriter:
    def __init__(self, org: Organisation, rng: random.Random, now: datetime, cursor: CursorWrapper) -> None:
        self.org, self.rng = org, rng
        self.now = now.timestamp()
        self.start = self.now - org.scale.years * 365 * DAY
        self.tickets = Copier(cursor, Ticket, TICKET_COLUMNS)
        self.events = Copier(cursor, Event, EVENT_COLUMNS)
        self.comments = Copier(cursor, Comment, COMMENT_COLUMNS)
        self.ticket_id = self._next_id(cursor, Ticket)
        self.event_id = self._next_id(cursor, Event)
        self.comment_id = self._next_id(cursor, Comment)
        categories = org.categories
        self.category_picker = Picker(rng, [categories[name] for name in CATEGORY_WEIGHTS], CATEGORY_WEIGHTS.values())
        self.channel_picker = Picker(rng, ["web", "email", "phone", "api"], [55, 30, 13, 2])
        self.impact_picker = Picker(rng, [3, 2, 1], [70, 22, 8])
        self.urgency_picker = Picker(rng, [1, 2, 3], [20, 55, 25])
        self.tier_picker = Picker(rng, [1, 2, 3], [75, 18, 7])
        others = [(code, weight) for code, weight in RESOLUTION_CODES if code != "user_training"]
        self.code_picker = Picker(rng, [c for c, _w in others], [w for _c, w in others])
        self.comment_count_picker = Picker(rng, [0, 1, 2, 3, 4, 5], [15, 25, 25, 18, 10, 7])
        by_tier: dict[int, list[User]] = {1: [], 2: [], 3: []}
        for user in org.technicians:
            by_tier[org.tech_tier[user.pk]].append(user)
        # Some technicians carry far more than others.
        self.tech_pickers = {
            tier: Picker(rng, users, zipf_weights(len(users), offset=3, exponent=0.7))
            for tier, users in by_tier.items()
            if users
        }
        self.person = {u.pk: json.dumps(_person(u)) for u in [*org.technicians, *org.coordinators]}
        self.no_one = json.dumps(_person(None))
        self.subjects = {c.pk: SUBJECTS[c.name] for c in categories.values()}
        self.speed = {u.pk: TECHNICIAN_SPEEDS[i % len(TECHNICIAN_SPEEDS)] for i, u in enumerate(org.technicians)}
        self.how_to_department = org.departments[HOW_TO_DEPARTMENT].pk
        self.how_to_topic, self.rising = categories[HOW_TO_TOPIC], categories[RISING_CATEGORY]
        self.labels = org.category_label
        self.counts = {"tickets": 0, "events": 0, "comments": 0}

    @staticmethod
    def _next_id(cursor: CursorWrapper, model: type[models.Model]) -> int:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cursor.fetchone()[0]

    # One ticket's whole life, as COPY lines appended to the three buffers.
    def ticket(self, buffers: dict[str, list[str]], created: float, *, forced: dict | None = None) -> int:
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
        elif requester.department_id == self.how_to_department and rng.random() < HOW_TO_SHARE:
            category = self.how_to_topic
        else:
            category = self.category_picker.one()
        age = (self.now - created) / DAY
        if not forced and age < RISING_DAYS and rng.random() < RISING_SHARE * (1 - age / RISING_DAYS):
            category = self.rising
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
        if channel == "phone":
            # Speaking to the caller is the first response (tickets.services.intake).
            first_response_at = created
            events.append(
                (created, "replied", "log_call", coordinator.pk, "{}",
                 json.dumps({"first_response_at": copy_time(created), "channel": "phone"}), "", True)
            )  # fmt: skip
        # Most tickets above tier 1 were escalated there by a technician of the tier below.
        escalated = not forced and tier > 1 and status not in ("new", "cancelled") and rng.random() < ESCALATED_SHARE
        first_holder = None
        if status != "new" and not (status == "cancelled" and rng.random() < 0.5):
            assignee = forced.get("assignee") or self.tech_pickers[tier].one()
            first_holder = self.tech_pickers[tier - 1].one() if escalated else assignee
            old_holder = f'{{"status": "new", "assignee": {self.no_one}}}'
            if status == "assigned" or (not forced and rng.random() < 0.4):
                events.append(
                    (first_at, "assigned", "assign", coordinator.pk, old_holder,
                     f'{{"status": "assigned", "assignee": {self.person[first_holder.pk]}}}', "", True)
                )  # fmt: skip
                if status != "assigned" or escalated:
                    first_at = min(first_at + rng.uniform(60, 2 * HOUR), self.now)
                    events.append(
                        self._status_event(first_at, "start", first_holder.pk, "assigned", "in_progress", first_holder)
                    )
            else:
                events.append(self._status_event(first_at, "take", first_holder.pk, "new", "in_progress", first_holder))
        end = self.now
        if status in ("resolved", "closed"):
            speed = self.speed[assignee.pk] if assignee is not None else 1.0
            hours = RESOLVE_HOURS[priority] * speed * math.exp(rng.gauss(0, 0.9))
            resolved_at = min(first_at + hours * HOUR, self.now - 60)
            resolved_at = max(resolved_at, first_at)
            if status == "closed":
                if rng.random() < 0.3:
                    closed_at = min(resolved_at + rng.uniform(600, 2 * DAY), self.now)
                    closing = ("confirm", requester_user) if requester_user else ("close", None)
                else:
                    closed_at = min(resolved_at + 7 * DAY, self.now)
                    closing = ("close", None)
            # A question of knowing how is answered by showing how; the other codes go to the other tickets.
            how_to = category is not None and category.report_as == ReportAs.HOW_TO
            resolution_code = "user_training" if how_to else self.code_picker.one()
            resolution_notes = rng.choice(RESOLUTION_NOTES)
            end = resolved_at
        elif status == "cancelled":
            closed_at = min(first_at + rng.uniform(600, DAY), self.now)
            end = closed_at
        elif status in ("waiting_requester", "waiting_vendor"):
            end = min(first_at + (self.now - first_at) * rng.uniform(0.3, 0.9), self.now)

        handed_at = end
        escalation_count = reopen_count = 0
        if escalated and assignee is not None and first_holder is not None:
            handed_at = first_at + (end - first_at) * rng.uniform(0.1, 0.4)
            events.append(
                (handed_at, "status_changed", "escalate", first_holder.pk,
                 f'{{"status": "in_progress", "assignee": {self.person[first_holder.pk]}, "tier": {tier - 1}, '
                 f'"priority": {priority}}}',
                 f'{{"status": "assigned", "assignee": {self.person[assignee.pk]}, "tier": {tier}, '
                 f'"priority": {priority}}}', "", True)
            )  # fmt: skip
            if status != "assigned":
                events.append(
                    self._status_event(handed_at + 1, "start", assignee.pk, "assigned", "in_progress", assignee)
                )
            escalation_count = 1
        staff = {first_holder.pk, assignee.pk} if first_holder and assignee else set()
        if status != "new" and status != "cancelled":
            for _index in range(forced.get("comments", self.comment_count_picker.one())):
                at = rng.uniform(first_at, end)
                if (
                    assignee is not None
                    and first_holder is not None
                    and (rng.random() < 0.55 or requester_user is None)
                ):
                    internal = rng.random() < 0.2
                    body = rng.choice(NOTES_INTERNAL if internal else COMMENTS_STAFF)
                    comments.append((at, (first_holder if at < handed_at else assignee).pk, body, internal))
                else:
                    comments.append((at, requester_user, rng.choice(COMMENTS_REQUESTER), False))
        comments.sort(key=lambda comment: comment[0])
        for at, author, _body, internal in comments:
            if first_response_at is None and not internal and author in staff:
                first_response_at = at
                break

        holder = assignee.pk if assignee else None
        logged: list[int] = []
        if resolved_at is not None and not forced and rng.random() < REOPEN_SHARE:
            # Resolved once too soon: reopened by the requester (or a coordinator) a little later.
            wrongly = first_at + (resolved_at - first_at) * 0.6
            back = wrongly + rng.uniform(2 * HOUR, 2 * DAY)
            final = back + (resolved_at - wrongly)
            if final < self.now - 60 and (closed_at is None or final < closed_at):
                events.append(self._status_event(wrongly, "resolve", holder, "in_progress", "resolved", assignee))
                opener = requester_user or coordinator.pk
                events.append(self._status_event(back, "reopen", opener, "resolved", "assigned", assignee))
                events.append(self._status_event(back + 60, "start", holder, "assigned", "in_progress", assignee))
                resolved_at = final
                reopen_count = 1
        if resolved_at is not None:
            logged.append(rng.choice((10, 15, 30, 45, 60, 90, 120)))
            total = sum(logged)
            events.append(
                (resolved_at - 1, "time_logged", "log_time", holder, '{"total": 0}',
                 f'{{"minutes": {total}, "total": {total}}}', "", False)
            )  # fmt: skip
        if status in ("waiting_requester", "waiting_vendor"):
            events.append(self._status_event(end, f"wait_on_{status[8:]}", holder, "in_progress", status, assignee))
        if resolved_at is not None:
            events.append(self._status_event(resolved_at, "resolve", holder, "in_progress", "resolved", assignee))
        if status == "closed":
            assert closed_at is not None  # every closed ticket was resolved first
            action, actor = closing
            events.append(self._status_event(closed_at, action, actor, "resolved", "closed", assignee))
        if status == "cancelled":
            assert closed_at is not None  # set with the cancellation above
            note = "Duplicate of an earlier report."
            before = "in_progress" if assignee is not None else "new"
            events.append(self._status_event(closed_at, "cancel", coordinator.pk, before, "cancelled", assignee, note))
        # The long ticket: exactly `total_events` Event rows, counting the comments' own events.
        for index in range(max(0, forced.get("total_events", 0) - len(events) - len(comments))):
            at = first_at + (index + 1) * 600
            if index % 3 == 2:
                logged.append(15)
                events.append(
                    (at, "time_logged", "log_time", holder, f'{{"total": {15 * (len(logged) - 1)}}}',
                     f'{{"minutes": 15, "total": {15 * len(logged)}}}', "", False)
                )  # fmt: skip
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
            comment_lines.append(
                f"{cid}\t{tid}\t{nullable(author)}\t{body}\t{'t' if internal else 'f'}\t{copy_time(at)}"
            )
            kind, action = ("note_added", "note") if internal else ("replied", "reply")
            events.append((at, kind, action, author, "{}", f'{{"comment": {cid}, "attachments": 0}}', "", not internal))
        events.sort(key=lambda event: event[0])
        for at, kind, action, actor, old, new, note, public in events:
            eid = self.event_id
            self.event_id += 1
            flag = "t" if public else "f"
            event_lines.append(
                f"{eid}\t{tid}\t{nullable(actor)}\t{kind}\t{action}\t{old}\t{new}\t{note}\t{flag}\t{copy_time(at)}"
            )
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
                    nullable(created_by),
                    channel,
                    nullable(category.pk if category else None),
                    nullable(device.pk if device else None),
                    str(impact),
                    str(urgency),
                    str(priority),
                    "t" if overridden else "f",
                    "Board meeting tomorrow" if overridden else "",
                    status,
                    str(tier),
                    nullable(holder),
                    copy_time(created + response_hours * HOUR),
                    copy_time(created + resolution_hours * HOUR),
                    copy_time(created),
                    copy_time(updated),
                    nullable(first_response_at and copy_time(first_response_at)),
                    nullable(resolved_at and copy_time(resolved_at)),
                    nullable(closed_at and copy_time(closed_at)),
                    resolution_notes,
                    resolution_code,
                    str(sum(logged)),
                    str(len(events)),
                    nullable(project),
                    nullable(_minutes(created, first_response_at) if first_response_at is not None else None),
                    nullable(_minutes(created, resolved_at) if resolved_at is not None else None),
                    r"\N",  # met: the bench desk has no service levels (tickets.sla.measure)
                    r"\N",
                    str(escalation_count),
                    str(reopen_count),
                )
            )
        )
        self.counts["tickets"] += 1
        self.counts["events"] += len(events)
        self.counts["comments"] += len(comments)
        return tid

    def _status_event(
        self, at: float, action: str, actor: int | None, old: str, new: str, assignee: User | None, note: str = ""
    ) -> tuple[float, str, str, int | None, str, str, str, bool]:
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

    def flush(self, buffers: dict[str, list[str]]) -> None:
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
    "project_id", "response_minutes", "resolution_minutes", "response_met", "resolution_met", "escalation_count",
    "reopen_count",
]  # fmt: skip
EVENT_COLUMNS = ["id", "ticket_id", "actor_id", "kind", "action", "old", "new", "note", "is_public", "created_at"]
COMMENT_COLUMNS = ["id", "ticket_id", "author_id", "body", "is_internal", "created_at"]


def _minutes(start: float, end: float) -> int:
    """Whole minutes between two moments as the database keeps them (to the microsecond): the wall-clock
    minutes tickets.sla.measure counts when the desk has no calendar."""
    elapsed = (EPOCH + timedelta(seconds=end)) - (EPOCH + timedelta(seconds=start))
    return max(int(elapsed.total_seconds() // 60), 0)


def _person(user: User | None) -> dict:
    # The shape tickets.services writes into events.
    if user is None:
        return {"id": None, "name": ""}
    return {"id": user.pk, "name": user.get_full_name() or user.email, "first_name": user.first_name}


def office_hours(moment: float, rng: random.Random, now: float) -> float:
    """Most tickets arrive on weekdays between eight and five (never after now)."""
    if rng.random() < 0.15 or moment > now - DAY:
        return moment
    day_start = moment - moment % DAY
    weekday = int(day_start // DAY + 3) % 7  # 1970-01-01 was a Thursday; 0 is Monday
    if weekday >= 5:
        day_start -= (weekday - 4) * DAY
    return day_start + 7 * HOUR + rng.random() * 9 * HOUR


def persona_tickets(writer: TicketWriter, org: Organisation, buffers: dict[str, list[str]]) -> None:
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
