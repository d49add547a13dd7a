"""Ticket lists: what a role sees, the queues, the search, and the staff list with its sorts and pages.

Every list starts from tickets.permissions.tickets_visible_to. Lists stay at a fixed number of queries,
whatever their length.
"""

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Someone, can
from assets.models import Device, Employee
from core.days import desk_zone
from tickets.models import (
    OPEN_STATUSES,
    SOLVED_STATUSES,
    Category,
    Event,
    ReportAs,
    SavedFilter,
    Ticket,
    TicketStatus,
    TrainingSetup,
)
from tickets.permissions import ticket_number_from, tickets_visible_to

# What a row of a ticket table shows. Each join costs planning time on every query, whatever the data size
# (with seven joins PostgreSQL plans longer than it runs): lists join what they show, nothing more.
LIST_RELATED = ("requester", "assignee", "category", "category__parent")


def tickets_for_list(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.select_related(*LIST_RELATED)


def tickets_of_requester(user: Someone) -> tuple[QuerySet[Ticket], QuerySet[Ticket]]:
    """(open, past) tickets of the requester, the most recently changed first.

    Filtered on the requester's own employee id, which is the visibility rule for a requester
    (tickets_visible_to) without its join, so the (requester, -updated_at) index serves the order.
    """
    employee = getattr(user, "employee", None)
    if employee is None or not can(user, "tickets.view_own"):
        return Ticket.objects.none(), Ticket.objects.none()
    qs = tickets_for_list(Ticket.objects.filter(requester_id=employee.pk)).order_by("-updated_at", "-pk")
    return qs.filter(status__in=OPEN_STATUSES), qs.exclude(status__in=OPEN_STATUSES)


def tickets_about_employee(user: Someone, employee: Employee) -> QuerySet[Ticket]:
    """Every ticket of one employee that `user` may see, newest first (the employee page)."""
    return tickets_for_list(tickets_visible_to(user).filter(requester=employee)).order_by("-created_at", "-pk")


def tickets_about_device(user: Someone, device: Device) -> QuerySet[Ticket]:
    """The full ticket history of one device that `user` may see, newest first (the device page)."""
    return tickets_for_list(tickets_visible_to(user).filter(device=device)).order_by("-created_at", "-pk")


def _queue_order(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.order_by("priority", F("resolution_due_at").asc(nulls_last=True), "created_at", "pk")


def tickets_queue_for(user: User, *, status: str = "", category: Category | None = None) -> QuerySet[Ticket]:
    """A technician's open tickets, most urgent first: priority, then due time."""
    qs = Ticket.objects.filter(assignee=user)
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATUSES)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    return _queue_order(tickets_for_list(qs))


def tickets_unassigned_for_tier(user: Someone, *, category: Category | None = None) -> QuerySet[Ticket]:
    """New tickets nobody holds, of the technician's tier, for them to take."""
    profile = getattr(user, "technician_profile", None)
    tier = profile.tier if profile else 1
    qs = Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True, tier=tier)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    # Most urgent, then oldest: the order of the triage list, served by the partial index on new tickets.
    return tickets_for_list(qs).order_by("priority", "created_at", "pk")


def tickets_search(user: Someone, *, query: str = "", status: str = "") -> QuerySet[Ticket]:
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


def _ordering(sort: str) -> list[OrderBy]:
    descending = sort.startswith("-")
    names = TICKET_SORTS.get(sort.lstrip("-")) or TICKET_SORTS["created"]
    if sort.lstrip("-") not in TICKET_SORTS:
        descending = True
    if descending:
        return [F(name).desc(nulls_last=True) if name in NULLABLE_SORT_COLUMNS else F(name).desc() for name in names]
    return [F(name).asc(nulls_last=True) if name in NULLABLE_SORT_COLUMNS else F(name).asc() for name in names]


