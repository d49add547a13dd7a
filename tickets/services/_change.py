"""The one primitive under every write to a ticket, and the Event every change leaves.

`ticket_change` locks the ticket's row, checks the version the actor saw (optimistic lock), lets the
caller make its change on the locked row, bumps the version, saves the changed fields, keeps the SLA clock
and the solved tally in step, and records one Event whose notifications are written in the same
transaction (tickets.notifications.notify): all of it commits together or not at all.
"""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets import failures, followers, notifications, sla, tally
from tickets.models import SOLVED_STATUSES, Event, Ticket
from tickets.workflow import WorkflowError

# What an Event keeps of a change (its `old` and `new`): JSON-ready values by name.
Values = dict[str, object]


class StaleTicket(WorkflowError):
    """Someone changed the ticket after the actor opened it: nothing was written."""

    def __init__(self, ticket: Ticket):
        super().__init__(
            _("%(ticket)s changed since you opened it. Check the new state below, then try again if it still applies.")
            % {"ticket": ticket.reference}
        )
        self.ticket = ticket


class Unchanged:
    """The ticket before a change that left its row as it was (a watcher, an alert)."""


UNCHANGED = Unchanged()


@dataclass
class Change:
    """What a change did to the locked ticket, as its `apply` reports it to `ticket_change`."""

    kind: str
    action: str = ""
    fields: list[str] = field(default_factory=list)  # the ticket's fields it set
    old: Values = field(default_factory=dict)
    new: Values = field(default_factory=dict)
    note: str = ""
    is_public: bool = False
    # False: the change is beside the ticket (a watcher), whose row and version stay as they are.
    bump: bool = True
    # False: nobody is told (the caller was on the phone when it happened).
    notify: bool = True


# Makes the change on the locked ticket and says what it did, or None when there is nothing to change
# (then nothing is written, no Event, no mail). Raises to refuse: the transaction rolls back whole.
Apply = Callable[[Ticket], Change | None]


def ticket_change(
    ticket: Ticket,
    *,
    by: User | None,
    apply: Apply,
    expected_version: int | None = None,
    now: datetime | None = None,
    moves_status: bool = False,
    guard: Callable[[Ticket], None] | None = None,
) -> Ticket:
    """Lock `ticket`, check the version, `apply` the change, save it and record its Event. Returns the
    locked, changed ticket.

    `guard(locked)` refuses before the version is checked (a state in which the change never applies).
    `moves_status`: the change may move the status, so the SLA clock stops or restarts and the solved tally
    follows; otherwise a new priority or category recomputes the clock (paused time stays paused).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock(ticket)
        if guard is not None:
            guard(locked)
        # The version first: someone who acted on an older state is told it changed (and keeps what they
        # typed), whatever the new state allows them.
        if expected_version is not None and locked.version != expected_version:
            raise StaleTicket(locked)
        counted = _counted(locked) if moves_status else None
        before = copy.copy(locked)
        change = apply(locked)
        if change is None:
            return locked
        fields = list(change.fields)
        if moves_status:
            fields += sla.follow_status(locked, now)
        elif {"priority", "category"} & set(fields):
            fields += sla.recompute(locked)
        if change.bump:
            fields += sla.measure(locked)
            if {"category", "device"} & set(fields):
                fields += failures.mark(locked)
            _save(locked, fields, now)
        if moves_status:
            tally.follow(counted, _counted(locked))
        record(
            locked,
            by=by,
            kind=change.kind,
            action=change.action,
            old=change.old,
            new=change.new,
            note=change.note,
            is_public=change.is_public,
            now=now,
            notify=change.notify,
            before=before,
        )
    return locked


def record(
    ticket: Ticket,
    *,
    by: User | None,
    kind: str,
    now: datetime,
    action: str = "",
    old: Values | None = None,
    new: Values | None = None,
    note: str = "",
    is_public: bool = True,
    notify: bool = True,
    before: Ticket | Unchanged | None = UNCHANGED,
) -> Event:
    """Write the Event of a change and, in its transaction, the outbox rows it causes; the followers
    (tickets.followers) see the ticket `before` the change (None: just created; by default as it is now)."""
    event = Event.objects.create(
        ticket=ticket,
        actor=by,
        kind=kind,
        action=action,
        old=old or {},
        new=new or {},
        note=note,
        is_public=is_public,
        created_at=now,
    )
    if notify:
        notifications.notify(event)
    followers.changed(ticket if isinstance(before, Unchanged) else before, ticket, event)
    return event


def lock(ticket: Ticket) -> Ticket:
    """The ticket's row, locked until the transaction ends: concurrent changes queue up behind it."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("requester", "assignee", "device", "category")
        .get(pk=ticket.pk)
    )


def person(user: User | None) -> Values:
    """A user as an Event keeps them: the name stays readable after the account changes."""
    if user is None:
        return {"id": None, "name": ""}
    return {"id": user.pk, "name": user.get_full_name() or user.email, "first_name": user.first_name}


def _save(ticket: Ticket, fields: Iterable[str], now: datetime) -> None:
    ticket.version += 1
    ticket.updated_at = now
    ticket.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])


def _counted(ticket: Ticket) -> tally.Bucket | None:
    """Where the ticket counts in the solved tally now: nowhere unless it is solved."""
    return tally.bucket_of(ticket) if ticket.status in SOLVED_STATUSES else None
