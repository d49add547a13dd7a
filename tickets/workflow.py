"""THE state machine of a ticket: one table of transitions, who may take each, what each requires.

Nothing else assigns `ticket.status`: services ask `check()` for the rule of an action and let
`apply()` move the ticket. The table is keyed by (from status, action); a row says where the ticket
goes, which kinds of actor may take the edge, and which fields the actor must give.

Kinds of actor are relative to the ticket: the requester of *this* ticket, its assignee, any staff
member who works tickets, a coordinator, a manager, or the system (a periodic task, no user).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from accounts.permissions import Someone, can
from tickets.models import OPEN_STATUSES, Ticket, TicketStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a message: a text, or a lazy translation of one

S = TicketStatus


class Actor:
    REQUESTER = "requester"  # the employee the ticket is for, through their login
    ASSIGNEE = "assignee"  # the technician holding the ticket
    WORKER = "worker"  # anyone who works tickets: technicians, coordinators, managers
    COORDINATOR = "coordinator"  # triages and assigns (managers too)
    MANAGER = "manager"
    SYSTEM = "system"  # no user: Celery beat, automatic transitions


class WorkflowError(Exception):
    """An action that cannot be taken now. `message` is shown to the person who tried."""

    def __init__(self, message: "StrOrPromise") -> None:
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkflowError):
    """The actor may take this action, but not from the ticket's current status."""


class MissingFields(WorkflowError):
    """Fields the action requires were left empty: `fields` names them, for the form to mark."""

    def __init__(self, message: "StrOrPromise", fields: list[str]) -> None:
        super().__init__(message)
        self.fields = fields


class ActorNotAllowed(PermissionDenied):
    """The actor holds no right to this action on this ticket: a 403."""


def _reopen_target(ticket: Ticket) -> str:
    return S.ASSIGNED if ticket.assignee_id else S.NEW


def _within_reopen_window(user: Someone, ticket: Ticket) -> bool:
    if ticket.resolved_at is None:
        return False
    return timezone.now() <= ticket.resolved_at + timedelta(days=settings.TICKET_REOPEN_DAYS)


def _tier_allows(user: Someone, ticket: Ticket) -> bool:
    # A technician takes tickets of their own tier or below; coordinators place tickets anywhere.
    if can(user, "tickets.assign"):
        return True
    profile = getattr(user, "technician_profile", None)
    return profile is not None and profile.tier >= ticket.tier


def _below_top_tier(user: Someone, ticket: Ticket) -> bool:
    return ticket.tier < max(Tier.values)


def _above_first_tier(user: Someone, ticket: Ticket) -> bool:
    return ticket.tier > min(Tier.values)


def _handoff_target(ticket: Ticket) -> str:
    # Escalated or sent down: to the technician chosen for the new tier, else back to triage at that tier.
    return S.ASSIGNED if ticket.assignee_id else S.NEW


@dataclass(frozen=True)
class Rule:
    to: str | Callable[[Ticket], str]
    who: frozenset[str]
    requires: tuple[str, ...] = ()
    # Extra conditions for some kinds of actor: kind -> predicate(user, ticket).
    guards: dict[str, Callable[[Someone, Ticket], bool]] = field(default_factory=dict)
    # Shown on the requester's timeline? Hand-backs are between staff.
    is_public: bool = True
    # Is the actor's note shown with it? An escalation is public ("passed to a specialist"), its reason is not.
    note_is_public: bool = True

    def target(self, ticket: Ticket) -> str:
        return self.to(ticket) if callable(self.to) else self.to


WAITING = (S.WAITING_REQUESTER, S.WAITING_VENDOR)
WORKING = (S.ASSIGNED, S.IN_PROGRESS, *WAITING)
HOLDER_OR_COORDINATOR = frozenset({Actor.ASSIGNEE, Actor.COORDINATOR})


def _rows(sources: Iterable[str], action: str, rule: Rule) -> dict[tuple[str, str], Rule]:
    return {(source, action): rule for source in sources}


