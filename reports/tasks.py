"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from reports import monthly, recount


@shared_task
def reports_recount_rollups() -> int:
    """Nightly: the rollups made again from the tickets, compared with the rows the changes kept, and put
    right where they differ (each difference is logged). Returns how many differed."""
    return recount.recount(fix=True).differing


@shared_task
def reports_send_monthly_summaries() -> int:
    """On the first of the month: last month's summary to each manager who asked for it, once."""
    return monthly.monthly_summaries_send()
