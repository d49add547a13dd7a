"""Who else follows a ticket's public updates, and the caps that keep the desk's mail from strangers."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from assets.models import Employee
from tickets import permissions
from tickets.models import EventKind, Ticket, Watcher
from tickets.services._change import Change, record, ticket_change
from tickets.workflow import ActorNotAllowed, WorkflowError


class WatcherError(WorkflowError):
    """A watcher that cannot be added; the message says why, for the form."""


def watcher_add(*, ticket: Ticket, by: User, email: str) -> Watcher:
    """Add someone to a ticket's public updates, so the desk's mail can never be turned on strangers.

    Staff may add any address (a supplier, say): someone outside the organisation is told once why they get
    mail, and every message carries a link to stop it. A requester may add colleagues only (an account or
    an employee of the organisation, by email), at most WATCHERS_MAX_BY_REQUESTER; no ticket has more than
    WATCHERS_MAX_PER_TICKET. The new watcher is told who added them.
    """
    address = email.strip().lower()
    if not address:
        raise WatcherError(_("Give an email address."))
    is_staff = can(by, "tickets.work")
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    is_colleague = user is not None or Employee.objects.filter(email__iexact=address, is_active=True).exists()
    if not is_staff and not is_colleague:
        raise WatcherError(
            _(
                "Only colleagues of the organisation can be added here, by their work email. To keep someone "
                "outside it informed (a supplier, say), ask the help desk."
            )
        )
    added: list[Watcher] = []

    def apply(locked: Ticket) -> Change:
        # The ticket's row is locked: the caps below hold however many people add at once.
        if not permissions.can_act(by, "reply", locked):
            raise ActorNotAllowed
        requester = locked.requester
        if (user is not None and user.pk == requester.user_id) or requester.email.lower() == address:
            raise WatcherError(_("The requester hears of every update already."))
        watchers = Watcher.objects.filter(ticket=locked)
        if watchers.filter(Q(user=user) if user else Q(email__iexact=address)).exists():
            raise WatcherError(_("%(address)s already follows this ticket.") % {"address": address})
        if watchers.count() >= settings.WATCHERS_MAX_PER_TICKET:
            raise WatcherError(
                _("A ticket can have at most %(count)s watchers.") % {"count": settings.WATCHERS_MAX_PER_TICKET}
            )
        if not is_staff and watchers.filter(added_by=by).count() >= settings.WATCHERS_MAX_BY_REQUESTER:
            raise WatcherError(
                _("You can add at most %(count)s colleagues to a ticket.")
                % {"count": settings.WATCHERS_MAX_BY_REQUESTER}
            )
        watcher = Watcher.objects.create(ticket=locked, user=user, email="" if user else address, added_by=by)
        added.append(watcher)
        return Change(
            kind=EventKind.WATCHERS_CHANGED,
            action="watch",
            new={"watcher": address, "watcher_id": watcher.pk, "outside": not is_colleague},
            # Beside the ticket: whoever has it open may still act on what they saw.
            bump=False,
        )

    ticket_change(ticket, by=by, apply=apply)
    return added[0]


def watcher_keep(*, ticket: Ticket, user: User, now: datetime | None = None) -> Watcher | None:
    """The system keeps `user` on a ticket's public updates: the technician an automatic escalation took the
    ticket from, when nobody of the next tier could take it, goes on hearing where it goes.

    Not capped like the watchers people add (one per escalation, by the desk itself), and told nothing more:
    the escalation's own message reaches them. None when they follow the ticket already.
    """
    added: list[Watcher] = []

    def apply(locked: Ticket) -> Change | None:
        if Watcher.objects.filter(ticket=locked, user=user).exists():
            return None
        watcher = Watcher.objects.create(ticket=locked, user=user, added_by=None)
        added.append(watcher)
        return Change(
            kind=EventKind.WATCHERS_CHANGED,
            action="watch",
            new={"watcher": user.email, "watcher_id": watcher.pk, "outside": False, "kept": True},
            bump=False,
            notify=False,
        )

    ticket_change(ticket, by=None, apply=apply, now=now)
    return added[0] if added else None


@transaction.atomic
def watcher_remove(*, watcher: Watcher, by: User | None) -> None:
    """Take someone off a ticket's updates: staff or the requester, or (`by=None`) the watcher themselves
    from the link in a message."""
    if by is not None and not permissions.may_remove_watcher(by, watcher, watcher.ticket):
        raise ActorNotAllowed
    address = watcher.user.email if watcher.user is not None else watcher.email
    record(
        watcher.ticket,
        by=by,
        kind=EventKind.WATCHERS_CHANGED,
        action="unwatch",
        old={"watcher": address},
        note="" if by is not None else str(_("Stopped by the watcher, from the link in a message.")),
        is_public=False,
        now=timezone.now(),
    )
    watcher.delete()


def requester_follows(*, kept: Ticket, duplicate: Ticket, by: User | None, now: datetime) -> Watcher | None:
    """The requester of `duplicate` follows `kept` from now on, and is told so (once: the watcher's message).
    Nothing when they are `kept`'s requester or follow it already. Called inside the caller's transaction."""
    employee = duplicate.requester
    if employee.pk == kept.requester_id:
        return None
    user = employee.user if employee.user_id and employee.user and employee.user.is_active else None
    address = "" if user else (employee.email or "").strip().lower()
    if user is None and not address:
        return None
    existing = Watcher.objects.filter(ticket=kept).filter(Q(user=user) if user else Q(email__iexact=address))
    if existing.exists():
        return None
    watcher = Watcher.objects.create(ticket=kept, user=user, email=address, added_by=by, created_at=now)
    record(
        kept,
        by=by,
        kind=EventKind.WATCHERS_CHANGED,
        action="watch",
        new={"watcher": user.email if user else address, "watcher_id": watcher.pk, "outside": False},
        note=gettext("The requester of %(ticket)s, the same problem.") % {"ticket": duplicate.reference},
        is_public=False,
        now=now,
    )
    return watcher
