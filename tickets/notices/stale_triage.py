"""The stale-triage alert: coordinators hear of new tickets nobody has taken for too long."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tickets.models import Event, EventKind, Ticket, TicketStatus
from tickets.services import ticket_flag_once


def tickets_alert_stale_triage(*, now: datetime | None = None) -> int:
    """Tell the coordinators of new, unassigned tickets older than TRIAGE_ALERT_MINUTES, once each.

    The alert is a ticket flag raised once (tickets.services.ticket_flag_once): an Event on the ticket, whose
    outbox rows the notification rules write with it, like any other change.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.TRIAGE_ALERT_MINUTES)
    already = Event.objects.filter(kind=EventKind.ALERTED, action="triage_stale").values("ticket_id")
    stale = (
        Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True, created_at__lte=cutoff)
        .exclude(pk__in=already)
        .select_related("requester__user", "assignee")
        .order_by("created_at")[:200]
    )
    alerted = 0
    for candidate in stale:
        raised = ticket_flag_once(
            ticket=candidate,
            action="triage_stale",
            still=lambda ticket: ticket.status == TicketStatus.NEW and ticket.assignee_id is None,
            new=lambda ticket: {"minutes_in_triage": int((now - ticket.created_at).total_seconds() // 60)},
            now=now,
        )
        if raised is not None:
            alerted += 1
    return alerted