TRANSITIONS: dict[tuple[str, str], Rule] = {
    # The system assigns new tickets of categories set to automatic assignment (tickets.assignment);
    # moving a ticket someone already holds stays a coordinator's decision.
    **_rows(
        (S.NEW,),
        "assign",
        Rule(to=S.ASSIGNED, who=frozenset({Actor.COORDINATOR, Actor.SYSTEM}), requires=("assignee",)),
    ),
    **_rows(WORKING, "assign", Rule(to=S.ASSIGNED, who=frozenset({Actor.COORDINATOR}), requires=("assignee",))),
    **_rows(
        (S.NEW,),
        "take",
        Rule(to=S.IN_PROGRESS, who=frozenset({Actor.WORKER}), guards={Actor.WORKER: _tier_allows}),
    ),
    **_rows((S.ASSIGNED,), "start", Rule(to=S.IN_PROGRESS, who=HOLDER_OR_COORDINATOR)),
    **_rows(
        (S.IN_PROGRESS, S.WAITING_VENDOR), "wait_on_requester", Rule(to=S.WAITING_REQUESTER, who=HOLDER_OR_COORDINATOR)
    ),
    **_rows(
        (S.IN_PROGRESS, S.WAITING_REQUESTER), "wait_on_vendor", Rule(to=S.WAITING_VENDOR, who=HOLDER_OR_COORDINATOR)
    ),
    **_rows(WAITING, "resume", Rule(to=S.IN_PROGRESS, who=HOLDER_OR_COORDINATOR | {Actor.SYSTEM})),
    **_rows(
        (S.NEW, *WORKING),
        "resolve",
        Rule(to=S.RESOLVED, who=HOLDER_OR_COORDINATOR, requires=("resolution_notes", "resolution_code")),
    ),
    **_rows(WORKING, "hand_back", Rule(to=S.NEW, who=frozenset({Actor.ASSIGNEE}), requires=("note",), is_public=False)),
    # Up one tier when the holder cannot solve it (the requester hears "passed to a specialist"); down one
    # with a note when a higher tier finds it belongs lower. Coordinators move any open ticket either way.
    **_rows(
        (S.NEW, *WORKING),
        "escalate",
        Rule(
            to=_handoff_target,
            who=HOLDER_OR_COORDINATOR | {Actor.SYSTEM},  # the system: a breached SLA escalates by itself
            requires=("note",),
            guards=dict.fromkeys((Actor.ASSIGNEE, Actor.COORDINATOR, Actor.SYSTEM), _below_top_tier),
            note_is_public=False,
        ),
    ),
    **_rows(
        (S.NEW, *WORKING),
        "de_escalate",
        Rule(
            to=_handoff_target,
            who=HOLDER_OR_COORDINATOR,
            requires=("note",),
            guards=dict.fromkeys((Actor.ASSIGNEE, Actor.COORDINATOR), _above_first_tier),
            is_public=False,
        ),
    ),
    **_rows((S.RESOLVED,), "confirm", Rule(to=S.CLOSED, who=frozenset({Actor.REQUESTER}))),
    **_rows((S.RESOLVED,), "close", Rule(to=S.CLOSED, who=frozenset({Actor.COORDINATOR, Actor.SYSTEM}))),
    **_rows(
        (S.RESOLVED,),
        "reopen",
        Rule(
            to=_reopen_target,
            who=frozenset({Actor.REQUESTER, Actor.COORDINATOR}),
            requires=("note",),
            guards={Actor.REQUESTER: _within_reopen_window},
        ),
    ),
    **_rows(
        (S.CLOSED,),
        "reopen_closed",
        Rule(to=_reopen_target, who=frozenset({Actor.MANAGER}), requires=("note",)),
    ),
    # A requester may withdraw a ticket nobody has started; coordinators cancel any open ticket.
    **_rows((S.NEW,), "cancel", Rule(to=S.CANCELLED, who=frozenset({Actor.REQUESTER, Actor.COORDINATOR}))),
    **_rows(WORKING, "cancel", Rule(to=S.CANCELLED, who=frozenset({Actor.COORDINATOR}), requires=("note",))),
    # Merged into another ticket (tickets.services.merging): its conversation moved there, it ends here. Whoever
    # could work it may: its holder, a coordinator, a technician who could take it while nobody holds it.
    **_rows(
        (S.NEW,),
        "merge",
        Rule(to=S.CANCELLED, who=frozenset({Actor.WORKER, Actor.COORDINATOR}), guards={Actor.WORKER: _tier_allows}),
    ),
    **_rows(WORKING, "merge", Rule(to=S.CANCELLED, who=HOLDER_OR_COORDINATOR)),
}

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(action for _status, action in TRANSITIONS))
# Public actions whose note stays with the staff.
PRIVATE_NOTE_ACTIONS = frozenset(action for (_status, action), rule in TRANSITIONS.items() if not rule.note_is_public)

