"""Every non-trivial read of tickets. List pages stay at a fixed number of queries, whatever their length."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import TechnicianProfile, Tier, User
from accounts.permissions import can
from assets.models import Device, Employee
from tickets import tally, workflow
from tickets.models import (
    OPEN_STATUSES,
    SOLVED_STATUSES,
    Attachment,
    Category,
    Comment,
    Event,
    EventKind,
    Priority,
    Project,
    SavedFilter,
    Ticket,
    TicketStatus,
)

# What a row of a ticket table shows. Each join costs planning time on every query, whatever the data size
# (with seven joins PostgreSQL plans longer than it runs): lists join what they show, nothing more.
LIST_RELATED = ("requester", "assignee", "category", "category__parent")
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


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Staff see every ticket; a requester sees the tickets of their own employee record; others none."""
    if user is None or not user.is_authenticated:
        return Ticket.objects.none()
    if can(user, "tickets.view_all"):
        return Ticket.objects.all()
    if can(user, "tickets.view_own"):
        return Ticket.objects.filter(requester__user=user)
    return Ticket.objects.none()


def tickets_for_list(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.select_related(*LIST_RELATED)


def tickets_of_requester(user) -> tuple[QuerySet[Ticket], QuerySet[Ticket]]:
    """(open, past) tickets of the requester, the most recently changed first.

    Filtered on the requester's own employee id, which is the visibility rule for a requester
    (tickets_visible_to) without its join, so the (requester, -updated_at) index serves the order.
    """
    employee = getattr(user, "employee", None)
    if employee is None or not can(user, "tickets.view_own"):
        return Ticket.objects.none(), Ticket.objects.none()
    qs = tickets_for_list(Ticket.objects.filter(requester_id=employee.pk)).order_by("-updated_at", "-pk")
    return qs.filter(status__in=OPEN_STATUSES), qs.exclude(status__in=OPEN_STATUSES)


def tickets_about_employee(user, employee: Employee) -> QuerySet[Ticket]:
    """Every ticket of one employee that `user` may see, newest first (the employee page)."""
    return tickets_for_list(tickets_visible_to(user).filter(requester=employee)).order_by("-created_at", "-pk")


def tickets_about_device(user, device: Device) -> QuerySet[Ticket]:
    """The full ticket history of one device that `user` may see, newest first (the device page)."""
    return tickets_for_list(tickets_visible_to(user).filter(device=device)).order_by("-created_at", "-pk")


def _queue_order(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.order_by("priority", F("resolution_due_at").asc(nulls_last=True), "created_at", "pk")


def tickets_queue_for(user, *, status: str = "", category: Category | None = None) -> QuerySet[Ticket]:
    """A technician's open tickets, most urgent first: priority, then due time."""
    qs = Ticket.objects.filter(assignee=user)
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATUSES)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    return _queue_order(tickets_for_list(qs))


def tickets_unassigned_for_tier(user, *, category: Category | None = None) -> QuerySet[Ticket]:
    """New tickets nobody holds, of the technician's tier, for them to take."""
    profile = getattr(user, "technician_profile", None)
    tier = profile.tier if profile else 1
    qs = Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True, tier=tier)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    # Most urgent, then oldest: the order of the triage list, served by the partial index on new tickets.
    return tickets_for_list(qs).order_by("priority", "created_at", "pk")


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


