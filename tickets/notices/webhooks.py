"""Which webhook events a ticket change is, and what their payload says.

The events (registered with the outbox's webhooks when the app starts): a ticket created; its status
changed; assigned; escalated a tier up; a reply or internal note added; its SLA breached. One change may be
several (an assignment moves a new ticket to assigned: assigned and status_changed). Nothing is read unless
an active subscription wants one of the change's events.
"""

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

from notifications import webhooks
from notifications.models import Notification
from notifications.services import webhook_rows
from tickets.models import Comment, Event, EventKind, Ticket

CREATED = "ticket.created"
STATUS_CHANGED = "ticket.status_changed"
ASSIGNED = "ticket.assigned"
ESCALATED = "ticket.escalated"
COMMENTED = "ticket.commented"
SLA_BREACHED = "ticket.sla_breached"

EVENTS = {
    CREATED: _("A ticket was created"),
    STATUS_CHANGED: _("A ticket's status changed"),
    ASSIGNED: _("A ticket was assigned"),
    ESCALATED: _("A ticket was escalated to a higher tier"),
    COMMENTED: _("A reply or an internal note was added"),
    SLA_BREACHED: _("A ticket passed its due time"),
}


def register() -> None:
    for name, label in EVENTS.items():
        webhooks.register(name, label)


def event_names(event: Event) -> list[str]:
    names = []
    old, new = event.old or {}, event.new or {}
    if event.kind == EventKind.CREATED:
        names.append(CREATED)
    if "status" in new and old.get("status") != new["status"] and event.kind != EventKind.CREATED:
        names.append(STATUS_CHANGED)
    if event.kind == EventKind.ASSIGNED or ("assignee" in new and old.get("assignee") != new["assignee"]):
        names.append(ASSIGNED)
    if event.action == "escalate":
        names.append(ESCALATED)
    if event.kind in (EventKind.REPLIED, EventKind.NOTE_ADDED) and "comment" in new:
        names.append(COMMENTED)
    if event.kind == EventKind.ALERTED and event.action == "sla_breach":
        names.append(SLA_BREACHED)
    return names


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.get_full_name() or user.email}


def _ticket(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "channel": ticket.channel,
        "category": None if ticket.category is None else {"id": ticket.category_id, "name": str(ticket.category)},
        "requester": {"id": ticket.requester_id, "name": ticket.requester.full_name},
        "assignee": _person(ticket.assignee),
        "resolution_due_at": ticket.resolution_due_at,
        "url": settings.SITE_URL + ticket.get_absolute_url(),
        "api_url": f"{settings.SITE_URL}/api/tickets/{ticket.pk}/",
    }


def payload(event: Event, name: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ticket": _ticket(event.ticket),
        "change": {
            "kind": event.kind,
            "action": event.action,
            "old": event.old,
            "new": event.new,
            "note": event.note if event.is_public or name != COMMENTED else "",
            "actor": _person(event.actor),
            "at": event.created_at,
        },
    }
    if name == COMMENTED:
        comment = Comment.objects.filter(pk=int((event.new or {}).get("comment") or 0)).first()
        if comment is not None:
            data["comment"] = {
                "id": comment.pk,
                "body": comment.body,
                "is_internal": comment.is_internal,
                "author": _person(comment.author),
                "sender_email": comment.sender_email,
            }
    # Kept in the outbox row as JSON: times as ISO 8601 text.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def webhook_rows_for_event(event: Event) -> list[Notification]:
    """One outbox row per subscription and event name the change is, nothing when none is wanted."""
    names = event_names(event)
    if not names:
        return []
    subscriptions = webhooks.subscriptions_active()
    rows: list[Notification] = []
    for name in names:
        if any(name in events for _pk, events in subscriptions):
            rows += webhook_rows(name, payload(event, name), ticket_id=event.ticket_id, subscriptions=subscriptions)
    return rows
