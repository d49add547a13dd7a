"""A ticket's SLA clocks: which policy and calendar apply, when each target is due, when to warn.

The arithmetic is tickets.business_time (pure, property-tested); this module reads the policies and the
calendars and sets a ticket's clock fields. It never saves: the services call it inside the change that
moves the clock and save the fields it names, so the clock and the status can never disagree.

- Both clocks start when the ticket is created and count business time of the ticket's calendar.
- They stop while the ticket waits on the requester or a vendor, and while it is resolved (or closed or
  cancelled); they resume when it is worked again. Each stop is kept in `sla_pauses`, so time already
  paused stays paused when the priority (and with it the target) or the calendar changes.
- While a clock is stopped its due time is unknown (None) unless it had already passed before the stop.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tickets import business_time
from tickets.models import SOLVED_STATUSES, BusinessCalendar, SlaPolicy, Ticket, TicketStatus

PAUSED_STATUSES = frozenset(
    {
        TicketStatus.WAITING_REQUESTER,
        TicketStatus.WAITING_VENDOR,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
        TicketStatus.CANCELLED,
    }
)
CLOCK_FIELDS = ["sla_pauses", "first_response_due_at", "resolution_due_at", "sla_warn_at"]
# Public holidays are read for the years a clock can reach: the ticket's year and the next two.
YEARS_AHEAD = 2


def calendar_for(ticket: Ticket) -> BusinessCalendar | None:
    """The category's calendar, else the requester's location's, else the default one."""
    if ticket.category_id and ticket.category and ticket.category.calendar_id:
        return ticket.category.calendar
    location_id = ticket.requester.location_id if ticket.requester_id else None
    if location_id:
        calendar = BusinessCalendar.objects.filter(locations=location_id).order_by("pk").first()
        if calendar is not None:
            return calendar
    return BusinessCalendar.objects.filter(is_default=True).first()


def arithmetic_calendar(calendar: BusinessCalendar, around: date) -> business_time.BusinessCalendar:
    """The model as the pure module's calendar, with the holidays of `around`'s year and the next ones."""
    days = {int(day) for day in calendar.working_days.split(",") if day.strip().isdigit()}
    hours = tuple((calendar.day_starts, calendar.day_ends) if day in days else None for day in range(7))
    closed = frozenset(calendar.closed_days.values_list("date", flat=True))
    if calendar.country:
        years = range(around.year - 1, around.year + YEARS_AHEAD + 1)
        closed |= business_time.public_holidays(calendar.country, years, calendar.subdivision or None)
    return business_time.BusinessCalendar(time_zone=calendar.time_zone, hours=hours, closed_days=closed)


@dataclass
class Setup:
    """The policies and calendars read once, to recompute many tickets' clocks (after an edit of either)."""

    policies: dict[int, SlaPolicy]
    default: BusinessCalendar | None
    by_location: dict[int, BusinessCalendar]
    clocks: dict[tuple[int, int], business_time.BusinessCalendar] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Setup":
        by_location: dict[int, BusinessCalendar] = {}
        # Where two calendars name one location, the first made wins, as in calendar_for.
        for calendar in BusinessCalendar.objects.prefetch_related("locations").order_by("-pk"):
            by_location.update(dict.fromkeys((location.pk for location in calendar.locations.all()), calendar))
        return cls(
            policies={policy.priority: policy for policy in SlaPolicy.objects.all()},
            default=BusinessCalendar.objects.filter(is_default=True).first(),
            by_location=by_location,
        )

    def calendar_for(self, ticket: Ticket) -> BusinessCalendar | None:
        if ticket.category_id and ticket.category and ticket.category.calendar_id:
            return ticket.category.calendar
        return self.by_location.get(ticket.requester.location_id or 0) or self.default

    def clock(self, calendar: BusinessCalendar, around: date) -> business_time.BusinessCalendar:
        key = (calendar.pk, around.year)
        if key not in self.clocks:
            self.clocks[key] = arithmetic_calendar(calendar, around)
        return self.clocks[key]


