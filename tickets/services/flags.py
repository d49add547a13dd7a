"""Alerts the system raises on a ticket without changing it (nobody qualifies, a service level is due)."""

from datetime import datetime

from django.utils import timezone

from tickets.models import Event, EventKind, Ticket
from tickets.services._change import Values, record


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
