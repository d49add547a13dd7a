"""THE access rules for tickets: who sees a ticket and who may do what on it.

Views, templates, forms, selectors and (later) the API ask here, through one entry point:
`can(user, action, ticket=None)`. With a ticket it answers for an action on that ticket now (status changes
by the workflow table, the rest below); without one it is the role capability of accounts.permissions.
`tickets_visible_to(user)` is the visibility of tickets every list starts from. A ticket someone may not see
is a 404, exactly as for a ticket that does not exist, so nobody learns which numbers are taken.

This module reads no selector (the selectors import the visibility from here), so there is no circle.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions as roles
from accounts.models import User
from accounts.permissions import Someone
from tickets import workflow
from tickets.models import REFERENCE_PREFIX, Attachment, Comment, Ticket, TicketStatus, Watcher

# Actions on a ticket that do not move its status.
FINISHED_FOR_REPLIES = frozenset({TicketStatus.CLOSED, TicketStatus.CANCELLED})
TICKET_ACTIONS = ("reply", "note", "log_time", "view_internal", "triage")
# What the ticket page reads with the ticket: the list's relations and the page's own.
_PAGE_RELATED = (
    "requester",
    "assignee",
    "category",
    "category__parent",
    "device",
    "project",
    "requester__user",
    "requester__location",
    "created_by",
    "parent",
)


# At most this many followed tickets widen what a requester sees (a requester follows a handful at most).
FOLLOWED_MAX = 500


def _own_or_followed(user: User, prefix: str = "") -> Q:
    """A requester's tickets: those of their own employee record, and those they follow with their login (a
    known problem they said "Me too" to, the ticket their duplicate was merged into). Never another's
    ticket they were not made a watcher of.

    The followed tickets are read first, as a short list of numbers: most requesters follow none, and then
    the condition is the plain one their lists are planned on (an OR with a subquery would make PostgreSQL
    read every ticket to answer it)."""
    own = Q(**{f"{prefix}requester__user": user})
    followed = list(Watcher.objects.filter(user=user).values_list("ticket_id", flat=True)[:FOLLOWED_MAX])
    return own | Q(**{f"{prefix}pk__in": followed}) if followed else own


def tickets_visible_to(user: Someone) -> QuerySet[Ticket]:
    """Staff see every ticket; a requester sees the tickets of their own employee record and those they
    follow; others none."""
    if user is None or not user.is_authenticated:
        return Ticket.objects.none()
    if roles.can(user, "tickets.view_all"):
        return Ticket.objects.all()
    if roles.can(user, "tickets.view_own"):
        return Ticket.objects.filter(_own_or_followed(user))
    return Ticket.objects.none()


def comments_visible_to(user: Someone) -> QuerySet[Comment]:
    """The comments `user` may read: every one for staff; the public replies on their own and followed
    tickets for a requester (never an internal note); none to others."""
    if roles.can(user, "tickets.view_all"):
        return Comment.objects.all()
    if roles.can(user, "tickets.view_own"):
        return Comment.objects.filter(_own_or_followed(user, "ticket__"), is_internal=False)
    return Comment.objects.none()


def ticket_number_from(value: object) -> int | None:
    """1042 from "HD-1042", "hd-1042", "1042" or 1042; None from anything else."""
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value).strip().upper().removeprefix(REFERENCE_PREFIX)
    # isdigit() alone takes "³" and other digits int() refuses: ASCII only.
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    number = int(text)
    return number if number > 0 else None


def get_ticket_for(user: Someone, number: object) -> Ticket:
    """The ticket `number` ("HD-1042" or 1042) if `user` may see it; Http404 otherwise."""
    pk = ticket_number_from(number)
    if pk is None:
        raise Http404
    qs = tickets_visible_to(user).select_related(*_PAGE_RELATED)
    try:
        return qs.get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _is_requester_of(user: Someone, ticket: Ticket) -> bool:
    return roles.can(user, "tickets.view_own") and ticket.requester.user_id == user.pk


def _works_on(user: Someone, ticket: Ticket) -> bool:
    """Speaks for the desk on this ticket: coordinators and managers on any; a technician on the tickets
    they hold, and on unassigned ones of their tier or below (the ones they could take). Anyone who works
    tickets may still read any and leave internal notes for the holder."""
    if roles.can(user, "tickets.assign"):
        return True
    if not roles.can(user, "tickets.work"):
        return False
    if ticket.assignee_id is not None:
        return ticket.assignee_id == user.pk
    profile = getattr(user, "technician_profile", None)
    return profile is not None and profile.tier >= ticket.tier


def _can_on_ticket(user: Someone, action: str, ticket: Ticket) -> bool:
    if action in workflow.ACTIONS:
        return workflow.is_allowed(ticket, action, user)
    if action == "reply":
        if ticket.status in FINISHED_FOR_REPLIES:
            return False
        return _works_on(user, ticket) or _is_requester_of(user, ticket)
    if action == "log_time":
        return _works_on(user, ticket)
    if action in ("note", "view_internal"):
        return roles.can(user, "tickets.work")
    if action == "triage":
        return roles.can(user, "tickets.triage") and ticket.is_open
    if action == "publish_known_problem":
        # Told to the whole organisation: coordinators, on an open ticket.
        return roles.can(user, "tickets.known_problems") and ticket.is_open
    if action == "ask_visit_change":
        # Another time for a visit to them: its requester.
        return _is_requester_of(user, ticket)
    raise ValueError(f"Unknown ticket action {action!r}.")


def can(user: Someone, action: str, ticket: Ticket | None = None) -> bool:
    """May `user` take `action`? On `ticket` now when one is given (an action of the page: "reply",
    "escalate"...); otherwise the role capability ("tickets.triage"...) of accounts.permissions."""
    if ticket is None:
        return roles.can(user, action)
    return _can_on_ticket(user, action, ticket)


def can_act(user: Someone, action: str, ticket: Ticket) -> bool:
    """May `user` take `action` on `ticket` now? The name the views use for can(user, action, ticket)."""
    return can(user, action, ticket)


def actions_for(user: Someone, ticket: Ticket) -> frozenset[str]:
    """Every action `user` may take on `ticket` now: what the page offers."""
    names = set(workflow.allowed_actions(ticket, user))
    names.update(a for a in TICKET_ACTIONS if can(user, a, ticket))
    return frozenset(names)


def may_reply_by_mail(address: str, ticket: Ticket, user: Someone = None) -> bool:
    """May a mail from `address` (`user`, when it is one's) be a public reply on `ticket` now?

    When the ticket takes replies: a user who may reply on the page; else the requester's own address, or a
    watcher's, whether or not they have a login. Staff who do not work on the ticket may not: speaking for
    the desk in public is for those who do.
    """
    if ticket.status in FINISHED_FOR_REPLIES:
        return False
    if user is not None and roles.can(user, "tickets.work"):
        return _works_on(user, ticket)
    if user is not None and can(user, "reply", ticket):
        return True
    address = address.strip().lower()
    if not address:
        return False
    if (ticket.requester.email or "").lower() == address:
        return True
    return (
        Watcher.objects.filter(ticket=ticket)
        .filter(Q(email__iexact=address) | Q(user__email__iexact=address, user__is_active=True))
        .exists()
    )


def may_remove_watcher(user: Someone, watcher: Watcher, ticket: Ticket) -> bool:
    """Whoever may speak on the ticket may take watchers off it: staff anyone, a requester only the
    colleagues they added themselves."""
    if not can(user, "reply", ticket):
        return False
    return roles.can(user, "tickets.work") or (user is not None and watcher.added_by_id == user.pk)


def attachments_visible_on(user: Someone, ticket: Ticket) -> QuerySet[Attachment]:
    """The files of a ticket `user` may see (they see the ticket): the files of internal notes for staff only."""
    qs = Attachment.objects.filter(ticket=ticket).select_related("comment")
    return qs if roles.can(user, "tickets.work") else qs.exclude(comment__is_internal=True)


def get_attachment_for(user: Someone, pk: int) -> Attachment:
    """An attachment of a ticket `user` may see; internal-note files only for staff. 404 otherwise."""
    try:
        attachment = Attachment.objects.select_related("comment", "ticket__requester").get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    if not tickets_visible_to(user).filter(pk=attachment.ticket_id).exists():
        raise Http404
    if attachment.is_internal and not roles.can(user, "tickets.work"):
        raise Http404
    return attachment
