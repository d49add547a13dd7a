"""The SLA clocks' rounds (every minute, from Celery beat) and their recompute after a policy changes."""

from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from tickets import sla
from tickets.models import OPEN_STATUSES, Priority, SlaPolicy, Ticket
from tickets.services.escalation import ticket_escalate_on_breach
from tickets.services.flags import ticket_flag
from tickets.services.triage import triage_keeping

CLOCK_RUNNING = [status for status in OPEN_STATUSES if status not in sla.PAUSED_STATUSES]


def sla_check(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Warn of resolution targets close to their due time, mark breaches, and apply each policy's breach
    actions: each exactly once per ticket, however often this runs and however many processes run it. Each
    action acts on the breaches its policy names (first response, resolution or both: BreachClock).

    A ticket is claimed with a conditional UPDATE of its warned/breached stamp inside the transaction that
    takes the actions: a second run, or a second beat process waiting on the row, finds it claimed and does
    nothing; a failed action rolls the claim back, so the next run tries again.
    """
    now = now or timezone.now()
    done = {"warned": 0, "response_breached": 0, "resolution_breached": 0}
    running = Ticket.objects.filter(status__in=CLOCK_RUNNING)
    due = {
        "warned": running.filter(sla_warned_at__isnull=True, resolution_breached_at__isnull=True, sla_warn_at__lte=now),
        "response_breached": running.filter(
            response_breached_at__isnull=True, first_response_at__isnull=True, first_response_due_at__lt=now
        ),
        "resolution_breached": running.filter(resolution_breached_at__isnull=True, resolution_due_at__lt=now),
    }
    stamps = {
        "warned": "sla_warned_at",
        "response_breached": "response_breached_at",
        "resolution_breached": "resolution_breached_at",
    }
    for what, candidates in due.items():
        for pk in list(candidates.order_by("pk").values_list("pk", flat=True)[:batch]):
            with transaction.atomic():
                claimed = Ticket.objects.filter(pk=pk, **{f"{stamps[what]}__isnull": True}).update(
                    **{stamps[what]: now}
                )
                if not claimed:
                    continue
                ticket = Ticket.objects.select_related("requester", "assignee").get(pk=pk)
                _sla_act(ticket, what, now)
                done[what] += 1
    return done


def sla_recompute_open() -> int:
    """After a service level or a calendar changed: the due times of every open ticket again. Time already
    paused stays paused. Returns how many tickets have a clock. The policies and calendars are read once
    and the tickets written in batches, so the queries do not grow with the tickets (but for one per 500)."""
    setup = sla.Setup.load()
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES).select_related("category__calendar", "requester")
    changed = [ticket for ticket in open_tickets.iterator(chunk_size=500) if sla.recompute(ticket, setup)]
    Ticket.objects.bulk_update(changed, ["first_response_due_at", "resolution_due_at", "sla_warn_at"], batch_size=500)
    return len(changed)


def _sla_act(ticket: Ticket, what: str, now: datetime) -> None:
    if what == "warned":
        due = ticket.resolution_due_at.isoformat() if ticket.resolution_due_at else None
        ticket_flag(ticket=ticket, action="sla_warning", new={"due": due}, now=now)
        return
    policy = SlaPolicy.objects.filter(priority=ticket.priority).first()
    due_at = ticket.first_response_due_at if what == "response_breached" else ticket.resolution_due_at
    tell = policy is None or policy.breach_notifies_coordinators
    ticket_flag(
        ticket=ticket,
        action="sla_breach",
        note=str(
            _("The first response time passed.") if what == "response_breached" else _("The resolution time passed.")
        ),
        new={"target": what, "due": due_at.isoformat() if due_at else None, "notify_coordinators": tell},
        now=now,
    )
    if policy is None:
        return
    clock = "response" if what == "response_breached" else "resolution"
    reason = str(
        (
            _("The first response time passed (service level of %(priority)s).")
            if clock == "response"
            else _("The resolution time passed (service level of %(priority)s).")
        )
        % {"priority": ticket.priority_label}
    )
    if policy.raises_priority_on(clock) and ticket.priority > min(Priority.values):
        raised = ticket.priority - 1
        ticket = triage_keeping(ticket, None, now, lambda kept: replace(kept, priority=raised, priority_reason=reason))
    if policy.escalates_on(clock) and ticket.tier < max(Tier.values):
        ticket_escalate_on_breach(ticket=ticket, note=reason, now=now)
