"""A ticket's life once it is open: taken, worked, waiting, resolved, confirmed, reopened, closed, cancelled.

Each is a workflow action (tickets.workflow) taken through ticket_move.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets import workflow
from tickets.models import ResolutionCode, Ticket, TicketStatus
from tickets.services._move import ticket_move
from tickets.services.watchers import requester_follows
from tickets.workflow import MissingFields, WorkflowError

# --- technicians -------------------------------------------------------------------------------


def ticket_take(
    *, ticket: Ticket, by: User, expected_version: int | None = None, now: datetime | None = None
) -> Ticket:
    """A technician takes a new ticket of their tier and starts work on it."""

    def extra(locked: Ticket) -> list[str]:
        locked.assignee = by
        return ["assignee"]

    return ticket_move(ticket=ticket, action="take", by=by, expected_version=expected_version, now=now, extra=extra)


def ticket_start(
    *, ticket: Ticket, by: User, expected_version: int | None = None, now: datetime | None = None
) -> Ticket:
    return ticket_move(ticket=ticket, action="start", by=by, expected_version=expected_version, now=now)


def ticket_set_waiting(
    *,
    ticket: Ticket,
    by: User,
    on: str,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Pause work until the requester (`on="requester"`) or a vendor (`on="vendor"`) answers."""
    if on not in ("requester", "vendor"):
        raise ValueError(f"Waiting on {on!r}?")
    return ticket_move(
        ticket=ticket, action=f"wait_on_{on}", by=by, expected_version=expected_version, note=note, now=now
    )


def ticket_wait_as_next_step(
    *, ticket: Ticket, by: User, on: str, note: str = "", now: datetime | None = None
) -> Ticket:
    """Wait on the requester or a vendor as the next step of work that was just done (a reply that asks the
    requester something, a device sent to repair): a ticket only assigned is started first, since that work
    is the start of it; one already waiting on them stays as it is. Refused as ticket_set_waiting is when the
    ticket cannot wait now."""
    current = Ticket.objects.get(pk=ticket.pk)
    if current.status == (TicketStatus.WAITING_REQUESTER if on == "requester" else TicketStatus.WAITING_VENDOR):
        return current
    if current.status == TicketStatus.ASSIGNED and workflow.is_allowed(current, "start", by):
        current = ticket_start(ticket=current, by=by, now=now)
    return ticket_set_waiting(ticket=current, by=by, on=on, note=note, now=now)


def ticket_resume(
    *,
    ticket: Ticket,
    by: User | None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    return ticket_move(ticket=ticket, action="resume", by=by, expected_version=expected_version, note=note, now=now)


def ticket_resolve(
    *,
    ticket: Ticket,
    by: User,
    resolution_notes: str,
    resolution_code: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Resolve with notes and a code; the requester may confirm or reopen within TICKET_REOPEN_DAYS."""
    if resolution_code and resolution_code not in ResolutionCode.values:
        raise MissingFields(_("Choose a resolution code."), ["resolution_code"])

    def extra(locked: Ticket) -> list[str]:
        locked.resolution_notes = resolution_notes.strip()
        locked.resolution_code = resolution_code
        return ["resolution_notes", "resolution_code"]

    return ticket_move(
        ticket=ticket,
        action="resolve",
        by=by,
        expected_version=expected_version,
        values={"resolution_notes": resolution_notes.strip(), "resolution_code": resolution_code},
        now=now,
        extra=extra,
    )


def ticket_hand_back(
    *, ticket: Ticket, by: User, note: str, expected_version: int | None = None, now: datetime | None = None
) -> Ticket:
    """The technician gives the ticket back to the coordinators, saying why."""

    def extra(locked: Ticket) -> list[str]:
        locked.assignee = None
        return ["assignee"]

    return ticket_move(
        ticket=ticket,
        action="hand_back",
        by=by,
        expected_version=expected_version,
        note=note.strip(),
        now=now,
        extra=extra,
    )


# --- requesters --------------------------------------------------------------------------------


def ticket_confirm(
    *, ticket: Ticket, by: User, expected_version: int | None = None, now: datetime | None = None
) -> Ticket:
    """The requester confirms the fix: the ticket closes."""
    return ticket_move(ticket=ticket, action="confirm", by=by, expected_version=expected_version, now=now)


def ticket_reopen(
    *, ticket: Ticket, by: User, note: str, expected_version: int | None = None, now: datetime | None = None
) -> Ticket:
    """Reopen a resolved ticket: its requester within TICKET_REOPEN_DAYS, or a coordinator."""
    return ticket_move(
        ticket=ticket,
        action="reopen",
        by=by,
        expected_version=expected_version,
        note=note.strip(),
        now=now,
        extra=_count_reopen,
    )


def ticket_reopen_closed(
    *, ticket: Ticket, by: User, note: str, expected_version: int | None = None, now: datetime | None = None
) -> Ticket:
    """Closed is final, except for a manager, who may reopen with a reason."""
    return ticket_move(
        ticket=ticket,
        action="reopen_closed",
        by=by,
        expected_version=expected_version,
        note=note.strip(),
        now=now,
        extra=_count_reopen,
    )


def _count_reopen(locked: Ticket) -> list[str]:
    """The reports count tickets whose resolution did not hold."""
    locked.reopen_count += 1
    return ["reopen_count"]


# --- ending ------------------------------------------------------------------------------------


def ticket_cancel(
    *,
    ticket: Ticket,
    by: User,
    note: str = "",
    duplicate_of: Ticket | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Cancel: the requester withdraws a new ticket, or a coordinator cancels (as a duplicate, as spam). A
    duplicate's requester follows the ticket it repeats from then on, and is told so."""
    if duplicate_of is not None:
        if duplicate_of.pk == ticket.pk:
            raise WorkflowError(_("A ticket cannot be a duplicate of itself."))
        note = note or str(_("Duplicate of %(ticket)s") % {"ticket": duplicate_of.reference})

    def extra(locked: Ticket) -> list[str]:
        if duplicate_of is None:
            return []
        locked.duplicate_of = duplicate_of
        locked.resolution_code = ResolutionCode.DUPLICATE
        return ["duplicate_of", "resolution_code"]

    now = now or timezone.now()
    with transaction.atomic():
        cancelled = ticket_move(
            ticket=ticket, action="cancel", by=by, expected_version=expected_version, note=note, now=now, extra=extra
        )
        if duplicate_of is not None:
            requester_follows(kept=duplicate_of, duplicate=cancelled, by=by, now=now)
    return cancelled


def ticket_close(
    *,
    ticket: Ticket,
    by: User | None,
    expected_version: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Close a resolved ticket: a coordinator, or the system once the reopen window has passed."""
    return ticket_move(ticket=ticket, action="close", by=by, expected_version=expected_version, note=note, now=now)


def tickets_close_expired_resolutions(*, now: datetime | None = None) -> int:
    """Close every ticket resolved more than TICKET_REOPEN_DAYS ago. Returns how many were closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TICKET_REOPEN_DAYS)
    closed = 0
    pks = Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lte=cutoff).values_list("pk", flat=True)
    note = str(_("Closed automatically %(days)s days after it was resolved.") % {"days": settings.TICKET_REOPEN_DAYS})
    for pk in list(pks):
        try:
            ticket_close(ticket=Ticket(pk=pk), by=None, note=note, now=now)
        except (WorkflowError, Ticket.DoesNotExist):
            continue  # changed meanwhile (reopened): nothing to do
        closed += 1
    return closed
