"""Message-IDs of the outbox's mail: one a message, and one a thread that every message about it refers to."""

from urllib.parse import urlparse

from django.conf import settings

from notifications.models import Notification

__all__ = ["message_id_for", "thread_id_for"]


def message_id_for(notification: Notification) -> str:
    return f"<notification-{notification.pk}@{_mail_domain()}>"


def thread_id_for(ticket_id: int) -> str:
    """The Message-ID every message about one ticket refers to, so mail clients thread them."""
    return f"<ticket-{ticket_id}@{_mail_domain()}>"


def _mail_domain() -> str:
    return urlparse(settings.SITE_URL).hostname or "helpdesk.invalid"
