"""The per-day rollups the reports read: which slices each ticket and each Event count in, kept in step with
every ticket change, and recounted from the tickets each night.

A ticket counts by what it is now (`ticket_figures`): on the day it was created it adds to "created" (and
"escalated", "responded", ... as it stands), on the day it was resolved to "resolved" (and its time to
resolution, "reopened", "first_contact", ...). When a change moves it (a new category, a resolution, a
reopening), its figures as they were come out and its figures as they are go in, in the change's own
transaction (`follow`, registered with tickets.followers). What a technician did (escalations sent and
received, resolutions reopened, time logged) counts by the Events, on their day (`event_figures`).

Each ticket counts in the slices the reports read (SLICES below): the whole desk and the desk within one
filter (department, location, category, tier, priority, channel), each technician, each category and
resolution code (also within a department or location), each device model and device, each requester and
department's questions of knowing how, and each resolution code within a category by day of creation. Days are
the desk's days (settings.TIME_ZONE).

reports.recount makes the figures again from the tickets and Events, a month at a time, compares them with
the rows and puts right any difference, which it reports: every night, and after the benchmark's bulk load.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection

from core.days import day_of, desk_zone
from reports import durations
from reports.models import MEASURES, DayDurations, DayFigures
from tickets.models import SOLVED_STATUSES, Event, ReportAs, Ticket, TicketStatus, TrainingSetup

# group_by, member, within, within_member
Slice = tuple[str, str, str, str]
# day, then the slice
Row = tuple[date, str, str, str, str]

# The filters of the desk report: the desk is counted whole and within each member of each of these.
DESK_WITHIN = ("department", "location", "category", "tier", "priority", "channel")
# The Events that count for a technician.
ACTIVITY = ("escalate", "reopen", "reopen_closed", "log_time", "repair_send")


# Where each measure sits in a row's list of values (MEASURES' order, the table's columns).
_INDEX = {name: index for index, name in enumerate(MEASURES)}


@dataclass
class Tally:
    """Figures by (row, grain) (a list of values in MEASURES' order), and duration counts by (row, measure,
    bucket, grain): what a ticket, an Event or a whole recount adds up to, by day and again by month (the
    row's day is then the month's first). `sign` -1 takes a ticket's figures out again. Plain lists and
    dicts: the nightly recount adds up a million tickets' figures here."""

    figures: dict[tuple[Row, str], list[int]] = field(default_factory=dict)
    durations: dict[tuple[Row, str, int, str], int] = field(default_factory=dict)
    sign: int = 1

    def count(self, day: date, slices: Iterable[Slice], measures: dict[str, int]) -> None:
        values = [(_INDEX[name], self.sign * value) for name, value in measures.items() if value]
        figures = self.figures
        month = day.replace(day=1)
        for where in slices:
            for key in (((day, *where), "day"), ((month, *where), "month")):
                row = figures.get(key)
                if row is None:
                    row = figures[key] = [0] * len(MEASURES)
                for index, value in values:
                    row[index] += value

    def time(self, day: date, slices: Iterable[Slice], measure: str, minutes: int) -> None:
        bucket = durations.bucket_of(minutes)
        counts = self.durations
        month = day.replace(day=1)
        for where in slices:
            for key in (((day, *where), measure, bucket, "day"), ((month, *where), measure, bucket, "month")):
                counts[key] = counts.get(key, 0) + self.sign

    def value(self, row: Row, measure: str, grain: str = "day") -> int:
        values = self.figures.get((row, grain))
        return values[_INDEX[measure]] if values else 0

    def nonzero(self) -> "Tally":
        """The same figures without the rows and counts that add up to nothing."""
        return Tally(
            figures={key: values for key, values in self.figures.items() if any(values)},
            durations={key: value for key, value in self.durations.items() if value},
        )


@dataclass(frozen=True)
class Facts:
    """What of a ticket the figures depend on: read from a ticket, or from a row of the recount's query."""

    created_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    status: str
    requester_id: int
    department_id: int | None
    location_id: int | None
    category_id: int | None
    report_as: str
    tier: int
    priority: int
    channel: str
    assignee_id: int | None
    device_id: int | None
    device_model: str
    resolution_code: str
    escalation_count: int
    reopen_count: int
    response_minutes: int | None
    response_met: bool | None
    resolution_minutes: int | None
    resolution_met: bool | None
    repeat_failure: bool


