"""Moving a ticket up or down a tier, to a technician of that tier or back to triage there."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets import selectors
from tickets.models import Ticket
from tickets.services._move import ticket_move
from tickets.services.assign import check_technician, check_tier
from tickets.services.watchers import watcher_keep
from tickets.workflow import ActorNotAllowed, WorkflowError


def ticket_escalate(
    *,
    ticket: Ticket,
    by: User | None,
    note: str,
    to: User | None = None,
    priority: int | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Move the ticket up one tier, saying why: to `to`, a technician of that tier, or back to triage there.

    A coordinator may raise the priority in the same step (the reason is the escalation's); nobody lowers
    it here. `by=None` is the SLA clock escalating a breached ticket by itself.
    """
    return _tier_move(
        ticket=ticket,
        by=by,
        action="escalate",
        step=1,
        note=note,
        to=to,
        priority=priority,
        expected_version=expected_version,
        now=now,
    )


def ticket_escalate_on_breach(*, ticket: Ticket, note: str, now: datetime | None = None) -> Ticket:
    """The SLA clock moves a breached ticket up one tier by itself (tickets.services.sla_clock).

    A held ticket (assigned, in progress, waiting) goes to the best-ranked qualified technician of the next
    tier (selectors.technician_suggestions for the ticket at that tier: skilled, available, with room), never
    back to the holder it is taken from. When nobody qualifies it goes to that tier's triage, and the holder
    is kept as a watcher, so they still hear where it goes. A ticket nobody holds goes to that tier's triage.
    """
    holder = ticket.assignee
    to = _specialist_for(ticket, tier=ticket.tier + 1, leaving=holder) if holder is not None else None
    with transaction.atomic():
        escalated = ticket_escalate(ticket=ticket, by=None, note=note, to=to, now=now)
        if holder is not None and to is None:
            watcher_keep(ticket=escalated, user=holder, now=now)
    return escalated


def _specialist_for(ticket: Ticket, *, tier: int, leaving: User) -> User | None:
    """The best-ranked technician qualified for `ticket` at `tier`, other than the one it leaves."""
    for suggestion in selectors.technician_suggestions(ticket, tier=tier):
        if not suggestion.qualified:
            return None  # the qualified come first
        if suggestion.technician.pk != leaving.pk:
            return suggestion.technician
    return None


def ticket_de_escalate(
    *,
    ticket: Ticket,
    by: User,
    note: str,
    to: User | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Send the ticket down one tier with a note: to `to`, a technician of that tier, or to triage there."""
    return _tier_move(
        ticket=ticket,
        by=by,
        action="de_escalate",
        step=-1,
        note=note,
        to=to,
        priority=None,
        expected_version=expected_version,
        now=now,
    )


def _tier_move(
    *,
    ticket: Ticket,
    by: User | None,
    action: str,
    step: int,
    note: str,
    to: User | None,
    priority: int | None,
    expected_version: int | None,
    now: datetime | None,
) -> Ticket:
    if to is not None:
        check_technician(to)
        check_tier(to, ticket.tier + step)
    if priority is not None and (by is None or not can(by, "tickets.triage")):
        raise ActorNotAllowed
    if priority is not None and priority > ticket.priority:
        raise WorkflowError(_("Escalating can raise the priority, not lower it."))

    def prepare(locked: Ticket) -> list[str]:
        locked.tier += step
        locked.assignee = to
        fields = ["tier", "assignee"]
        if step > 0:
            locked.escalation_count += 1
            fields.append("escalation_count")
        if priority is not None and priority != locked.priority:
            locked.priority, locked.priority_overridden, locked.priority_reason = priority, True, note.strip()
            fields += ["priority", "priority_overridden", "priority_reason"]
        return fields

    return ticket_move(
        ticket=ticket,
        action=action,
        by=by,
        expected_version=expected_version,
        note=note.strip(),
        now=now,
        prepare=prepare,
        track=("tier", "priority"),
    )