ACTION_LABELS = {
    "assign": _("Assign"),
    "take": _("Take and start work"),
    "start": _("Start work"),
    "wait_on_requester": _("Wait on requester"),
    "wait_on_vendor": _("Wait on vendor"),
    "resume": _("Resume work"),
    "resolve": _("Resolve"),
    "hand_back": _("Hand back to the coordinator"),
    "escalate": _("Escalate to the next tier"),
    "de_escalate": _("Send down a tier"),
    "confirm": _("Confirm the fix"),
    "close": _("Close"),
    "reopen": _("Reopen"),
    "reopen_closed": _("Reopen the closed ticket"),
    "cancel": _("Cancel the ticket"),
    "merge": _("Merge into another ticket"),
}


def actor_kinds(user: Someone, ticket: Ticket) -> frozenset[str]:
    """What `user` is to `ticket`. `None` is the system."""
    if user is None:
        return frozenset({Actor.SYSTEM})
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    kinds = set()
    if can(user, "tickets.view_own") and ticket.requester.user_id == user.pk:
        kinds.add(Actor.REQUESTER)
    if can(user, "tickets.work"):
        kinds.add(Actor.WORKER)
        if ticket.assignee_id == user.pk:
            kinds.add(Actor.ASSIGNEE)
    if can(user, "tickets.assign"):
        kinds.add(Actor.COORDINATOR)
    if can(user, "tickets.reopen_closed"):
        kinds.add(Actor.MANAGER)
    return frozenset(kinds)


def check(ticket: Ticket, action: str, user: Someone) -> Rule:
    """The rule for `user` taking `action` on `ticket` now, or the reason they cannot.

    Raises ActorNotAllowed (403) when the actor holds no right to the action, TransitionNotAllowed
    when they do but not from the ticket's status.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown ticket action {action!r}.")
    kinds = actor_kinds(user, ticket)
    rule = TRANSITIONS.get((ticket.status, action))
    if rule is not None and rule.who & kinds:
        for kind in rule.who & kinds:
            guard = rule.guards.get(kind)
            if guard is None or guard(user, ticket):
                return rule
        raise ActorNotAllowed  # a condition of their right fails: past the reopen window, above their tier
    if any(r.who & kinds for (_s, a), r in TRANSITIONS.items() if a == action):
        raise TransitionNotAllowed(
            _("This ticket is %(status)s: that cannot be done now.") % {"status": ticket.get_status_display()}
        )
    raise ActorNotAllowed


def is_allowed(ticket: Ticket, action: str, user: Someone) -> bool:
    try:
        check(ticket, action, user)
    except (WorkflowError, PermissionDenied):
        return False
    return True


def allowed_actions(ticket: Ticket, user: Someone) -> list[str]:
    return [action for action in ACTIONS if is_allowed(ticket, action, user)]


def missing_fields(rule: Rule, values: Mapping[str, object]) -> list[str]:
    return [name for name in rule.requires if not values.get(name)]


def apply(ticket: Ticket, rule: Rule, *, now: datetime) -> tuple[str, str]:
    """Move `ticket` along `rule` and keep the lifecycle timestamps true. Returns (old, new) status."""
    old = ticket.status
    new = rule.target(ticket)
    ticket.status = new
    if new == S.RESOLVED:
        ticket.resolved_at = now
    elif new == S.CLOSED:
        ticket.closed_at = now
    elif new in OPEN_STATUSES:
        # Reopened: the earlier resolution no longer stands.
        ticket.resolved_at = None
        ticket.closed_at = None
    if new == S.CANCELLED:
        ticket.closed_at = now
    return old, new
