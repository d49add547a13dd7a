"""Related tickets: a technician links the ticket they work to another (a solved one whose solution they
used, the same problem reported twice), and both timelines say so."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import permissions
from tickets.models import EventKind, Ticket, TicketLink
from tickets.services._change import Change, ticket_change
from tickets.workflow import ActorNotAllowed, WorkflowError


def ticket_link(*, ticket: Ticket, other: Ticket, by: User, now: datetime | None = None) -> bool:
    """Link `ticket`, which `by` works (its holder, a technician who could take it, a coordinator), to `other`,
    which they may see, as related. An internal Event on each. Returns whether the link is new."""
    if ticket.pk == other.pk:
        raise WorkflowError(_("A ticket cannot be linked to itself."))
    may_see_other = permissions.tickets_visible_to(by).filter(pk=other.pk).exists()
    if not permissions.can(by, "log_time", ticket) or not may_see_other:
        raise ActorNotAllowed
    now = now or timezone.now()
    first, second = sorted((ticket, other), key=lambda t: t.pk)
    with transaction.atomic():
        _link, created = TicketLink.objects.get_or_create(
            first=first, second=second, defaults={"linked_by": by, "linked_at": now}
        )
        if not created:
            return False
        # Lower number first, as every writer locks two tickets, so two links at once never wait on each other.
        for this, that in ((first, second), (second, first)):
            ticket_change(this, by=by, apply=_linked_to(that), now=now)
    return True


def _linked_to(other: Ticket) -> Callable[[Ticket], Change]:
    def apply(locked: Ticket) -> Change:
        return Change(
            kind=EventKind.LINKED,
            action="link",
            new={"ticket": other.pk, "subject": other.subject[:120]},
            is_public=False,
            bump=False,
            notify=False,
        )

    return apply