# The columns of Facts as the recount's query reads them, in order.
FACT_COLUMNS = (
    "created_at",
    "resolved_at",
    "closed_at",
    "status",
    "requester_id",
    "requester__department_id",
    "requester__location_id",
    "category_id",
    "category__report_as",
    "tier",
    "priority",
    "channel",
    "assignee_id",
    "device_id",
    "device__model",
    "resolution_code",
    "escalation_count",
    "reopen_count",
    "response_minutes",
    "response_met",
    "resolution_minutes",
    "resolution_met",
    "repeat_failure",
)


def facts_of(ticket: Ticket) -> Facts:
    requester = ticket.requester
    return Facts(
        created_at=ticket.created_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        status=ticket.status,
        requester_id=ticket.requester_id,
        department_id=requester.department_id,
        location_id=requester.location_id,
        category_id=ticket.category_id,
        report_as=ticket.category.report_as if ticket.category_id and ticket.category else "",
        tier=ticket.tier,
        priority=ticket.priority,
        channel=ticket.channel,
        assignee_id=ticket.assignee_id,
        device_id=ticket.device_id,
        device_model=ticket.device.model if ticket.device_id and ticket.device else "",
        resolution_code=ticket.resolution_code,
        escalation_count=ticket.escalation_count,
        reopen_count=ticket.reopen_count,
        response_minutes=ticket.response_minutes,
        response_met=ticket.response_met,
        resolution_minutes=ticket.resolution_minutes,
        resolution_met=ticket.resolution_met,
        repeat_failure=ticket.repeat_failure,
    )


def _member(value: object) -> str:
    return "" if value is None else str(value)


def ticket_figures(
    facts: Facts, how_to_codes: frozenset[str], zone: ZoneInfo | None = None, *, into: Tally | None = None
) -> Tally:
    """Everything one ticket counts for, as it is now: added to `into` (with its sign), or to a new Tally."""
    zone = zone or desk_zone()
    tally = into if into is not None else Tally()
    dims = {
        "department": _member(facts.department_id),
        "location": _member(facts.location_id),
        "category": _member(facts.category_id),
        "tier": str(facts.tier),
        "priority": str(facts.priority),
        "channel": facts.channel,
    }
    desk: list[Slice] = [("", "", "", "")] + [("", "", within, dims[within]) for within in DESK_WITHIN]
    solved = facts.status in SOLVED_STATUSES and facts.resolved_at is not None
    hardware = facts.report_as == ReportAs.HARDWARE
    how_to = facts.report_as == ReportAs.HOW_TO or (solved and facts.resolution_code in how_to_codes)

    # On the day it was created.
    created = day_of(facts.created_at, zone)
    opened = {"created": 1, "backlog": 1}
    if facts.escalation_count:
        opened["escalated"] = 1
    if facts.response_met is not None:
        opened["responded"] = 1
        opened["response_met"] = int(facts.response_met)
    if hardware:
        opened["failures"] = 1
    if how_to:
        opened["how_to"] = 1
    tally.count(created, desk, opened)
    if facts.response_minutes is not None:
        tally.time(created, desk, "response", facts.response_minutes)
    category = dims["category"]
    tally.count(
        created,
        [
            ("category", category, "", ""),
            ("category", category, "department", dims["department"]),
            ("category", category, "location", dims["location"]),
        ],
        {"created": 1},
    )
    if facts.resolution_code:
        # The desk's tickets by resolution code within their category, on their day of creation: a training's
        # topic of categories and codes counts each ticket once (training.effect).
        tally.count(created, [("code_created", facts.resolution_code, "category", category)], {"created": 1})
    if facts.device_id:
        tally.count(created, [("device_model", facts.device_model, "", "")], {"created": 1, "failures": int(hardware)})
        if hardware:
            tally.count(
                created,
                [("device", str(facts.device_id), "", "")],
                {"failures": 1, "repeat_failures": int(facts.repeat_failure)},
            )
    requester = str(facts.requester_id)
    tally.count(created, [("employee", requester, "", "")], {"created": 1, "how_to": int(how_to)})
    if how_to:
        tally.count(
            created,
            [("employee", requester, "topic", category), ("department", dims["department"], "topic", category)],
            {"how_to": 1},
        )

    # On the day it was resolved; a cancelled ticket leaves the backlog on the day it was cancelled.
    if solved:
        assert facts.resolved_at is not None
        resolved = day_of(facts.resolved_at, zone)
        closing = {"resolved": 1, "backlog": -1}
        if facts.resolution_met is not None:
            closing["resolution_measured"] = 1
            closing["resolution_met"] = int(facts.resolution_met)
        if facts.reopen_count:
            closing["reopened"] = 1
        if facts.tier == 1 and not facts.escalation_count:
            closing["first_contact"] = 1
        solvers = desk + ([("technician", str(facts.assignee_id), "", "")] if facts.assignee_id else [])
        tally.count(resolved, desk, closing)
        if facts.assignee_id:
            tally.count(resolved, solvers[-1:], {key: value for key, value in closing.items() if key != "backlog"})
        if facts.resolution_minutes is not None:
            tally.time(resolved, solvers, "resolution", facts.resolution_minutes)
        if facts.resolution_code:
            code = facts.resolution_code
            tally.count(
                resolved,
                [
                    ("resolution_code", code, "", ""),
                    ("resolution_code", code, "department", dims["department"]),
                    ("resolution_code", code, "location", dims["location"]),
                ],
                {"resolved": 1},
            )
    elif facts.status == TicketStatus.CANCELLED and facts.closed_at is not None:
        tally.count(day_of(facts.closed_at, zone), desk, {"backlog": -1})
    return tally


