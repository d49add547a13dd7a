"""What other apps offer a person on their profile, registered by those apps when Django starts.

accounts sits under every other app and imports none of them: notifications registers the kinds of news a
role may be sent (NotificationsConfig.ready), and the profile's preferences form asks here.
"""

from collections.abc import Callable

from django.utils.functional import Promise

# (stored value, label) of each kind of news offered to a role.
KindChoices = list[tuple[str, str | Promise]]


def _none_offered(role: str) -> KindChoices:
    return []


_kinds_offered: Callable[[str], KindChoices] = _none_offered


def offer_notification_kinds(provider: Callable[[str], KindChoices]) -> None:
    """Set what tells, by role, which kinds of news a person may switch off."""
    global _kinds_offered
    _kinds_offered = provider


def notification_kinds_offered(role: str) -> KindChoices:
    return _kinds_offered(role)
