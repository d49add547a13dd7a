"""The stale-triage alert: coordinators hear of new tickets nobody has taken for too long."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tickets.models import Event, EventKind, Ticket, TicketStatus
from tickets.services import ticket_flag


def tickets_alert_stale_triage(*, now: datetime | None = None) -> int:
    """Tell the coordinators of new, unassigned tickets older than TRIAGE_ALERT_MINUTES, once each.

    The alert is a ticket flag (tickets.services.ticket_flag): an Event on the ticket, whose outbox rows
    the notification rules write with it, like any other change.
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
        with transaction.atomic():
            # Claimed under the ticket's row lock and checked again: a second beat running at the same time
            # waits here, then finds the alert made and moves on. One alert, one mail, however many run.
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("requester__user", "assignee")
                .filter(pk=candidate.pk, status=TicketStatus.NEW, assignee__isnull=True)
                .first()
            )
            if (
                ticket is None
                or Event.objects.filter(ticket=ticket, kind=EventKind.ALERTED, action="triage_stale").exists()
            ):
                continue
            minutes = int((now - ticket.created_at).total_seconds() // 60)
            ticket_flag(ticket=ticket, action="triage_stale", new={"minutes_in_triage": minutes}, now=now)
        alerted += 1
    return alerted
