"""Where notifications attach to ticket changes.

Every ticket write goes through `tickets.services._change.ticket_change`, whose Event is recorded with a
call to `notify` inside the same transaction: the outbox rows commit with the change or not at all, and
their delivery is queued only after the commit (notifications.queue). Who hears what is decided in tickets.notices.
"""

from notifications.services import notifications_save
from tickets.models import Event
from tickets.notices.rules import notifications_for_event
from tickets.notices.webhooks import webhook_rows_for_event


def notify(event: Event) -> None:
    """Write the outbox rows for the change recorded by `event`: who hears of it, and which webhooks."""
    notifications_save(notifications_for_event(event) + webhook_rows_for_event(event))
