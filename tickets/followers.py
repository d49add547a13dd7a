"""Who keeps figures derived from the tickets in step with them, in the transaction of each change.

The Insight reports (reports.rollups) keep per-day rollups of the tickets; they sit above tickets, which
must not import them. They register here when Django starts (ReportsConfig.ready), and the one path of
ticket writes (tickets.services._change.record) calls every follower with the ticket as it was before the
change (None when it was just created), the ticket as it is now, and the Event the change left.
"""

from collections.abc import Callable

from tickets.models import Event, Ticket

Follower = Callable[[Ticket | None, Ticket, Event], None]

_followers: list[Follower] = []


def follow_tickets(follower: Follower) -> None:
    """Have `follower` called on every ticket change from now on (once, however often it registers)."""
    if follower not in _followers:
        _followers.append(follower)


def changed(before: Ticket | None, after: Ticket, event: Event) -> None:
    for follower in _followers:
        follower(before, after, event)
