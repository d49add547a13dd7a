"""Triage: a ticket's category, impact, urgency, tier and priority, and the dashboard's triage-and-assign."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets.models import Category, EventKind, Ticket
from tickets.priority import priority_for
from tickets.services._change import Change, Values, ticket_change
from tickets.services.assign import check_tier, ticket_assign
from tickets.services.auto_assign import ticket_auto_assign
from tickets.workflow import ActorNotAllowed, MissingFields, TransitionNotAllowed

TRIAGE_FIELDS = ("category", "impact", "urgency", "priority", "tier", "priority_overridden", "priority_reason")


def ticket_triage(
    *,
    ticket: Ticket,
    by: User | None,
    category: Category | None,
    impact: int,
    urgency: int,
    tier: int,
    priority: int | None = None,
    priority_reason: str = "",
    expected_version: int | None = None,
    auto_assign: bool = True,
    now: datetime | None = None,
) -> Ticket:
    """Set category, impact, urgency, tier and priority. A priority other than the matrix's needs a reason.

    A new category or tier on a new ticket runs the category's automatic assignment, unless `auto_assign`
    is False (the coordinator is choosing the technician in the same step).
    """
    if by is not None and not can(by, "tickets.triage"):  # by=None: the system (an SLA breach's action)
        raise ActorNotAllowed
    now = now or timezone.now()
    changed: list[str] = []

    def only_open(locked: Ticket) -> None:
        if not locked.is_open:
            raise TransitionNotAllowed(_("Only open tickets can be triaged."))

    def apply(locked: Ticket) -> Change | None:
        computed = priority_for(impact, urgency)
        overridden = priority is not None and int(priority) != computed
        if overridden and not priority_reason.strip():
            raise MissingFields(_("Say why the priority differs from the matrix."), ["priority_reason"])
        reason = priority_reason.strip() if overridden else ""
        wanted: Values = {
            "category": category.pk if category else None,
            "impact": int(impact),
            "urgency": int(urgency),
            "priority": int(priority) if priority is not None and overridden else computed,
            "tier": int(tier),
            "priority_overridden": overridden,
            "priority_reason": reason,
        }
        current: Values = {
            name: getattr(locked, "category_id" if name == "category" else name) for name in TRIAGE_FIELDS
        }
        changed.extend(name for name in TRIAGE_FIELDS if current[name] != wanted[name])
        if not changed:
            return None
        if "tier" in changed and locked.assignee is not None:
            # Held tickets go up a tier by escalation, to someone of that tier; triage keeps their holder.
            check_tier(locked.assignee, int(tier))
        locked.category = category
        for name in TRIAGE_FIELDS[1:]:
            setattr(locked, name, wanted[name])
        new = {name: wanted[name] for name in changed}
        if "category" in changed:
            # Written down once, so in the desk's default language rather than the coordinator's own.
            with translation.override(settings.LANGUAGE_CODE):
                new["category_name"] = str(category) if category else ""
        # A new priority is a new target, a new category may bring another calendar: ticket_change
        # recomputes the clock for either.
        return Change(
            kind=EventKind.TRIAGED,
            action="triage",
            fields=list(changed),
            old={name: current[name] for name in changed},
            new=new,
            note=reason if "priority" in changed else "",
            is_public=False,
        )

    with transaction.atomic():
        locked = ticket_change(ticket, by=by, apply=apply, expected_version=expected_version, now=now, guard=only_open)
        if auto_assign and ("category" in changed or "tier" in changed):
            return ticket_auto_assign(ticket=locked, now=now) or locked
    return locked


def ticket_triage_and_assign(
    *,
    ticket: Ticket,
    by: User,
    assignee: User | None,
    expected_version: int | None,
    now: datetime | None = None,
    category: Category | None,
    impact: int,
    urgency: int,
    tier: int,
    priority: int | None = None,
    priority_reason: str = "",
) -> Ticket:
    """The dashboard's one step: triage and, when a technician is chosen, assign, all or nothing.

    Without a technician the category's automatic assignment may run, as for any triage.
    """
    now = now or timezone.now()
    with transaction.atomic():
        triaged = ticket_triage(
            ticket=ticket,
            by=by,
            expected_version=expected_version,
            auto_assign=assignee is None,
            now=now,
            category=category,
            impact=impact,
            urgency=urgency,
            tier=tier,
            priority=priority,
            priority_reason=priority_reason,
        )
        if assignee is not None and triaged.assignee_id != assignee.pk:
            triaged = ticket_assign(ticket=triaged, by=by, assignee=assignee, expected_version=triaged.version, now=now)
    return triaged


@dataclass(frozen=True)
class Triage:
    """A ticket's triage as ticket_triage takes it."""

    category: Category | None
    impact: int
    urgency: int
    tier: int
    priority: int | None  # None: the matrix's
    priority_reason: str


def triage_keeping(ticket: Ticket, by: User | None, now: datetime, changes: Callable[[Triage], Triage]) -> Ticket:
    """Triage with what `changes` changes and every other field kept as it is (a hand-set priority stays
    hand-set)."""
    current = Ticket.objects.select_related("category").get(pk=ticket.pk)
    kept = Triage(
        category=current.category,
        impact=current.impact,
        urgency=current.urgency,
        tier=current.tier,
        priority=current.priority if current.priority_overridden else None,
        priority_reason=current.priority_reason,
    )
    wanted = changes(kept)
    return ticket_triage(
        ticket=current,
        by=by,
        now=now,
        expected_version=current.version,
        category=wanted.category,
        impact=wanted.impact,
        urgency=wanted.urgency,
        tier=wanted.tier,
        priority=wanted.priority,
        priority_reason=wanted.priority_reason,
    )