def event_figures(
    action: str,
    actor_id: int | None,
    old: dict,
    new: dict,
    at: datetime,
    zone: ZoneInfo | None = None,
    *,
    into: Tally | None = None,
) -> Tally:
    """What one Event counts for a technician, on its day: added to `into`, or to a new Tally."""
    tally = into if into is not None else Tally()
    if action not in ACTIVITY:
        return tally
    day = day_of(at, zone)

    def held(values: dict) -> str:
        person = values.get("assignee") or {}
        return _member(person.get("id")) if isinstance(person, dict) else ""

    if action == "escalate":
        sender = held(old) or _member(actor_id)
        if sender:
            tally.count(day, [("technician", sender, "", "")], {"escalations_sent": 1})
        if held(new):
            tally.count(day, [("technician", held(new), "", "")], {"escalations_received": 1})
    elif action == "repair_send":
        # A device sent to repair counts against it, on the day it went (tickets.services.repairs).
        if new.get("device_id"):
            tally.count(day, [("device", _member(new["device_id"]), "", "")], {"repairs": 1})
    elif action in ("reopen", "reopen_closed"):
        if held(old):
            tally.count(day, [("technician", held(old), "", "")], {"reopened_after": 1})
    elif actor_id and new.get("minutes"):
        tally.count(day, [("technician", str(actor_id), "", "")], {"minutes_logged": int(new["minutes"])})
    return tally


def follow(before: Ticket | None, after: Ticket, event: Event) -> None:
    """A ticket changed (tickets.followers): move its figures and count the Event, in the change's transaction."""
    tally = event_figures(event.action, event.actor_id, event.old, event.new, event.created_at)
    if before is not after:
        codes = TrainingSetup.codes()
        if before is not None:
            tally.sign = -1
            ticket_figures(facts_of(before), codes, into=tally)
            tally.sign = 1
        ticket_figures(facts_of(after), codes, into=tally)
    write(tally.nonzero())


# --- writing -------------------------------------------------------------------------------------------

SLICE_COLUMNS = ("day", "group_by", "member", "within", "within_member")
# The columns of a DayFigures row as written, in order.
FIGURE_COLUMNS = (*SLICE_COLUMNS, "grain", *MEASURES)


def write(tally: Tally) -> None:
    """Add the tally to the rows: one statement per table, rows in key order (concurrent changes take
    their row locks in the same order, so they queue instead of deadlocking)."""
    if tally.figures:
        _upsert(
            DayFigures._meta.db_table,
            list(FIGURE_COLUMNS),
            ("grain", "group_by", "within", "within_member", "day", "member"),
            MEASURES,
            [(*row, grain, *values) for (row, grain), values in sorted(tally.figures.items())],
        )
    if tally.durations:
        _upsert(
            DayDurations._meta.db_table,
            [*SLICE_COLUMNS, "measure", "bucket", "grain", "count"],
            ("grain", "group_by", "within", "within_member", "measure", "day", "member", "bucket"),
            ("count",),
            [
                (*row, measure, bucket, grain, count)
                for (row, measure, bucket, grain), count in sorted(tally.durations.items())
            ],
        )


def _upsert(table: str, columns: list[str], unique: tuple[str, ...], added: tuple[str, ...], rows: list) -> None:
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Names come from the models, values go as parameters.
    insert = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "  # noqa: S608
    sql = (
        insert
        + ", ".join([placeholders] * len(rows))
        + f" ON CONFLICT ({', '.join(map(quote, unique))}) DO UPDATE SET "
        + ", ".join(f"{quote(name)} = {quote(table)}.{quote(name)} + EXCLUDED.{quote(name)}" for name in added)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
