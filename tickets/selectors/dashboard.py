"""The coordinator's dashboard: the triage list, the counts and the watch lists."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier
from tickets.models import (
    OPEN_STATUSES,
    Category,
    Event,
    EventKind,
    Priority,
    Ticket,
    TicketStatus,
    category_path,
)

# The dashboard's short lists join only what their rows show: with every list relation joined, planning
# the query takes longer than running it.
TRIAGE_RELATED = ("requester", "device")
WATCH_RELATED = ("assignee",)
# ... and read only the columns their rows show: a ticket has fifty, and turning each into Python costs
# more than reading it. A column missing here is read again for every row (the query-count tests say so).
TRIAGE_FIELDS = (
    *("id", "subject", "status", "priority", "assignee_id", "created_at", "version", "category_id"),
    *("impact", "urgency", "tier", "priority_overridden", "priority_reason"),
    *("requester__first_name", "requester__last_name", "device__asset_tag"),
)
WATCH_FIELDS = (
    *("id", "subject", "status", "priority", "assignee_id", "updated_at", "resolution_due_at"),
    *("first_response_due_at", "first_response_at", "assignee__first_name", "assignee__last_name"),
    "assignee__email",
)


def tickets_to_triage() -> QuerySet[Ticket]:
    """New tickets no one holds: the coordinator's triage list, most urgent first, oldest first within each
    priority (the partial index ticket_triage_order). `is_flagged`: automatic assignment found nobody."""
    flagged = Event.objects.filter(ticket=OuterRef("pk"), kind=EventKind.ALERTED, action=ALERT_NO_TECHNICIAN)
    return (
        Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True)
        .select_related(*TRIAGE_RELATED)
        .annotate(is_flagged=Exists(flagged))
        .order_by("priority", "created_at", "pk")
    )


def tickets_to_triage_first(limit: int) -> list[Ticket]:
    """The first `limit` tickets of `tickets_to_triage`, in two steps: their numbers from the index
    ticket_triage_order alone, then those rows with what the triage list shows. In one step PostgreSQL
    joins every ticket waiting in triage before it sorts them. A row triaged in between still shows once,
    without its form."""
    order = ("priority", "created_at", "pk")
    first = list(
        Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True)
        .order_by(*order)
        .values_list("pk", flat=True)[:limit]
    )
    if not first:
        return []
    # By number alone (the primary key): with the triage conditions again, PostgreSQL reads every waiting row.
    flagged = Event.objects.filter(ticket=OuterRef("pk"), kind=EventKind.ALERTED, action=ALERT_NO_TECHNICIAN)
    rows = (
        Ticket.objects.filter(pk__in=first)
        .select_related(*TRIAGE_RELATED)
        .only(*TRIAGE_FIELDS)
        .annotate(is_flagged=Exists(flagged))
        .order_by()  # put in the triage order below
    )
    return sorted(rows, key=lambda ticket: first.index(ticket.pk))


def tickets_to_triage_count() -> int:
    """How many tickets wait in triage (the partial index ticket_open_queue counts them)."""
    return Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True).count()


# --- the coordinator's dashboard ---------------------------------------------------------------

# The action of the ALERTED event written when automatic assignment finds no qualified technician.
ALERT_NO_TECHNICIAN = "no_technician"
DUE_SOON = timedelta(hours=4)
ESCALATED_WITHIN = timedelta(days=3)
WAITING_TOO_LONG = timedelta(days=3)
STALE_AFTER = timedelta(days=5)
WATCH_LIMIT = 10


def _start_of_today(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def categories_by_name() -> list[Category]:
    """Every category, active or not, with its parent, in the order pickers show them (by parent, then name)."""
    return list(Category.objects.select_related("parent").order_by("parent__name", "name", "pk"))


def dashboard_counts(*, now: datetime | None = None, categories: list[Category] | None = None) -> dict[str, Any]:
    """Open tickets by status, priority, tier and category, and today's created and resolved. Three queries,
    two when `categories` (categories_by_name) is given.

    The open tickets are grouped once by (status, priority, tier, category), read index-only from the partial
    index ticket_open_counts, and summed here; today's counts are two index-only counts, of the created_at and
    the resolved_at indexes. COUNT(*), never COUNT(id): the id is in neither index, and counting it would
    read a table page for every open ticket.
    """
    now = now or timezone.now()
    rows = (
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .values("status", "priority", "tier", "category")
        .annotate(count=Count("*"))
        .order_by()
    )
    # Names from the small category table, not joined: the grouping then reads the index alone.
    if categories is None:
        categories = categories_by_name()
    names = {c.pk: (c.translated_name, c.parent.translated_name if c.parent else None) for c in categories}
    by_status = dict.fromkeys((status for status in TicketStatus if status in OPEN_STATUSES), 0)
    by_priority = dict.fromkeys(Priority, 0)
    by_tier = dict.fromkeys(Tier, 0)
    by_category: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["count"]
        by_priority[row["priority"]] = by_priority.get(row["priority"], 0) + row["count"]
        by_tier[row["tier"]] = by_tier.get(row["tier"], 0) + row["count"]
        name, parent = names.get(row["category"], (None, None))
        category = by_category.setdefault(
            row["category"], {"pk": row["category"], "name": name, "parent": parent, "count": 0}
        )
        category["count"] += row["count"]
    # The most open first, then by name (a ticket without category last among equals, as the database sorts).
    top = sorted(by_category.values(), key=lambda c: (-c["count"], c["name"] is None, c["name"] or ""))[:12]
    start = _start_of_today(now)
    today = dict.fromkeys(("created", "resolved"), 0)
    today.update(_count_each(created=Q(created_at__gte=start), resolved=Q(resolved_at__gte=start)))
    return {
        "open_total": sum(by_status.values()),
        "by_status": [(status, status.label, by_status[status]) for status in TicketStatus if status in OPEN_STATUSES],
        "by_priority": [(priority, priority.label, by_priority.get(priority, 0)) for priority in Priority],
        "by_tier": [(tier, tier.label, by_tier.get(tier, 0)) for tier in Tier],
        "by_category": [
            {
                "pk": category["pk"],
                "name": category_path(category["name"], category["parent"]) if category["name"] else _("No category"),
                "count": category["count"],
            }
            for category in top
        ],
        "created_today": today["created"],
        "resolved_today": today["resolved"],
    }


def _count_each(**conditions: Q) -> dict[str, int]:
    """How many tickets meet each condition, in one query: one index-only count per condition (UNION ALL),
    where a single scan with FILTER would read the table rows matching any of them."""
    counts = [
        Ticket.objects.filter(condition)
        .order_by()
        .annotate(name=Value(name))
        .values("name")
        .annotate(n=Count("*"))
        .values_list("name", "n")
        for name, condition in conditions.items()
    ]
    return dict(counts[0].union(*counts[1:], all=True))


@dataclass(frozen=True)
class DueTicket:
    """An open ticket with the nearer of its two clocks: when it is due, which clock, and whether it is past."""

    ticket: Ticket
    due_at: datetime
    clock: Literal["response", "resolution"]
    is_overdue: bool


def _due(ticket: Ticket, now: datetime) -> DueTicket:
    response = ticket.first_response_due_at if ticket.first_response_at is None else None
    clocks: list[tuple[datetime, Literal["response", "resolution"]]] = []
    if response:
        clocks.append((response, "response"))
    if ticket.resolution_due_at:
        clocks.append((ticket.resolution_due_at, "resolution"))
    due_at, clock = min(clocks, key=lambda pair: pair[0])
    return DueTicket(ticket=ticket, due_at=due_at, clock=clock, is_overdue=due_at < now)


def tickets_due_soon(*, now: datetime | None = None, limit: int = WATCH_LIMIT) -> list[DueTicket]:
    """Open tickets close to or past a due time (first response not yet given, or resolution), the most
    pressing first, each as a DueTicket by the nearer of its two clocks. Without service levels no ticket has
    a due time and the list is empty.

    Two reads, each the first `limit` in the order of its own index (the open tickets' resolution due
    times, the unanswered ones' first-response due times): the most pressing `limit` by the nearer clock
    are always among them, so no read sorts every open ticket.
    """
    now = now or timezone.now()
    horizon = now + DUE_SOON
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES).select_related(*WATCH_RELATED)
    by_resolution = open_tickets.filter(resolution_due_at__lte=horizon).order_by("resolution_due_at", "id")
    by_response = open_tickets.filter(first_response_at__isnull=True, first_response_due_at__lte=horizon).order_by(
        "first_response_due_at", "id"
    )
    found: dict[int, Ticket] = {}
    for ticket in [*by_resolution.only(*WATCH_FIELDS)[:limit], *by_response.only(*WATCH_FIELDS)[:limit]]:
        found[ticket.pk] = ticket
    due = [_due(ticket, now) for ticket in found.values()]
    return sorted(due, key=lambda row: (row.due_at, row.ticket.pk))[:limit]


def tickets_recently_escalated(*, now: datetime | None = None, limit: int = WATCH_LIMIT) -> list[dict[str, Any]]:
    """Open tickets escalated lately: an "escalate" event, or a triage that raised the tier.

    Returns {"ticket", "at", "old_tier", "new_tier"}, the latest first, one per ticket.
    """
    now = now or timezone.now()
    since = now - ESCALATED_WITHIN
    events = (
        Event.objects.filter(created_at__gte=since, ticket__status__in=OPEN_STATUSES)
        .filter(Q(kind=EventKind.STATUS_CHANGED, action="escalate") | Q(kind=EventKind.TRIAGED, new__has_key="tier"))
        .select_related("ticket")
        .only("ticket_id", "action", "old", "new", "created_at", "ticket__id", "ticket__subject")
        .order_by("-created_at", "-pk")[: limit * 5]
    )
    rows, seen = [], set()
    for event in events:
        old_tier, new_tier = (event.old or {}).get("tier"), (event.new or {}).get("tier")
        raised = event.action == "escalate" or (
            isinstance(old_tier, int) and isinstance(new_tier, int) and new_tier > old_tier
        )
        if not raised or event.ticket_id in seen:
            continue
        seen.add(event.ticket_id)
        rows.append({"ticket": event.ticket, "at": event.created_at, "old_tier": old_tier, "new_tier": new_tier})
    return rows[:limit]


def tickets_waiting_too_long(*, now: datetime | None = None, limit: int = WATCH_LIMIT) -> list[Ticket]:
    """Tickets waiting on their requester with no change for WAITING_TOO_LONG, the longest first."""
    now = now or timezone.now()
    qs = Ticket.objects.filter(status=TicketStatus.WAITING_REQUESTER, updated_at__lt=now - WAITING_TOO_LONG)
    return list(qs.select_related(*WATCH_RELATED).only(*WATCH_FIELDS).order_by("updated_at", "pk")[:limit])


def tickets_without_update(*, now: datetime | None = None, limit: int = WATCH_LIMIT) -> list[Ticket]:
    """Open tickets nobody has touched for STALE_AFTER (waiting on the requester has its own column)."""
    now = now or timezone.now()
    statuses = [status for status in OPEN_STATUSES if status != TicketStatus.WAITING_REQUESTER]
    qs = Ticket.objects.filter(status__in=statuses, updated_at__lt=now - STALE_AFTER)
    return list(qs.select_related(*WATCH_RELATED).only(*WATCH_FIELDS).order_by("updated_at", "pk")[:limit])
