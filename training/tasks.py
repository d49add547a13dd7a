"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from training import services


@shared_task
def training_send_reminders() -> int:
    """Hourly: on the day before a session, one reminder to each person coming or yet to answer."""
    return services.reminders_send()
