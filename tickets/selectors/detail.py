"""One ticket's page: its timeline, tier chain, attachments, and the recent tickets beside it; the pickers' reads."""

from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from django.db.models import Q, QuerySet
from django.utils import timezone

from assets.models import Device, Employee
from tickets import workflow
from tickets.models import (
    Attachment,
    Comment,
    Event,
    EventKind,
    Ticket,
    TicketLink,
)


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


def ticket_tier_chain(ticket: Ticket, *, now: datetime | None = None) -> dict[str, Any]:
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


class TimelineEntry(TypedDict):
    """One line of a ticket's timeline: an event, or a comment with the files sent with it."""

    kind: Literal["event", "comment"]
    item: Event | Comment
    at: datetime
    order: tuple[int, int]
    files: list[Attachment]  # a comment's; none for an event
    key: NotRequired[str]  # an event's kept markup (the ticket page sets it)


def ticket_timeline(
    ticket: Ticket, *, include_internal: bool, latest: int | None = None
) -> tuple[list[TimelineEntry], bool]:
    """Events and comments of a ticket in time order, as TimelineEntry, and whether earlier ones were left
    out: with `latest`, only that many of the most recent are read and returned.

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
    files: dict[int | None, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(ticket=ticket, comment__isnull=False).order_by("created_at", "pk"):
        files.setdefault(attachment.comment_id, []).append(attachment)
    items: list[TimelineEntry] = []
    for event in events:
        if not include_internal and event.action in workflow.PRIVATE_NOTE_ACTIONS:
            event.note = ""  # shown, not saved: the requester reads what happened, not the staff's reasons
        items.append({"kind": "event", "item": event, "at": event.created_at, "order": (0, event.pk), "files": []})
    for comment in comments:
        files_sent = files.get(comment.pk, [])
        items.append(
            {
                "kind": "comment",
                "item": comment,
                "at": comment.created_at,
                "order": (1, comment.pk),
                "files": files_sent,
            }
        )
    items.sort(key=lambda entry: (entry["at"], entry["order"]))
    if latest is not None and len(items) > latest:
        return items[-latest:], True
    return items, False


def tickets_related(ticket: Ticket, *, limit: int = 20) -> list[Ticket]:
    """The tickets linked to `ticket` as related, the latest first: two queries, each from an index (one
    condition on either side of the pair would have PostgreSQL read every ticket)."""
    numbers = tickets_related_ids(ticket)
    if not numbers:
        return []
    return list(Ticket.objects.filter(pk__in=numbers).select_related("assignee").order_by("-pk")[:limit])


def tickets_related_ids(ticket: Ticket) -> list[int]:
    """The numbers of the tickets linked to `ticket` as related: one query."""
    pairs = TicketLink.objects.filter(Q(first=ticket) | Q(second=ticket)).values_list("first_id", "second_id")
    return [second if first == ticket.pk else first for first, second in pairs]


def ticket_first_attachments(ticket: Ticket) -> list[Attachment]:
    """Files sent with the report itself (no comment)."""
    return list(Attachment.objects.filter(ticket=ticket, comment__isnull=True))


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