def pauses_of(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    return [
        (datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        for start, end in ticket.sla_pauses
    ]


def follow_status(ticket: Ticket, now: datetime) -> list[str]:
    """Stop or restart the clock for the ticket's (new) status, then recompute. Returns the fields set."""
    pauses: list[list[Any]] = [list(pause) for pause in ticket.sla_pauses]
    running = not pauses or pauses[-1][1] is not None
    if ticket.status in PAUSED_STATUSES and running:
        pauses.append([now.isoformat(), None])
    elif ticket.status not in PAUSED_STATUSES and not running:
        pauses[-1][1] = now.isoformat()
    ticket.sla_pauses = pauses
    return ["sla_pauses", *recompute(ticket)]


def measure(ticket: Ticket) -> list[str]:
    """Measure what the reports read, once each happens: the working minutes the clock ran until the first
    response and until the resolution, and whether each met the target of the ticket's service level then.
    A reopened ticket's resolution is unmeasured again. Without a calendar the minutes are wall-clock
    minutes and nothing is "met". Returns the fields set."""
    respond = ticket.first_response_at is not None and ticket.response_minutes is None
    resolve = ticket.status in SOLVED_STATUSES and ticket.resolved_at is not None and ticket.resolution_minutes is None
    fields: list[str] = []
    if ticket.status not in SOLVED_STATUSES and ticket.resolution_minutes is not None:
        ticket.resolution_minutes, ticket.resolution_met = None, None
        fields += ["resolution_minutes", "resolution_met"]
    if not (respond or resolve):
        return fields
    policy, calendar = SlaPolicy.objects.filter(priority=ticket.priority).first(), calendar_for(ticket)
    clock = arithmetic_calendar(calendar, ticket.created_at.date()) if calendar is not None else None

    def minutes(end: datetime) -> int:
        if clock is None:
            elapsed = max(end - ticket.created_at, timedelta(0))
        else:
            elapsed = business_time.business_time_elapsed(clock, ticket.created_at, end, pauses_of(ticket))
        return int(elapsed.total_seconds() // 60)

    def met(taken: int, target: int) -> bool | None:
        return None if policy is None or clock is None else taken <= target

    if respond:
        assert ticket.first_response_at is not None
        ticket.response_minutes = minutes(ticket.first_response_at)
        ticket.response_met = met(ticket.response_minutes, policy.first_response_minutes if policy else 0)
        fields += ["response_minutes", "response_met"]
    if resolve:
        assert ticket.resolved_at is not None
        ticket.resolution_minutes = minutes(ticket.resolved_at)
        ticket.resolution_met = met(ticket.resolution_minutes, policy.resolution_minutes if policy else 0)
        fields += ["resolution_minutes", "resolution_met"]
    return fields


def recompute(ticket: Ticket, setup: Setup | None = None) -> list[str]:
    """Set the due times from the ticket's policy (its priority), calendar and pauses. Returns the fields
    set; none when no policy covers the priority or there is no calendar (the desk has no SLA for it).
    `setup`: the policies and calendars read once, when many tickets are recomputed."""
    if setup is None:
        policy, calendar = SlaPolicy.objects.filter(priority=ticket.priority).first(), calendar_for(ticket)
    else:
        policy, calendar = setup.policies.get(ticket.priority), setup.calendar_for(ticket)
    if policy is None or calendar is None:
        return []
    if setup is None:
        clock = arithmetic_calendar(calendar, ticket.created_at.date())
    else:
        clock = setup.clock(calendar, ticket.created_at.date())
    pauses = pauses_of(ticket)
    start = ticket.created_at

    def due(minutes: float) -> datetime | None:
        return business_time.due_at(clock, start, timedelta(minutes=minutes), pauses)

    ticket.first_response_due_at = due(policy.first_response_minutes)
    ticket.resolution_due_at = due(policy.resolution_minutes)
    ticket.sla_warn_at = due(policy.resolution_minutes * policy.warn_percent / 100)
    return ["first_response_due_at", "resolution_due_at", "sla_warn_at"]


def clocks(ticket: Ticket, now: datetime) -> dict | None:
    """What the ticket page shows of both clocks: due, business time left (or over), paused, breached."""
    policy = SlaPolicy.objects.filter(priority=ticket.priority).first()
    calendar = calendar_for(ticket)
    if policy is None or calendar is None:
        return None
    clock = arithmetic_calendar(calendar, ticket.created_at.date())
    paused = bool(ticket.sla_pauses) and ticket.sla_pauses[-1][1] is None

    def state(due: datetime | None, met_at: datetime | None, breached_at: datetime | None) -> dict:
        if met_at is not None:
            return {"due": due, "met_at": met_at, "late": due is not None and met_at > due}
        left = over = None
        if due is not None:
            if due >= now:
                left = business_time.business_time_between(clock, now, due)
            else:
                over = business_time.business_time_between(clock, due, now)
        return {"due": due, "left": left, "over": over, "paused": paused, "breached": breached_at is not None}

    return {
        "policy": policy,
        "calendar": calendar,
        "response": state(ticket.first_response_due_at, ticket.first_response_at, ticket.response_breached_at),
        "resolution": state(ticket.resolution_due_at, ticket.resolved_at, ticket.resolution_breached_at),
    }
