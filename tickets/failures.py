"""Repeat failures: a hardware fault of a device that came soon after an earlier one of the same device was
fixed, the clearest sign that a repair did not hold or a machine is worth replacing.

A ticket is a repeat failure when it is a hardware ticket (its category is reported as hardware) of a device
and, when it became one (at creation, or when triage gave it such a category), another hardware ticket of
the same device had been resolved at most REPEAT_DAYS before the ticket was created and was still solved.
The flag is kept on the ticket (`Ticket.repeat_failure`) so the machines report counts repeats from the
rollups instead of reading every fault of a device: the one path of changes (services._change) sets it,
`mark_all` sets it for tickets written around the services (a bulk load, the migration that added it).
"""

from datetime import datetime, timedelta

from django.apps import apps as installed_apps
from django.db.models import Exists, OuterRef

from tickets.models import ReportAs, Ticket

REPEAT_DAYS = 30
# The status values of a solved ticket (tickets.models.SOLVED_STATUSES; repeated here for the migration,
# which must not import the models of today).
SOLVED = ("closed", "resolved")
HARDWARE = ReportAs.HARDWARE.value


def is_repeat(ticket: Ticket, created_at: datetime | None = None) -> bool:
    """Whether `ticket` (saved or not yet) is a repeat failure as its device and category stand now."""
    if not ticket.device_id or ticket.category is None or ticket.category.report_as != HARDWARE:
        return False
    created_at = created_at or ticket.created_at
    return (
        Ticket.objects.filter(
            device_id=ticket.device_id,
            category__report_as=HARDWARE,
            status__in=SOLVED,
            resolved_at__lte=created_at,
            resolved_at__gte=created_at - timedelta(days=REPEAT_DAYS),
        )
        .exclude(pk=ticket.pk)
        .exists()
    )


def mark(ticket: Ticket) -> list[str]:
    """Set the flag of a ticket whose device or category changed. Returns the fields set."""
    repeat = is_repeat(ticket)
    if repeat == ticket.repeat_failure:
        return []
    ticket.repeat_failure = repeat
    return ["repeat_failure"]


def mark_all(*, apps=installed_apps) -> int:
    """Set the flag of every ticket from the tickets as they are (after a bulk load; in the migration, whose
    `apps` it is given). Two statements; returns the repeat failures found."""
    ticket_model = apps.get_model("tickets", "Ticket")
    fixed_before = ticket_model.objects.filter(
        device_id=OuterRef("device_id"),
        category__report_as=HARDWARE,
        status__in=SOLVED,
        resolved_at__lte=OuterRef("created_at"),
        resolved_at__gte=OuterRef("created_at") - timedelta(days=REPEAT_DAYS),
    ).exclude(pk=OuterRef("pk"))
    ticket_model.objects.filter(repeat_failure=True).update(repeat_failure=False)
    return (
        ticket_model.objects.filter(category__report_as=HARDWARE, device__isnull=False)
        .filter(Exists(fixed_before))
        .update(repeat_failure=True)
    )
