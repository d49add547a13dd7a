"""The kinds of news the outbox carries, registered by the apps that send them.

The outbox knows no app's news by itself: each app registers its kinds when it is ready (tickets in
TicketsConfig.ready), with a label for the profile page, the wording of the mail and the bell, who may be
offered the kind, and how to fill the wording from a row's stored content. The values stored in
Notification.kind are the registered strings.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.permissions import roles_with

# The kinds of the outbox itself: a day's news gathered into one message; a webhook delivery (its event is
# in the row's content); the notice to a manager that a webhook was disabled.
DIGEST = "digest"
WEBHOOK = "webhook"
WEBHOOK_DISABLED = "webhook_disabled"

# From a row's stored content to the values its wording names (%(subject)s ...), or to extra links.
Filler = Callable[[dict[str, Any]], dict[str, Any]]


def _nothing(_context: dict[str, Any]) -> dict[str, Any]:
    return {}


def no_attachments(_context: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    return []


@dataclass(frozen=True)
class Kind:
    value: str
    label: str | Promise
    # The headline (also the mail's subject and the bell's line) and the first sentence; %-formatted.
    headline: str | Promise = ""
    intro: str | Promise = ""
    # The capability (accounts.permissions) a person's role must hold to be offered, and sent, this kind;
    # None: anyone. An empty string: never offered (the digest).
    audience: str | None = None
    values: Filler = field(default=_nothing)
    # What a message shows beside its wording, by the row's content, each optional: "reference" (leads the
    # subject and the bell's line), "url" (the page, in a digest), "page_path" (the page, in a message),
    # "stop_path" (a link that stops such messages, also offered as one-click unsubscribe).
    details: Filler = field(default=_nothing)
    # The kind's own pair of mail templates (<template>.txt and .html) when the common one will not do (a
    # report's summary with its tables); they get the row's content as `data`.
    template: str = ""
    # Files attached to the message, made from the row's content when it is rendered, in the recipient's
    # language: (file name, content, MIME type). A visit's calendar invitation.
    attachments: Callable[[dict[str, Any]], list[tuple[str, bytes, str]]] = field(default=no_attachments)


_registry: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    """Add kinds; registering one value twice replaces it (an app's ready() may run again in tests)."""
    for kind in kinds:
        _registry[kind.value] = kind


def get(value: str) -> Kind | None:
    return _registry.get(value)


def all_kinds() -> list[Kind]:
    """Every registered kind, in the order registered."""
    return list(_registry.values())


def choices() -> list[tuple[str, str | Promise]]:
    """The choices of Notification.kind: every registered kind."""
    return [(kind.value, kind.label) for kind in _registry.values()]


def offered_to_role(role: str) -> list[Kind]:
    """The kinds a person of this role may receive: what the profile page lets them switch off."""
    return [kind for kind in _registry.values() if kind.audience is None or role in _roles(kind.audience)]


def choices_offered_to_role(role: str) -> list[tuple[str, str | Promise]]:
    """`offered_to_role` as choices of a form (what the profile page offers: accounts.offers)."""
    return [(kind.value, kind.label) for kind in offered_to_role(role)]


def _roles(action: str) -> list[str]:
    return roles_with(action) if action else []


register(Kind(DIGEST, _("Daily digest"), audience=""))
register(Kind(WEBHOOK, _("Webhook delivery"), audience=""))
register(
    Kind(
        WEBHOOK_DISABLED,
        _("A webhook was disabled"),
        headline=_("The webhook %(name)s was disabled"),
        intro=_(
            "After %(failures)s deliveries in a row failed, %(url)s gets no more events. The last error: "
            "%(error)s. Turn it back on from its page (%(page)s) once the receiver works again."
        ),
        audience="",  # an alarm about the desk's own plumbing: never offered to switch off
        values=lambda data: {
            "name": data.get("name", ""),
            "failures": data.get("failures", ""),
            "url": data.get("url", ""),
            "error": data.get("error", ""),
            "page": data.get("page", ""),
        },
    )
)
