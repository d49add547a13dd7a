"""Alerts the system raises on a ticket without changing it (nobody qualifies, a service level is due)."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tickets.models import Event, EventKind, Ticket
from tickets.services._change import Values, lock, record


def ticket_flag(
    *, ticket: Ticket, action: str, note: str = "", new: Values | None = None, now: datetime | None = None
) -> Event:
    """The system raises an alert on a ticket (nobody qualifies for automatic assignment, ...).

    Internal: an ALERTED event the dashboard shows; the ticket itself does not change, so its row is not
    locked and its version stays: whoever has the ticket open may still act on what they saw.
    """
    return record(
        ticket,
        by=None,
        kind=EventKind.ALERTED,
        action=action,
        note=note,
        new=new,
        is_public=False,
        now=now or timezone.now(),
    )


def ticket_flag_once(
    *,
    ticket: Ticket,
    action: str,
    still: Callable[[Ticket], bool],
    new: Callable[[Ticket], Values],
    now: datetime | None = None,
    since: datetime | None = None,
) -> Event | None:
    """Raise the alert `action` on `ticket` once in its life, or once since `since` (once for each stay in
    a state), while `still(ticket)` holds (a periodic job's alert). Decided under the ticket's row lock: a
    second run at the same moment waits for it, then finds the alert made and raises none. None when nothing
    was raised."""
    with transaction.atomic():
        locked = lock(ticket)
        raised = Event.objects.filter(ticket=locked, kind=EventKind.ALERTED, action=action)
        if since is not None:
            raised = raised.filter(created_at__gte=since)
        if not still(locked) or raised.exists():
            return None
        return ticket_flag(ticket=locked, action=action, new=new(locked), now=now)
