"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from intake import fetching


@shared_task(ignore_result=True)
def intake_mail_fetch() -> None:
    """Every INTAKE_FETCH_INTERVAL seconds, when a mailbox is configured: read each mailbox once."""
    fetching.mailboxes_fetch()
