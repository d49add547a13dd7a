"""THE access rules for tickets: who sees a ticket and who may do what on it.

Views, templates and (later) the API ask here. A ticket someone may not see is a 404, exactly as
for a ticket that does not exist, so nobody learns which numbers are taken.
"""

from django.http import Http404

from accounts.permissions import can
from tickets import selectors, workflow
from tickets.models import Attachment, Ticket, TicketStatus

# Actions on a ticket that do not move its status.
FINISHED_FOR_REPLIES = frozenset({TicketStatus.CLOSED, TicketStatus.CANCELLED})


def get_ticket_for(user, number) -> Ticket:
    """The ticket `number` ("HD-1042" or 1042) if `user` may see it; Http404 otherwise."""
    pk = selectors.ticket_number_from(number)
    if pk is None:
        raise Http404
    qs = selectors.tickets_visible_to(user).select_related(
        *selectors.LIST_RELATED, "device", "project", "requester__user", "created_by"
    )
    try:
        return qs.get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _is_requester_of(user, ticket: Ticket) -> bool:
    return can(user, "tickets.view_own") and ticket.requester.user_id == user.pk


def _works_on(user, ticket: Ticket) -> bool:
    """Speaks for the desk on this ticket: coordinators and managers on any; a technician on the tickets
    they hold, and on unassigned ones of their tier or below (the ones they could take). Anyone who works
    tickets may still read any and leave internal notes for the holder."""
    if can(user, "tickets.assign"):
        return True
    if not can(user, "tickets.work"):
        return False
    if ticket.assignee_id is not None:
        return ticket.assignee_id == user.pk
    profile = getattr(user, "technician_profile", None)
    return profile is not None and profile.tier >= ticket.tier


def can_act(user, action: str, ticket: Ticket) -> bool:
    """May `user` take `action` on `ticket` now? Status changes are decided by the workflow table."""
    if action in workflow.ACTIONS:
        return workflow.is_allowed(ticket, action, user)
    if action == "reply":
        if ticket.status in FINISHED_FOR_REPLIES:
            return False
        return _works_on(user, ticket) or _is_requester_of(user, ticket)
    if action == "log_time":
        return _works_on(user, ticket)
    if action in ("note", "view_internal"):
        return can(user, "tickets.work")
    if action == "triage":
        return can(user, "tickets.triage") and ticket.is_open
    raise ValueError(f"Unknown ticket action {action!r}.")


def actions_for(user, ticket: Ticket) -> frozenset[str]:
    """Every action `user` may take on `ticket` now: what the page offers."""
    names = set(workflow.allowed_actions(ticket, user))
    names.update(a for a in ("reply", "note", "log_time", "view_internal", "triage") if can_act(user, a, ticket))
    return frozenset(names)


def get_attachment_for(user, pk: int) -> Attachment:
    """An attachment of a ticket `user` may see; internal-note files only for staff. 404 otherwise."""
    try:
        attachment = Attachment.objects.select_related("comment", "ticket__requester").get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    if not selectors.tickets_visible_to(user).filter(pk=attachment.ticket_id).exists():
        raise Http404
    if attachment.is_internal and not can(user, "tickets.work"):
        raise Http404
    return attachment
