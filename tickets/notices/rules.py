"""Who hears what: from one ticket Event to the outbox rows it causes.

Called inside the transaction that wrote the Event (tickets.services._change.record, through
tickets.notifications.notify), so the rows commit with it or not at all. Internal events (notes, triage,
time) reach no requester and no watcher. Nobody is told of their own action, except the receipt for a
ticket they submitted. Each person's preferences decide the channel: email at once, the daily digest, or
in the app only; kinds they switched off are skipped. People hear the coordinators' news by capability
(accounts.permissions), so whoever is offered a kind on their profile (notifications.kinds.offered_to_role)
is the one who is sent it.
"""

from dataclasses import dataclass
from typing import Any

from accounts.models import User
from accounts.permissions import can, roles_with
from notifications.models import Notification
from notifications.queue import notifications_for
from tickets.models import Comment, Event, EventKind, Ticket, Watcher, mail_sender_label
from tickets.notices.kinds import AUDIENCE, NotificationKind


@dataclass(frozen=True)
class Recipient:
    user: User | None
    email: str
    # Set for a watcher: their messages carry a link to stop them, and no link to a page they cannot open.
    watcher_id: int | None = None


def _status_kind(action: str) -> str | None:
    """The requester's news for a status change, by the workflow action that caused it."""
    return {
        "take": NotificationKind.ASSIGNED,
        "start": NotificationKind.STATUS_CHANGED,
        "wait_on_requester": NotificationKind.WAITING_ON_YOU,
        "wait_on_vendor": NotificationKind.STATUS_CHANGED,
        "resume": NotificationKind.STATUS_CHANGED,
        "resolve": NotificationKind.RESOLVED,
        "close": NotificationKind.CLOSED,
        "cancel": NotificationKind.STATUS_CHANGED,
        "reopen_closed": NotificationKind.STATUS_CHANGED,
        "escalate": NotificationKind.ESCALATED,
    }.get(action)


def _holders(kind: str, **filters: Any) -> list[Recipient]:
    """The active people whose role holds the capability that `kind` is offered by."""
    audience = AUDIENCE[kind]
    assert audience is not None, kind
    people = User.objects.filter(role__in=roles_with(audience), is_active=True, **filters)
    return [Recipient(person, person.email) for person in people]


def notifications_for_event(event: Event) -> list[Notification]:
    """The unsaved outbox rows one Event causes."""
    ticket = event.ticket
    actor = event.actor
    requester = _requester_of(ticket)
    assignee = ticket.assignee
    base = _snapshot(event)
    wanted: list[tuple[Recipient, str, dict[str, Any]]] = []

    def to_requester(kind: str, **extra: Any) -> None:
        if requester is not None:
            wanted.append((requester, kind, {**base, **extra}))
        if event.is_public:
            for watcher in _watchers(ticket):
                wanted.append((watcher, kind, {**base, **extra}))

    def to_assignee(kind: str, who: User | None = None, **extra: Any) -> None:
        who = who or assignee
        if who is not None:
            wanted.append((Recipient(who, who.email), kind, {**base, **extra}))

    if event.kind == EventKind.CREATED:
        to_requester(NotificationKind.RECEIVED)
        for coordinator in _holders(NotificationKind.NEW_TICKET, notify_new_tickets=True):
            wanted.append((coordinator, NotificationKind.NEW_TICKET, base))
    elif event.kind == EventKind.ASSIGNED:
        to_requester(NotificationKind.ASSIGNED)
        to_assignee(NotificationKind.ASSIGNED_TO_YOU, body=event.note)
    elif event.kind == EventKind.STATUS_CHANGED:
        action = event.action
        if action in ("reopen", "reopen_closed"):
            to_assignee(NotificationKind.REOPENED, body=event.note)
        if action == "de_escalate" and assignee is not None:
            to_assignee(NotificationKind.ASSIGNED_TO_YOU, body=event.note)
        if action == "escalate":
            to_assignee(NotificationKind.ESCALATED_TO_YOU, body=event.note)
            previous = (event.old or {}).get("assignee") or {}
            if previous.get("id") and previous.get("id") != getattr(assignee, "pk", None):
                to_assignee(NotificationKind.ESCALATED_TO_YOU, who=User.objects.filter(pk=previous["id"]).first())
        if action == "resume" and actor is None:
            pass  # the requester's own answer put it back to work: they know
        elif action == "wait_on_requester":
            to_requester(NotificationKind.WAITING_ON_YOU, body=event.note)
        elif action == "resolve":
            to_requester(NotificationKind.RESOLVED, resolution_notes=ticket.resolution_notes)
        elif (kind := _status_kind(action)) is not None and event.is_public:
            to_requester(kind, body=event.note if action in ("cancel", "close") else "")
    elif event.kind == EventKind.REPLIED:
        body = _comment_body(event)
        # A reply by mail says who wrote it, login or not (tickets.services.comment_add_by_mail).
        sender = (event.new or {}).get("sender") or {}
        by_requester = sender.get("requester") or (
            actor is not None and requester is not None and actor == requester.user
        )
        if by_requester:
            to_assignee(NotificationKind.REQUESTER_REPLIED, body=body)
            # Watchers still follow the conversation.
            for watcher in _watchers(ticket):
                wanted.append((watcher, NotificationKind.REPLY, {**base, "body": body}))
        elif actor is not None and can(actor, "tickets.work"):
            to_requester(NotificationKind.REPLY, body=body)
        else:
            # A watcher answered: the holder hears of it, the requester and the other watchers read it.
            to_assignee(NotificationKind.FOLLOWER_REPLIED, body=body)
            to_requester(NotificationKind.REPLY, body=body)
    elif event.kind == EventKind.WATCHERS_CHANGED and event.action == "watch":
        added = Watcher.objects.filter(pk=(event.new or {}).get("watcher_id", 0)).select_related("user").first()
        if added is not None:
            wanted.append((_watcher_recipient(added), NotificationKind.WATCHER_ADDED, base))
    elif event.kind == EventKind.ALERTED and event.action == "sla_warning":
        to_assignee(NotificationKind.SLA_WARNING)
    elif event.kind == EventKind.ALERTED and event.action == "sla_breach":
        # Which due time passed (first response or resolution) makes the subject: tickets.notices.kinds.
        target = {"breach_target": (event.new or {}).get("target", "")}
        to_assignee(NotificationKind.BREACH, body=event.note, **target)
        if (event.new or {}).get("notify_coordinators", True):
            for coordinator in _holders(NotificationKind.BREACH):
                wanted.append((coordinator, NotificationKind.BREACH, {**base, **target}))
    elif event.kind == EventKind.ALERTED and event.action == "triage_stale":
        for coordinator in _holders(NotificationKind.TRIAGE_STALE):
            wanted.append((coordinator, NotificationKind.TRIAGE_STALE, base))
    elif event.kind == EventKind.VISIT and event.action in ("book", "reschedule", "cancel"):
        # To the requester alone, with the calendar invitation: a watcher is not visited.
        kind = NotificationKind.VISIT_CANCELLED if event.action == "cancel" else NotificationKind.VISIT_BOOKED
        if requester is not None:
            wanted.append((requester, kind, {**base, **_visit_values(event)}))
    elif event.kind == EventKind.VISIT and event.action == "ask_change":
        technician = User.objects.filter(pk=(event.new or {}).get("visit_technician_id") or 0).first()
        to_assignee(
            NotificationKind.VISIT_CHANGE_ASKED, who=technician or assignee, body=event.note, **_visit_values(event)
        )
    elif event.kind == EventKind.ALERTED and event.action == "repair_overdue":
        sender = User.objects.filter(pk=(event.new or {}).get("sent_by") or 0).first()
        values = {name: (event.new or {}).get(name, "") for name in ("device", "vendor", "expected_back")}
        to_assignee(NotificationKind.REPAIR_OVERDUE, who=assignee or sender, **values)
    # Internal events (notes, triage, time logged) tell no requester and no watcher.

    return _rows(event, wanted)


