"""One action on many tickets at once, each through its own service."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets.models import Category, Project, Ticket
from tickets.services.assign import ticket_assign
from tickets.services.lifecycle import ticket_cancel
from tickets.services.projects import ticket_set_project
from tickets.services.triage import triage_keeping
from tickets.workflow import ActorNotAllowed, WorkflowError

BULK_ACTIONS = ("assign", "set_priority", "set_category", "set_tier", "set_project", "cancel_duplicate")


@dataclass
class BulkResult:
    """What a bulk action changed and what it refused, ticket by ticket, with the reason in words."""

    changed: list[Ticket] = field(default_factory=list)
    unchanged: list[Ticket] = field(default_factory=list)
    refused: list[tuple[Ticket, str]] = field(default_factory=list)


def tickets_bulk_change(
    *, by: User, tickets: Iterable[Ticket], action: str, now: datetime | None = None, **params: object
) -> BulkResult:
    """Apply one action to many tickets, each through its own service, in one transaction.

    A ticket the action cannot be taken on is refused with the reason (its savepoint rolls back) and the
    others still change. Params by action: assignee (assign); priority, priority_reason (set_priority);
    category (set_category); tier (set_tier); project (set_project); duplicate_of (cancel_duplicate).
    """
    if action not in BULK_ACTIONS:
        raise ValueError(f"Unknown bulk action {action!r}.")
    if not can(by, "tickets.bulk"):
        raise ActorNotAllowed
    now = now or timezone.now()
    result = BulkResult()
    with transaction.atomic():
        for ticket in tickets:
            try:
                with transaction.atomic():
                    before = Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)
                    changed = _bulk_one(ticket, by, action, now, params)
            except WorkflowError as error:  # a StaleTicket too
                result.refused.append((ticket, str(error.message)))
            except PermissionDenied:
                result.refused.append((ticket, str(_("You may not do this on this ticket."))))
            else:
                (result.changed if changed.version != before else result.unchanged).append(changed)
    return result


def _bulk_one(ticket: Ticket, by: User, action: str, now: datetime, params: dict[str, object]) -> Ticket:
    # The params come from the bulk form, checked there; each service refuses what does not fit.
    if action == "assign":
        return ticket_assign(ticket=ticket, by=by, assignee=cast(User, params["assignee"]), now=now)
    if action == "set_priority":
        priority, reason = cast(int, params["priority"]), cast(str, params.get("priority_reason", ""))
        return triage_keeping(ticket, by, now, lambda kept: replace(kept, priority=priority, priority_reason=reason))
    if action == "set_category":
        category = cast(Category | None, params["category"])
        return triage_keeping(ticket, by, now, lambda kept: replace(kept, category=category))
    if action == "set_tier":
        tier = cast(int, params["tier"])
        return triage_keeping(ticket, by, now, lambda kept: replace(kept, tier=tier))
    if action == "set_project":
        return ticket_set_project(ticket=ticket, by=by, project=cast(Project | None, params["project"]), now=now)
    return ticket_cancel(ticket=ticket, by=by, duplicate_of=cast(Ticket | None, params["duplicate_of"]), now=now)
