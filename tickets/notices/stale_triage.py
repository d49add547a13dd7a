"""The stale-triage alert: coordinators hear of new tickets nobody has taken for too long."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DateTimeField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tickets.models import Event, EventKind, Ticket, TicketStatus
from tickets.services import ticket_flag_once

ALERT = "triage_stale"


def entered_triage_at() -> Coalesce:
    """When a ticket last came into triage, read from its Events: an expression to annotate a query of
    tickets with, so the time of every ticket in triage is read in that one query.

    A ticket enters triage when it is created, when a status change puts it back to "new" (handed back,
    escalated or sent down to triage, reopened with nobody holding it) and when triage moves it to another
    tier (another tier's coordinators have it from then on). Counting from creation would report a ticket
    back in triage for four minutes as days old.
    """
    entries = (
        Event.objects.filter(ticket=OuterRef("pk"))
        .filter(
            Q(kind=EventKind.STATUS_CHANGED, new__status=TicketStatus.NEW)
            | Q(kind=EventKind.TRIAGED, new__has_key="tier")
        )
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return Coalesce(Subquery(entries, output_field=DateTimeField()), "created_at")


def tickets_alert_stale_triage(*, now: datetime | None = None) -> int:
    """Tell the coordinators of new, unassigned tickets in triage longer than TRIAGE_ALERT_MINUTES, once for
    each stay in triage: a ticket that comes back to triage later may be alerted again.

    The tickets, when each entered triage and whether it was alerted since are one query, however many wait.
    The alert is a ticket flag raised once (tickets.services.ticket_flag_once): an Event on the ticket, whose
    outbox rows the notification rules write with it, like any other change.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.TRIAGE_ALERT_MINUTES)
    alerted_since_entry = Event.objects.filter(
        ticket=OuterRef("pk"), kind=EventKind.ALERTED, action=ALERT, created_at__gte=OuterRef("entered_triage_at")
    )
    stale = (
        Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True)
        .annotate(entered_triage_at=entered_triage_at())
        .filter(entered_triage_at__lte=cutoff)
        .exclude(Exists(alerted_since_entry))
        .select_related("requester__user", "assignee")
        .order_by("entered_triage_at", "pk")[:200]
    )
    alerted = 0
    for candidate in stale:
        entered = candidate.entered_triage_at
        raised = ticket_flag_once(
            ticket=candidate,
            action=ALERT,
            since=entered,
            still=_in_triage,
            new=_minutes_since(entered, now),
            now=now,
        )
        if raised is not None:
            alerted += 1
    return alerted


def _in_triage(ticket: Ticket) -> bool:
    return ticket.status == TicketStatus.NEW and ticket.assignee_id is None


def _minutes_since(entered: datetime, now: datetime) -> Callable[[Ticket], dict[str, object]]:
    def values(_ticket: Ticket) -> dict[str, object]:
        return {"minutes_in_triage": int((now - entered).total_seconds() // 60)}

    return values
