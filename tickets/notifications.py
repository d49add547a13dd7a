"""Where notifications attach to ticket changes.

Every ticket service records an Event and calls `tickets.services._after_change`, which calls `notify`
inside the same transaction: the outbox rows commit with the change or not at all, and their delivery is
queued only after the commit (notifications.services). Who hears what is decided in tickets.notices.
"""

from notifications.services import notifications_save
from tickets.models import Event
from tickets.notices.rules import notifications_for_event


def notify(event: Event) -> None:
    """Write the outbox rows for the change recorded by `event`."""
    notifications_save(notifications_for_event(event))