def _rows(event: Event, wanted: list[tuple[Recipient, str, dict[str, Any]]]) -> list[Notification]:
    rows: list[Notification] = []
    seen: set[tuple[str, str]] = set()
    actor_id = event.actor_id
    # Who wrote a reply by mail without a login: never sent their own words back.
    writer = str(((event.new or {}).get("sender") or {}).get("email", "")).lower() if event.actor_id is None else ""
    for recipient, kind, context in wanted:
        user = recipient.user
        address = (user.email if user else recipient.email).strip()
        if writer and address.lower() == writer:
            continue
        # The receipt for a new ticket goes to the person who submitted it too: it carries the number.
        told_of_own_action = user is not None and user.pk == actor_id and kind != NotificationKind.RECEIVED
        if told_of_own_action:
            continue
        if not address and user is None:
            continue
        key = (str(user.pk) if user else address.lower(), kind)
        if key in seen:
            continue
        seen.add(key)
        if recipient.watcher_id is not None:
            # A watcher with a login may open the ticket's page (its public part); one by address may not.
            context = {**context, "watcher_id": recipient.watcher_id, "watcher_signs_in": user is not None}
        rows += notifications_for(
            user=user, address=address, kind=kind, context=context, at=event.created_at,
            ticket_id=event.ticket_id, event=event,
        )  # fmt: skip
    return rows


def _requester_of(ticket: Ticket) -> Recipient | None:
    employee = ticket.requester
    if employee is None:
        return None
    if employee.user is not None:
        return Recipient(employee.user, employee.user.email)
    if employee.email:
        return Recipient(None, employee.email)
    return None


def _watchers(ticket: Ticket) -> list[Recipient]:
    return [_watcher_recipient(watcher) for watcher in Watcher.objects.filter(ticket=ticket).select_related("user")]


def _watcher_recipient(watcher: Watcher) -> Recipient:
    return Recipient(watcher.user, watcher.user.email if watcher.user else watcher.email, watcher_id=watcher.pk)


def _visit_values(event: Event) -> dict[str, Any]:
    """What a visit's message keeps of it: the invitation is written from these when the mail is."""
    return {name: value for name, value in (event.new or {}).items() if name.startswith("visit_")}


def _comment_body(event: Event) -> str:
    comment_id = (event.new or {}).get("comment")
    if not comment_id:
        return ""
    return Comment.objects.filter(pk=comment_id, is_internal=False).values_list("body", flat=True).first() or ""


def _sender_name(event: Event) -> str:
    """The name a reply by mail from someone without a login came with, else its address's local part."""
    sender = (event.new or {}).get("sender") or {}
    return mail_sender_label(str(sender.get("name", "")), str(sender.get("email", "")))


def _snapshot(event: Event) -> dict[str, Any]:
    ticket = event.ticket
    actor = event.actor
    assignee = ticket.assignee
    return {
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "ticket_path": ticket.get_absolute_url(),
        "status": ticket.status,
        "actor_name": (actor.first_name or actor.get_full_name()) if actor else _sender_name(event),
        "assignee_name": (assignee.first_name or assignee.get_full_name()) if assignee else "",
        "requester_name": ticket.requester.full_name if ticket.requester_id else "",
    }
