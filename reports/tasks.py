"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from reports import rollups


@shared_task
def reports_recount_rollups() -> int:
    """Nightly: the rollups made again from the tickets, compared with the rows the changes kept, and put
    right where they differ (each difference is logged). Returns how many differed."""
    return len(rollups.recount(fix=True).differences)