def tickets_filtered(user: Someone, filters: dict[str, Any], *, sort: str = DEFAULT_SORT) -> QuerySet[Ticket]:
    """The staff list: `tickets_visible_to(user)` narrowed by clean filters (tickets.forms.TicketFilterForm).

    Starts from what `user` may see, so no filter can ever widen it. The filters the Insight reports link
    with select exactly the tickets a figure counts (reports.rollups: `ticket_figures`, `event_figures`).
    """
    qs = tickets_visible_to(user)
    status = filters.get("status") or ""
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "solved":
        qs = qs.filter(status__in=SOLVED_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    for name in ("priority", "tier", "category", "requester", "project", "channel", "resolution_code", "device"):
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
    qs = qs.filter(_figure_conditions(filters))
    # Days of the viewer's time zone, or of the desk's for the reports' links (they count the desk's days), as
    # ranges of moments, so the column's own index serves them (a `__date` lookup casts every row's value
    # first and reads the whole table).
    zone = _days_zone(filters)
    for column, start, end in (
        ("created_at", "created_from", "created_to"),
        ("resolution_due_at", "due_from", "due_to"),
        ("resolved_at", "resolved_from", "resolved_to"),
    ):
        if filters.get(start):
            qs = qs.filter(_day_bound(column, filters[start], first=True, zone=zone))
        if filters.get(end):
            qs = qs.filter(_day_bound(column, filters[end], first=False, zone=zone))
    # A ticket is created before it is resolved and before anything happens to it: a bound on either is one
    # on its creation too, which lets the list's own order (newest first) start where the matches are
    # instead of walking every later ticket (PostgreSQL cannot know that old resolutions are old tickets').
    implied: list[date | None] = [
        filters.get("resolved_to"),
        filters.get("activity_to") if filters.get("activity") else None,
    ]
    for last_day in implied:
        if last_day:
            qs = qs.filter(_day_bound("created_at", last_day, first=False, zone=zone))
    if filters.get("open_on"):
        moment = _start_of_day(filters["open_on"] + timedelta(days=1), zone)
        finished = Q(status__in=SOLVED_STATUSES, resolved_at__lt=moment) | Q(
            status=TicketStatus.CANCELLED, closed_at__lt=moment
        )
        qs = qs.filter(created_at__lt=moment).exclude(finished)
    if filters.get("resolved_from") or filters.get("resolved_to"):
        # As the rollups count a resolution: of a ticket resolved or closed now (the status, resolved_at
        # index then serves the range too).
        qs = qs.filter(status__in=SOLVED_STATUSES)
    if filters.get("activity"):
        qs = qs.filter(Exists(_activity_events(filters, zone).filter(ticket=OuterRef("pk"))))
    text = (filters.get("q") or "").strip()
    if text:
        # The subject's trigram index (PostgreSQL) serves the substring match.
        condition = Q(subject__icontains=text)
        number = ticket_number_from(text)
        if number is not None:
            condition |= Q(pk=number)
        qs = qs.filter(condition)
    return tickets_for_list(qs.select_related("requester__department", "project")).order_by(*_ordering(sort))


# yes/no filter -> the condition "yes" means; "no" is its opposite on the same column.
_YES_NO = {
    "escalated": (Q(escalation_count__gt=0), Q(escalation_count=0)),
    "reopened": (Q(reopen_count__gt=0), Q(reopen_count=0)),
    # "no" is False, not unmeasured (null): the reports count met of measured.
    "response_met": (Q(response_met=True), Q(response_met=False)),
    "resolution_met": (Q(resolution_met=True), Q(resolution_met=False)),
}


def _figure_conditions(filters: dict[str, Any]) -> Q:
    """The conditions of the reports' own measures (reports.rollups.ticket_figures) the filters ask for."""
    condition = Q()
    for name, (yes, no) in _YES_NO.items():
        if filters.get(name) == "yes":
            condition &= yes
        elif filters.get(name) == "no":
            condition &= no
    if filters.get("first_contact") == "yes":
        condition &= Q(tier=1, escalation_count=0)
    if filters.get("responded") == "yes":
        condition &= Q(response_minutes__isnull=False)
    if filters.get("report_as"):
        condition &= Q(category__report_as=filters["report_as"])
    if filters.get("how_to") == "yes":
        # A category of questions of knowing how, or a solution that was guidance.
        condition &= Q(category__report_as=ReportAs.HOW_TO) | Q(
            status__in=SOLVED_STATUSES, resolved_at__isnull=False, resolution_code__in=sorted(TrainingSetup.codes())
        )
    return condition


def _days_zone(filters: dict[str, Any]) -> tzinfo:
    """The zone whose days the date filters count: the desk's (settings.TIME_ZONE) for "days=desk", the
    viewer's otherwise."""
    if filters.get("days") == "desk":
        return desk_zone()
    return timezone.get_current_timezone()


# Activity filter -> the Event actions it counts (reports.rollups.ACTIVITY).
ACTIVITY_ACTIONS = {
    "escalations_sent": ("escalate",),
    "escalations_received": ("escalate",),
    "reopened_after": ("reopen", "reopen_closed"),
    "time_logged": ("log_time",),
}


def _activity_events(filters: dict[str, Any], zone: tzinfo) -> QuerySet[Event]:
    """The Events that count for a technician's activity (reports.rollups.event_figures, to the letter):
    of `activity_by` when given, of anyone otherwise, on the days asked."""
    kind = filters["activity"]
    person = filters.get("activity_by")
    events = Event.objects.filter(action__in=ACTIVITY_ACTIONS[kind]).annotate(
        held_before=KT("old__assignee__id"), held_after=KT("new__assignee__id"), minutes=KT("new__minutes")
    )
    # A holder kept as null, as "" or not at all is nobody (rollups: `held`).
    nobody_before = Q(held_before__isnull=True) | Q(held_before="")
    if kind == "escalations_sent":
        # The escalation counts for who held the ticket, or for who escalated it when nobody did.
        condition = (
            Q(held_before=str(person)) | (nobody_before & Q(actor_id=person))
            if person
            else ~nobody_before | Q(actor_id__isnull=False)
        )
    elif kind == "escalations_received":
        condition = Q(held_after=str(person)) if person else ~(Q(held_after__isnull=True) | Q(held_after=""))
    elif kind == "reopened_after":
        condition = Q(held_before=str(person)) if person else ~nobody_before
    else:
        condition = Q(actor_id=person) if person else Q(actor_id__isnull=False)
        condition &= Q(minutes__isnull=False) & ~Q(minutes__in=("", "0"))
    events = events.filter(condition)
    if filters.get("activity_from"):
        events = events.filter(_day_bound("created_at", filters["activity_from"], first=True, zone=zone))
    if filters.get("activity_to"):
        events = events.filter(_day_bound("created_at", filters["activity_to"], first=False, zone=zone))
    return events.order_by()


def _start_of_day(day: date, zone: tzinfo | None = None) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), zone)


