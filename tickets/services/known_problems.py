"""Known problems: a coordinator tells the whole organisation that something is down, on a parent ticket;
requesters say "Me too" and follow it instead of filing another ticket."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from assets.models import Location
from tickets import permissions
from tickets.models import Category, EventKind, KnownProblem, Ticket, Watcher
from tickets.services._change import Change, ticket_change
from tickets.workflow import ActorNotAllowed, WorkflowError


def known_problem_publish(
    *,
    ticket: Ticket,
    by: User,
    public_text: str,
    categories: Iterable[Category] = (),
    locations: Iterable[Location] = (),
    now: datetime | None = None,
) -> KnownProblem:
    """Show `ticket` to everyone as a known problem with `public_text`, beside the report form of its
    `categories` and to the people of its `locations` (none: to all). Publishing again changes the text and
    where it shows. Public on the ticket's timeline; the notice comes down when the ticket is resolved."""
    if not can(by, "tickets.known_problems"):
        raise ActorNotAllowed
    text = " ".join(public_text.split())
    if not text:
        raise WorkflowError(_("Write what everyone should read."))
    now = now or timezone.now()
    published: list[KnownProblem] = []

    def apply(locked: Ticket) -> Change:
        # On the row as it is now: the ticket may have been resolved since the form was opened.
        if not permissions.can(by, "publish_known_problem", locked):
            raise WorkflowError(_("This ticket is finished: a known problem is an open one."))
        problem, created = KnownProblem.objects.update_or_create(
            ticket=locked,
            defaults={"public_text": text, "taken_down_at": None},
            create_defaults={"public_text": text, "published_by": by, "published_at": now},
        )
        problem.categories.set(categories)
        problem.locations.set(locations)
        published.append(problem)
        return Change(
            kind=EventKind.KNOWN_PROBLEM,
            action="publish" if created else "update",
            new={"text": text},
            is_public=True,
            bump=False,
            notify=False,
        )

    with transaction.atomic():
        ticket_change(ticket, by=by, apply=apply, now=now)
    return published[0]


def known_problem_take_down(*, problem: KnownProblem, by: User, now: datetime | None = None) -> None:
    """Take the notice down before the ticket is resolved (resolving takes it down by itself)."""
    if not can(by, "tickets.known_problems"):
        raise ActorNotAllowed
    now = now or timezone.now()

    def apply(locked: Ticket) -> Change | None:
        if KnownProblem.objects.filter(pk=problem.pk, taken_down_at__isnull=True).update(taken_down_at=now) == 0:
            return None
        return Change(kind=EventKind.KNOWN_PROBLEM, action="take_down", is_public=True, bump=False, notify=False)

    ticket_change(problem.ticket, by=by, apply=apply, now=now)


def known_problem_me_too(*, problem: KnownProblem, by: User, now: datetime | None = None) -> bool:
    """`by` has the problem too: they follow the ticket's public updates (they hear of each, and of the fix)
    instead of filing another ticket, which the reports count as a ticket avoided. Returns whether they were
    not following it already."""
    if not can(by, "tickets.submit"):
        raise ActorNotAllowed
    now = now or timezone.now()
    added: list[bool] = []

    def apply(locked: Ticket) -> Change | None:
        showing = KnownProblem.objects.filter(pk=problem.pk, taken_down_at__isnull=True).exists()
        if not showing or not locked.is_open:
            raise WorkflowError(_("This problem is solved already. If it still troubles you, report it."))
        if locked.requester.user_id == by.pk or Watcher.objects.filter(ticket=locked, user=by).exists():
            return None
        watcher = Watcher.objects.create(ticket=locked, user=by, added_by=by, created_at=now)
        KnownProblem.objects.filter(pk=problem.pk).update(me_too_count=F("me_too_count") + 1)
        added.append(True)
        return Change(
            kind=EventKind.WATCHERS_CHANGED,
            action="me_too",
            new={"watcher": by.email, "watcher_id": watcher.pk, "outside": False},
            bump=False,
            notify=False,
        )

    ticket_change(problem.ticket, by=by, apply=apply, now=now)
    return bool(added)
