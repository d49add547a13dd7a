"""Reads of the technician's day: what is done on a ticket beyond the conversation (visits, remote sessions,
repairs, child tickets), a technician's day plan, the known problems shown to requesters, the canned
replies and the recurring schedules. Each a fixed number of queries, however many rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can
from assets.models import Device, Employee
from tickets.models import (
    OPEN_STATUSES,
    CannedReply,
    Category,
    KnownProblem,
    RecurringTicket,
    RemoteSession,
    Repair,
    Ticket,
    Visit,
    VisitStatus,
)


@dataclass
class TicketWork:
    """What the ticket page shows of the work beside the conversation."""

    visits: list[Visit] = field(default_factory=list)
    remote_sessions: list[RemoteSession] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    children: list[Ticket] = field(default_factory=list)
    known_problem: KnownProblem | None = None

    @property
    def children_open(self) -> int:
        return sum(1 for child in self.children if child.status in OPEN_STATUSES)

    @property
    def children_done_percent(self) -> int:
        if not self.children:
            return 0
        return round(100 * (len(self.children) - self.children_open) / len(self.children))

    @property
    def repair_away(self) -> Repair | None:
        return next((repair for repair in self.repairs if repair.is_away), None)

    @property
    def upcoming_visits(self) -> list[Visit]:
        return [visit for visit in self.visits if visit.is_upcoming]


CHILDREN_SHOWN = 200


def ticket_work(ticket: Ticket, *, staff: bool) -> TicketWork:
    """The visits (and, for staff, remote sessions, repairs and children) of `ticket`, and its known
    problem: five queries at most."""
    work = TicketWork(
        visits=list(Visit.objects.filter(ticket=ticket).select_related("technician").order_by("starts_at", "pk")),
        known_problem=KnownProblem.objects.filter(ticket=ticket).first(),
    )
    if staff:
        work.remote_sessions = list(
            RemoteSession.objects.filter(ticket=ticket).select_related("technician").order_by("started_at")
        )
        work.repairs = list(Repair.objects.filter(ticket=ticket).select_related("device").order_by("-sent_on", "-pk"))
        work.children = list(
            Ticket.objects.filter(parent=ticket).select_related("assignee").order_by("pk")[:CHILDREN_SHOWN]
        )
    return work


def visits_of_day(technician: User, day: date) -> list[Visit]:
    """A technician's visits of `day` (their time zone's), in order, with the tickets, requesters and their
    phones and places: their day plan. One query."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    return list(
        Visit.objects.filter(technician=technician, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("ticket__requester", "ticket__requester__location", "ticket__device")
        .order_by("starts_at", "pk")
    )


def known_problems_showing(employee: Employee | None = None) -> list[KnownProblem]:
    """The known problems shown now, newest first: to `employee`, those of their location or of none. With
    their categories (to show them beside the matching report forms). Two queries."""
    problems = KnownProblem.objects.filter(taken_down_at__isnull=True).select_related("ticket")
    if employee is not None:
        located = Q(locations__isnull=True)
        if employee.location_id:
            located |= Q(locations=employee.location_id)
        problems = problems.filter(located)
    return list(
        problems.distinct()
        .prefetch_related(Prefetch("categories", queryset=Category.objects.select_related("parent")))
        .order_by("-published_at")[:20]
    )


def known_problems_followed(user: User) -> set[int]:
    """The tickets of known problems `user` follows (said "Me too" to, or reported)."""
    return set(
        Ticket.objects.filter(Q(watchers__user=user) | Q(requester__user=user), known_problem__isnull=False)
        .filter(known_problem__taken_down_at__isnull=True)
        .values_list("pk", flat=True)
    )


def tickets_avoided(start: date, end: date) -> int:
    """Tickets not filed because a requester said "Me too" to a known problem published in [start, end]."""
    total = KnownProblem.objects.filter(published_at__date__gte=start, published_at__date__lte=end).aggregate(
        total=Sum("me_too_count")
    )["total"]
    return total or 0


def canned_replies_for(user: User) -> QuerySet[CannedReply]:
    """The canned replies `user` may insert and the list shows them: the desk's shared ones and their own
    private ones, by title. None for anyone without the capability."""
    if not can(user, "tickets.canned_replies"):
        return CannedReply.objects.none()
    return CannedReply.objects.filter(Q(owner__isnull=True) | Q(owner=user)).order_by("title", "pk")


def recurring_listed() -> QuerySet[RecurringTicket]:
    """Every schedule, the next to open first, with what its rows show and how many tickets each opened."""
    return (
        RecurringTicket.objects.select_related("requester", "category", "assignee", "device", "location")
        .annotate(opened=Count("runs", filter=Q(runs__ticket__isnull=False)))
        .order_by(F("next_on").asc(nulls_last=True), "pk")
    )


def device_repairs(device: Device) -> list[Repair]:
    """A device's repairs, the latest first, with their tickets: its page's repair history."""
    return list(Repair.objects.filter(device=device).select_related("ticket").order_by("-sent_on", "-pk")[:100])
