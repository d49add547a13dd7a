"""Giving a ticket to a technician, and who may hold it."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.models import Ticket
from tickets.services._move import ticket_move
from tickets.workflow import WorkflowError


def ticket_assign(
    *,
    ticket: Ticket,
    by: User | None,
    assignee: User,
    expected_version: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Give the ticket to a technician (or move it to another one) of its tier or above."""
    check_technician(assignee)

    def extra(locked: Ticket) -> list[str]:
        check_tier(assignee, locked.tier)
        locked.assignee = assignee
        return ["assignee"]

    return ticket_move(
        ticket=ticket,
        action="assign",
        by=by,
        expected_version=expected_version,
        values={"assignee": assignee},
        note=note,
        now=now,
        extra=extra,
        unchanged=lambda locked: locked.assignee_id == assignee.pk,
    )


def check_technician(user: User | None) -> None:
    """Only an active technician may hold a ticket."""
    if user is None or getattr(user, "technician_profile", None) is None or not user.is_active:
        raise WorkflowError(_("Tickets can only be assigned to an active technician."))


def check_tier(technician: User, tier: int) -> None:
    """A ticket is held at its tier or above: to give it lower, its tier is lowered first (triage, or sent
    down a tier), so that the tier always says who works on it."""
    profile = technician.technician_profile
    if profile.tier < tier:
        raise WorkflowError(
            _("%(name)s works at tier %(tier)s; this ticket needs tier %(needed)s or above.")
            % {"name": technician.get_full_name() or technician.email, "tier": profile.tier, "needed": tier}
        )
