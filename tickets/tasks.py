"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from tickets import attachments, services, tally
from tickets.notices import stale_triage


@shared_task
def tickets_close_resolved() -> int:
    """Periodic: close the tickets whose reopen window has passed."""
    return services.tickets_close_expired_resolutions()


@shared_task
def tickets_check_sla() -> dict[str, int]:
    """Every minute: SLA warnings, breaches and the breach actions, each once (the service claims each)."""
    return services.sla_check()


@shared_task
def tickets_rebuild_solved_tally() -> int:
    """Nightly: the solved tally made again from the tickets (the status changes keep it during the day)."""
    return tally.rebuild()


@shared_task
def attachments_remove_orphans() -> int:
    """Hourly: files no attachment row points at, a day old (their request died before its commit)."""
    return attachments.attachments_remove_orphans()


@shared_task(ignore_result=True)
def tickets_alert_stale_triage() -> None:
    """Periodic: tell coordinators of tickets left in triage too long."""
    stale_triage.tickets_alert_stale_triage()


@shared_task
def recurring_tickets_open() -> int:
    """Every few minutes: open the recurring tickets whose day has come, each occurrence once."""
    return len(services.recurring_tickets_open())


@shared_task
def repairs_remind_overdue() -> int:
    """Hourly: remind the technician of each repair past its expected day, once."""
    return services.repairs_remind_overdue()
