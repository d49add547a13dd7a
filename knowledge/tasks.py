"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from knowledge import services


@shared_task
def knowledge_send_review_reminders() -> int:
    """Daily: a reminder to the owner of each published article whose review day has come, once per date."""
    return services.article_review_reminders_send()
