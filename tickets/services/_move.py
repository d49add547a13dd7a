"""A workflow action on a ticket (tickets.workflow): the status moves, through the one primitive."""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets import workflow
from tickets.models import OPEN_STATUSES, EventKind, KnownProblem, Ticket
from tickets.services._change import Change, Values, person, ticket_change
from tickets.workflow import MissingFields

# Changes made on the locked ticket along with the move; each returns the fields it set.
Step = Callable[[Ticket], list[str]]


def ticket_move(
    *,
    ticket: Ticket,
    action: str,
    by: User | None,
    expected_version: int | None = None,
    values: Values | None = None,
    note: str = "",
    now: datetime | None = None,
    extra: Step | None = None,
    prepare: Step | None = None,
    track: tuple[str, ...] = (),
    unchanged: Callable[[Ticket], bool] | None = None,
) -> Ticket:
    """Take `action` on `ticket`: lock, check version, right and required fields, move, record.

    `prepare(ticket)` makes the changes the new status depends on (a hand-off's new holder) before the
    move, `extra(ticket)` the action's other changes after it. `track` names more fields whose old and new
    values the Event keeps (an escalation's tier and priority). `unchanged(ticket)` says the action would
    change nothing (assigning to the current holder): then nothing is written, no Event, no mail, once the
    version and the right are checked.
    """
    given: Values = {**(values or {}), "note": note}
    moment = now or timezone.now()

    def apply(locked: Ticket) -> Change | None:
        rule = workflow.check(locked, action, by)
        if unchanged is not None and unchanged(locked):
            return None
        missing = workflow.missing_fields(rule, given)
        if missing:
            raise MissingFields(_("Some required fields are empty."), missing)
        old: Values = {"status": locked.status, "assignee": person(locked.assignee)}
        old.update({name: getattr(locked, name) for name in track})
        fields = ["status", "resolved_at", "closed_at"]
        if prepare is not None:
            fields += prepare(locked)
        workflow.apply(locked, rule, now=moment)
        if extra is not None:
            fields += extra(locked)
        if locked.status not in OPEN_STATUSES:
            # Solved or cancelled: a notice of it as a known problem comes down with it.
            KnownProblem.objects.filter(ticket=locked, taken_down_at__isnull=True).update(taken_down_at=moment)
        new: Values = {"status": locked.status, "assignee": person(locked.assignee)}
        new.update({name: getattr(locked, name) for name in track})
        return Change(
            kind=EventKind.ASSIGNED if action == "assign" else EventKind.STATUS_CHANGED,
            action=action,
            fields=fields,
            old=old,
            new=new,
            note=note,
            is_public=rule.is_public,
        )

    return ticket_change(ticket, by=by, apply=apply, expected_version=expected_version, now=moment, moves_status=True)