def tickets_search(user, *, query: str = "", status: str = "") -> QuerySet[Ticket]:
    qs = tickets_visible_to(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    query = query.strip()
    if query:
        number = ticket_number_from(query)
        condition = Q(subject__icontains=query) | Q(requester__last_name__icontains=query)
        condition |= Q(requester__first_name__icontains=query) | Q(device__asset_tag__iexact=query)
        if number is not None:
            condition |= Q(pk=number)
        qs = qs.filter(condition)
    return tickets_for_list(qs).order_by("-updated_at", "-pk")


def tickets_recent_for_employee(employee: Employee, *, exclude: Ticket | None = None, limit: int = 5) -> list[Ticket]:
    qs = Ticket.objects.filter(requester=employee).select_related("category", "category__parent")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def tickets_recent_for_device(device: Device, *, exclude: Ticket | None = None, limit: int = 5) -> list[Ticket]:
    qs = Ticket.objects.filter(device=device).select_related("category", "category__parent")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def ticket_tier_chain(ticket: Ticket, *, now: datetime | None = None) -> dict:
    """Who held the ticket at each tier, for how long, and why it moved on; how often it bounced back down.

    Read from the ticket's Events (one query): the hand-offs are assignments, escalations, send-downs,
    hand-backs and tier changes in triage. Returns {"stints": [...], "bounces": n}, each stint a dict of
    tier, holder (a name, or "" for triage), since, until (None: still), duration, and the move that ended
    it (action, reason, by).
    """
    now = now or timezone.now()
    moves = list(
        Event.objects.filter(ticket=ticket)
        .filter(
            Q(kind=EventKind.ASSIGNED)
            | Q(kind=EventKind.STATUS_CHANGED, action__in=["escalate", "de_escalate", "hand_back", "take"])
            | Q(kind=EventKind.TRIAGED, new__has_key="tier")
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    tier_moves = [event for event in moves if "tier" in (event.old or {})]
    tier = tier_moves[0].old["tier"] if tier_moves else ticket.tier
    stints: list[dict[str, Any]] = [{"tier": tier, "holder": "", "since": ticket.created_at}]
    for event in moves:
        new = event.new or {}
        holder = (new["assignee"] or {}).get("name") or "" if "assignee" in new else stints[-1]["holder"]
        tier = new.get("tier", stints[-1]["tier"])
        if (tier, holder) == (stints[-1]["tier"], stints[-1]["holder"]):
            continue
        stints[-1].update(
            until=event.created_at,
            action=event.action or event.kind,
            reason=event.note,
            by=(event.actor.get_full_name() or event.actor.email) if event.actor else "",
        )
        stints.append({"tier": tier, "holder": holder, "since": event.created_at})
    for stint in stints:
        stint.setdefault("until", None)
        stint["duration"] = (stint["until"] or now) - stint["since"]
    return {"stints": stints, "bounces": sum(1 for event in moves if event.action == "de_escalate")}


def ticket_timeline(ticket: Ticket, *, include_internal: bool, latest: int | None = None) -> tuple[list[dict], bool]:
    """Events and comments of a ticket in time order, as {"kind": "event"|"comment", "item": obj}, and whether
    earlier ones were left out: with `latest`, only that many of the most recent are read and returned.

    The requester's timeline leaves out internal notes, their files and staff-only events. Replies and
    notes are shown as comments, so their events are not listed twice.
    """
    events = Event.objects.filter(ticket=ticket).exclude(kind__in=["replied", "note_added"]).select_related("actor")
    comments = Comment.objects.filter(ticket=ticket).select_related("author")
    if not include_internal:
        events = events.filter(is_public=True)
        comments = comments.filter(is_internal=False)
    if latest is not None:
        # The newest `latest` + 1 of each (the indexes on ticket and time, read backwards): enough to know
        # the newest `latest` of both together, and whether anything came before them.
        events = events.order_by("-created_at", "-pk")[: latest + 1]
        comments = comments.order_by("-created_at", "-pk")[: latest + 1]
    # The comments' files in one query of the ticket's, run whether or not there are comments: the page's
    # query count stays the same for every ticket.
    files: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(ticket=ticket, comment__isnull=False).order_by("created_at", "pk"):
        files.setdefault(attachment.comment_id, []).append(attachment)  # type: ignore[arg-type]
    items = []
    for event in events:
        if not include_internal and event.action in workflow.PRIVATE_NOTE_ACTIONS:
            event.note = ""  # shown, not saved: the requester reads what happened, not the staff's reasons
        items.append({"kind": "event", "item": event, "at": event.created_at, "order": (0, event.pk)})
    for comment in comments:
        comment.files = files.get(comment.pk, [])  # type: ignore[attr-defined]
        items.append({"kind": "comment", "item": comment, "at": comment.created_at, "order": (1, comment.pk)})
    items.sort(key=lambda entry: (entry["at"], entry["order"]))
    if latest is not None and len(items) > latest:
        return items[-latest:], True
    return items, False


def ticket_first_attachments(ticket: Ticket) -> list[Attachment]:
    """Files sent with the report itself (no comment)."""
    return list(Attachment.objects.filter(ticket=ticket, comment__isnull=True))


def technicians_for_assignment() -> QuerySet[User]:
    """Active technicians with their profiles, by tier and name: the pickers' and the workload board's order."""
    return (
        User.objects.filter(is_active=True, technician_profile__isnull=False)
        .select_related("technician_profile")
        .order_by("technician_profile__tier", "first_name", "last_name", "pk")
    )


def devices_of_employee(employee: Employee | None) -> QuerySet[Device]:
    if employee is None:
        return Device.objects.none()
    return Device.objects.filter(assigned_to=employee).order_by("asset_tag")


def employees_matching(text: str, *, limit: int = 10) -> list[Employee]:
    """Employees found by employee number, email or name: exact matches first, as a coordinator types."""
    text = text.strip()
    if not text:
        return []
    active = Employee.objects.filter(is_active=True).select_related("department")
    exact = list(active.filter(Q(employee_number__iexact=text) | Q(email__iexact=text))[:limit])
    if exact:
        return exact
    condition = Q()
    for word in text.split():
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
    return list(active.filter(condition)[:limit])


def ticket_number_from(value) -> int | None:
    """1042 from "HD-1042", "hd-1042", "1042" or 1042; None from anything else."""
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value).strip().upper().removeprefix("HD-")
    if not text.isdigit() or len(text) > 18:
        return None
    number = int(text)
    return number if number > 0 else None


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


def dashboard_counts(*, now: datetime | None = None, categories: list[Category] | None = None) -> dict:
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
    names = {c.pk: (c.name, c.parent.name if c.parent else None) for c in categories}
    by_status = dict.fromkeys((status for status in TicketStatus if status in OPEN_STATUSES), 0)
    by_priority = dict.fromkeys(Priority, 0)
    by_tier = dict.fromkeys(Tier, 0)
    by_category: dict = {}
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
                "name": (f"{category['parent']} > {category['name']}" if category["parent"] else category["name"])
                or _("No category"),
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


def tickets_due_soon(*, now: datetime | None = None, limit: int = WATCH_LIMIT) -> list[Ticket]:
    """Open tickets close to or past a due time (first response not yet given, or resolution), the most
    pressing first. Each has `due_at` (the nearer of its two clocks), `due_clock` ("response" or
    "resolution") and `is_overdue`. Without service levels no ticket has a due time and the list is empty.

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
    for ticket in found.values():
        response = ticket.first_response_due_at if ticket.first_response_at is None else None
        clocks = [(at, name) for at, name in ((response, "response"), (ticket.resolution_due_at, "resolution")) if at]
        # Attached for the template; not model fields, so the stubs do not know them.
        ticket.due_at, ticket.due_clock = min(clocks, key=lambda clock: clock[0])  # type: ignore[attr-defined]
        ticket.is_overdue = ticket.due_at < now  # type: ignore[attr-defined]
    return sorted(found.values(), key=lambda ticket: (ticket.due_at, ticket.pk))[:limit]  # type: ignore[attr-defined]


def tickets_recently_escalated(*, now: datetime | None = None, limit: int = WATCH_LIMIT) -> list[dict]:
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


def _skills_prefetch(prefix: str = "technician_profile__skills") -> Prefetch:
    return Prefetch(prefix, queryset=Category.objects.select_related("parent").order_by("parent__name", "name"))


def technicians_workload(users: list[User] | None = None) -> list[User]:
    """Every active technician with tier, skills, availability, and open tickets by priority. Three queries,
    two when `users` (a list of technicians_for_assignment) is given.

    Each user carries `skill_names`, `open_total`, `open_by_priority` [(priority, count)] and `load_percent`.
    The open tickets are counted by (assignee, priority) alone, index-only on the partial index ticket_open_queue,
    rather than joined to every ticket a technician ever held.
    """
    if users is None:
        users = list(technicians_for_assignment())
    # Skills as the names the table shows, in one query: hundreds of Category objects are not needed.
    skills: dict[int, list[str]] = {}
    links = (
        TechnicianProfile.skills.through.objects.filter(
            technicianprofile_id__in=[user.technician_profile.pk for user in users]
        )
        .order_by("category__parent__name", "category__name")
        .values_list("technicianprofile_id", "category__name", "category__parent__name")
    )
    for profile_id, name, parent in links:
        skills.setdefault(profile_id, []).append(f"{parent} > {name}" if parent else name)
    counts: dict[int, dict[int, int]] = {}
    rows = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        .values_list("assignee_id", "priority")
        .annotate(n=Count("*"))
        .order_by()
    )
    for assignee_id, priority, n in rows:
        counts.setdefault(assignee_id, {})[priority] = n
    # The page reads the attributes set here: the stubs do not know them.
    for user in users:
        user.skill_names = skills.get(user.technician_profile.pk, [])  # type: ignore[attr-defined]
        capacity = user.technician_profile.capacity or 1
        own = counts.get(user.pk, {})
        user.open_by_priority = [(priority, own.get(priority, 0)) for priority in Priority]  # type: ignore[attr-defined]
        user.open_total = sum(own.values())  # type: ignore[attr-defined]
        user.load_percent = min(100, round(100 * user.open_total / capacity))  # type: ignore[attr-defined]
        user.is_full = user.open_total >= capacity  # type: ignore[attr-defined]
    return users


# --- choosing the technician -------------------------------------------------------------------


@dataclass
class Suggestion:
    """One technician for one ticket, with what their rank rests on, said in words."""

    technician: User
    skill_match: bool
    skill_names: list[str]
    tier: int
    tier_ok: bool
    open_count: int
    capacity: int
    is_available: bool
    solved_like_this: int
    qualified: bool = False
    rank: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def has_room(self) -> bool:
        return self.open_count < self.capacity

    @property
    def summary(self) -> str:
        return " · ".join(self.reasons)


def _open_count_subquery(outer: str = "pk"):
    counts = (
        Ticket.objects.filter(assignee=OuterRef(outer), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _skill_categories(category: Category | None) -> list[int]:
    """A skill in the category or in its parent ("Hardware" covers "Hardware > Printer")."""
    if category is None:
        return []
    return [pk for pk in (category.pk, category.parent_id) if pk]


def _suggestion_reasons(s: Suggestion, ticket: Ticket, category: Category | None) -> list[str]:
    reasons = []
    if category is None:
        reasons.append(_("no category yet"))
    elif s.skill_match:
        reasons.append(_("skills: %(skills)s") % {"skills": ", ".join(s.skill_names)})
    else:
        reasons.append(_("no skill in %(category)s") % {"category": category.name})
    if s.tier_ok:
        reasons.append(_("tier %(tier)s") % {"tier": s.tier})
    else:
        reasons.append(_("tier %(tier)s, below the ticket's tier %(needed)s") % {"tier": s.tier, "needed": ticket.tier})
    reasons.append(_("%(open)s of %(capacity)s open") % {"open": s.open_count, "capacity": s.capacity})
    if not s.has_room:
        reasons.append(_("at capacity"))
    if not s.is_available:
        reasons.append(_("away"))
    reasons.append(
        ngettext(
            "solved %(count)s like this in the last year",
            "solved %(count)s like this in the last year",
            s.solved_like_this,
        )
        % {"count": s.solved_like_this}
    )
    return reasons


def suggestion_order(s: Suggestion, ticket: Ticket):
    """Qualified first; then skill, availability, tier, room; the closest tier (keep tier 3 for tier 3 work),
    the lightest load against capacity, the most solved like this; the id breaks the remaining ties."""
    return (
        not s.qualified,
        not s.skill_match,
        not s.is_available,
        not s.tier_ok,
        not s.has_room,
        s.tier - ticket.tier if s.tier_ok else 0,
        Fraction(s.open_count, max(s.capacity, 1)),
        -s.solved_like_this,
        s.technician.pk,
    )


def is_qualified(s: Suggestion, ticket: Ticket) -> bool:
    """May take this ticket now: skilled in its category (when it has one), of its tier or above, available,
    with room under their capacity."""
    skilled = s.skill_match or not ticket.category_id
    return skilled and s.tier_ok and s.is_available and s.has_room and s.technician.is_active


_AS_SAVED = object()


def technician_suggestions(ticket: Ticket, *, category=_AS_SAVED, tier: int | None = None) -> list[Suggestion]:
    """Every active technician ranked for `ticket`, best first, each with the reasons in words. Three queries
    (four when the ticket's category and device are not loaded), whatever the number of technicians.

    `category` and `tier` rank for a triage not saved yet (what a coordinator has chosen in a row);
    the ticket itself is not changed.
    """
    if category is not _AS_SAVED or tier is not None:
        preview = Ticket(pk=ticket.pk, device=ticket.device if ticket.device_id else None)
        preview.category = ticket.category if category is _AS_SAVED else category
        preview.tier = ticket.tier if tier is None else tier
        ticket = preview
    category = ticket.category if ticket.category_id else None
    skill_ids = _skill_categories(category)
    through = TechnicianProfile.skills.through
    annotations = {
        "open_count": _open_count_subquery(),
        "skill_match": Exists(
            through.objects.filter(technicianprofile_id=OuterRef("technician_profile__pk"), category_id__in=skill_ids)
        )
        if skill_ids
        else Value(False),
    }
    # The tally of solved tickets (tickets/tally.py), by this category or this device model: a few rows.
    model = ticket.device.model if ticket.device_id and ticket.device else ""
    solved = tally.solved_like(category_id=category.pk if category else None, device_model=model)
    if ticket.status in SOLVED_STATUSES and (own := tally.bucket_of(ticket)) and own.month >= tally.first_month():
        solved[own.technician_id] = max(0, solved.get(own.technician_id, 0) - 1)  # not "like itself"
    users = (
        User.objects.filter(is_active=True, technician_profile__isnull=False)
        .select_related("technician_profile")
        .prefetch_related(_skills_prefetch())
        .annotate(**annotations)
    )
    suggestions = []
    # skill_match and open_count come from annotate(**annotations): the stubs cannot see them.
    for user in users:
        profile = user.technician_profile
        suggestion = Suggestion(
            technician=user,
            skill_match=bool(user.skill_match),  # type: ignore[attr-defined]
            skill_names=[skill.name for skill in profile.skills.all() if not skill_ids or skill.pk in skill_ids]
            or [skill.name for skill in profile.skills.all()],
            tier=profile.tier,
            tier_ok=profile.tier >= ticket.tier,
            open_count=user.open_count,  # type: ignore[attr-defined]
            capacity=profile.capacity,
            is_available=profile.is_available,
            solved_like_this=solved.get(user.pk, 0),
        )
        suggestion.qualified = is_qualified(suggestion, ticket)
        suggestion.reasons = _suggestion_reasons(suggestion, ticket, category)
        suggestions.append(suggestion)
    suggestions.sort(key=lambda s: suggestion_order(s, ticket))
    for rank, suggestion in enumerate(suggestions, start=1):
        suggestion.rank = rank
    return suggestions


# --- the staff ticket list ---------------------------------------------------------------------

# Sort name -> order; each is served by an index (tickets.models.Ticket.Meta.indexes). Names of people
# and categories sort through their own small tables, then the ticket's (foreign key, id) index.
TICKET_SORTS: dict[str, tuple[str, ...]] = {
    "number": ("id",),
    "subject": ("subject", "id"),
    "status": ("status", "id"),
    "priority": ("priority", "id"),
    "tier": ("tier", "id"),
    "requester": ("requester__last_name", "requester__first_name", "requester_id", "id"),
    "assignee": ("assignee__first_name", "assignee__last_name", "assignee_id", "id"),
    "category": ("category__name", "category_id", "id"),
    "created": ("created_at", "id"),
    "updated": ("updated_at", "id"),
    "due": ("resolution_due_at", "id"),
}
DEFAULT_SORT = "-created"


# Columns that may be empty: sorted with the empty ones last either way. The others are sorted plainly, so
# that the order is exactly the one of their index (a "NULLS LAST" on a column that is never null stops
# PostgreSQL from walking a descending index backwards, and it sorts the whole table instead).
#
# A sort that begins with one of these, in one query, makes PostgreSQL sort every ticket of the list: the
# outer join that keeps tickets without an assignee stops it from reading the names' index in order, and
# "latest due first, empty last" is not the due-time index read backwards. ticket_page reads such a list
# in two parts, each in the order of an index (SPLIT_SORTS).
NULLABLE_SORT_COLUMNS = frozenset(
    {
        "resolution_due_at",
        "assignee__first_name",
        "assignee__last_name",
        "assignee_id",
        "category__name",
        "category_id",
    }
)


# The sort names that begin with such a column, each with the field that is empty when the ticket lacks the
# value: assignee, category, resolution_due_at.
SPLIT_SORTS = {
    key: names[0].partition("__")[0] for key, names in TICKET_SORTS.items() if names[0] in NULLABLE_SORT_COLUMNS
}


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    names = TICKET_SORTS.get(sort.lstrip("-")) or TICKET_SORTS["created"]
    if sort.lstrip("-") not in TICKET_SORTS:
        descending = True
    if descending:
        return [F(name).desc(nulls_last=True) if name in NULLABLE_SORT_COLUMNS else F(name).desc() for name in names]
    return [F(name).asc(nulls_last=True) if name in NULLABLE_SORT_COLUMNS else F(name).asc() for name in names]


def tickets_filtered(user, filters: dict, *, sort: str = DEFAULT_SORT) -> QuerySet[Ticket]:
    """The staff list: `tickets_visible_to(user)` narrowed by clean filters (tickets.forms.TicketFilterForm).

    Starts from what `user` may see, so no filter can ever widen it.
    """
    qs = tickets_visible_to(user)
    status = filters.get("status") or ""
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    for name in ("priority", "tier", "category", "requester", "project"):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    assignee = filters.get("assignee")
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee=assignee)
    if filters.get("department"):
        qs = qs.filter(requester__department=filters["department"])
    if filters.get("location"):
        qs = qs.filter(requester__location=filters["location"])
    if filters.get("device_model"):
        qs = qs.filter(device__model=filters["device_model"])
    # Days of the viewer's time zone as ranges of moments, so the column's own index serves them (a
    # `__date` lookup casts every row's value first and reads the whole table).
    for column, start, end in (
        ("created_at", "created_from", "created_to"),
        ("resolution_due_at", "due_from", "due_to"),
    ):
        if filters.get(start):
            qs = qs.filter(_day_bound(column, filters[start], first=True))
        if filters.get(end):
            qs = qs.filter(_day_bound(column, filters[end], first=False))
    text = (filters.get("q") or "").strip()
    if text:
        # The subject's trigram index (PostgreSQL) serves the substring match.
        condition = Q(subject__icontains=text)
        number = ticket_number_from(text)
        if number is not None:
            condition |= Q(pk=number)
        qs = qs.filter(condition)
    return tickets_for_list(qs.select_related("requester__department", "project")).order_by(*_ordering(sort))


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_bound(column: str, day: date, *, first: bool) -> Q:
    """`column` on or after `day` (first) or on or before it. Nothing comes before the first date there is
    or after the last, and a moment there would overflow: such a bound asks only that there is a value."""
    if first and day > date.min:
        return Q(**{f"{column}__gte": _start_of_day(day)})
    if not first and day < date.max:
        return Q(**{f"{column}__lt": _start_of_day(day + timedelta(days=1))})
    return Q(**{f"{column}__isnull": False})


def _split_by_emptiness(qs: QuerySet[Ticket], sort: str) -> tuple[QuerySet[Ticket], QuerySet[Ticket]] | None:
    """For a sort in SPLIT_SORTS: the tickets that have the sorted name, in its order, and those that have
    none, by number; None for the other sorts."""
    key = sort.lstrip("-")
    if key not in SPLIT_SORTS:
        return None
    descending = sort.startswith("-")
    names = TICKET_SORTS[key]
    # A condition on the other table's name makes the join an inner one, which PostgreSQL can drive from
    # that table's name index (the name of an assignee or a category is never empty).
    filled = qs.filter(**{f"{names[0]}__isnull": False}).order_by(
        *(F(name).desc() if descending else F(name).asc() for name in names)
    )
    empty = qs.filter(**{f"{SPLIT_SORTS[key]}__isnull": True}).order_by("-id" if descending else "id")
    return filled, empty


def ticket_page(qs: QuerySet[Ticket], page_number: int, *, sort: str = DEFAULT_SORT, per_page: int = 50) -> dict:
    """One page of `qs` (ordered by `sort`) without counting the whole set (a count of a million rows is
    the slow part): one query, one row more than the page to know whether there is a next one.

    A sort in SPLIT_SORTS reads the page from its two parts. Among the tickets that have the value, the
    page's numbers first (the indexes alone: a technician's or a category's tickets are sorted by number
    from the index, not from the table) and then those rows; the tickets without the value, for a page that
    reaches past the others, with a count of the others only for a page wholly beyond them."""
    page_number = max(1, page_number)
    offset = (page_number - 1) * per_page
    wanted = per_page + 1
    parts = _split_by_emptiness(qs, sort)
    if parts is None:
        rows = list(qs[offset : offset + wanted])
    else:
        filled, empty = parts
        numbers = list(filled.values_list("pk", flat=True)[offset : offset + wanted])
        found = {ticket.pk: ticket for ticket in qs.filter(pk__in=numbers).order_by()} if numbers else {}
        rows = [found[number] for number in numbers if number in found]
        if len(numbers) < wanted:
            skip = 0 if numbers or not offset else offset - filled.count()
            rows += list(empty[skip : skip + wanted - len(numbers)])
    return {
        "object_list": rows[:per_page],
        "number": page_number,
        "has_previous": page_number > 1,
        "has_next": len(rows) > per_page,
        "previous_page_number": page_number - 1,
        "next_page_number": page_number + 1,
    }


def saved_filters_of(user) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")


# --- projects ----------------------------------------------------------------------------------


def projects_for_list() -> QuerySet[Project]:
    open_q = Q(tickets__status__in=OPEN_STATUSES)
    return (
        Project.objects.select_related("project_manager", "facilities_contact", "location")
        .annotate(open_count=Count("tickets", filter=open_q), ticket_count=Count("tickets"))
        .order_by("-created_at", "-pk")
    )


def project_progress(project: Project) -> dict:
    """Open and finished tickets of a project by status and by tier, and the time spent. One query."""
    tickets = Ticket.objects.filter(project=project)
    aggregates = {"total": Count("pk"), "minutes": Coalesce(Sum("time_spent_minutes"), 0)}
    for status in TicketStatus:
        aggregates[f"status_{status.value}"] = Count("pk", filter=Q(status=status))
    for tier in Tier:
        aggregates[f"tier_{tier.value}_open"] = Count("pk", filter=Q(tier=tier, status__in=OPEN_STATUSES))
        aggregates[f"tier_{tier.value}_done"] = Count(
            "pk", filter=Q(tier=tier, status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
        )
    totals = tickets.aggregate(**aggregates)
    by_status = [(status, status.label, totals[f"status_{status.value}"]) for status in TicketStatus]
    open_count = sum(count for status, _label, count in by_status if status in OPEN_STATUSES)
    resolved = totals[f"status_{TicketStatus.RESOLVED.value}"] + totals[f"status_{TicketStatus.CLOSED.value}"]
    counted = open_count + resolved  # cancelled tickets do not count towards progress
    return {
        "total": totals["total"],
        "open": open_count,
        "resolved": resolved,
        "percent_done": round(100 * resolved / counted) if counted else 0,
        "by_status": [row for row in by_status if row[2]],
        "by_tier": [
            (tier, tier.label, totals[f"tier_{tier.value}_open"], totals[f"tier_{tier.value}_done"]) for tier in Tier
        ],
        "minutes": totals["minutes"],
    }


def tickets_of_project(project: Project) -> QuerySet[Ticket]:
    return tickets_for_list(Ticket.objects.filter(project=project)).order_by("status", "priority", "pk")