def _day_bound(column: str, day: date, *, first: bool, zone: tzinfo | None = None) -> Q:
    """`column` on or after `day` (first) or on or before it, in `zone`'s days (the current time zone's by
    default). Nothing comes before the first date there is or after the last, and a moment there would
    overflow: such a bound asks only that there is a value."""
    if first and day > date.min:
        return Q(**{f"{column}__gte": _start_of_day(day, zone)})
    if not first and day < date.max:
        return Q(**{f"{column}__lt": _start_of_day(day + timedelta(days=1), zone)})
    return Q(**{f"{column}__isnull": False})


def split_by_emptiness(qs: QuerySet[Ticket], sort: str) -> tuple[QuerySet[Ticket], QuerySet[Ticket]] | None:
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


def ticket_page(
    qs: QuerySet[Ticket], page_number: int, *, sort: str = DEFAULT_SORT, per_page: int = 50
) -> dict[str, Any]:
    """One page of `qs` (ordered by `sort`) without counting the whole set (a count of a million rows is
    the slow part): one query, one row more than the page to know whether there is a next one.

    A sort in SPLIT_SORTS reads the page from its two parts. Among the tickets that have the value, the
    page's numbers first (the indexes alone: a technician's or a category's tickets are sorted by number
    from the index, not from the table) and then those rows; the tickets without the value, for a page that
    reaches past the others, with a count of the others only for a page wholly beyond them."""
    page_number = max(1, page_number)
    offset = (page_number - 1) * per_page
    wanted = per_page + 1
    parts = split_by_emptiness(qs, sort)
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


def saved_filters_of(user: User) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")
