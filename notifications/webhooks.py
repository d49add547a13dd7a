"""Webhooks: which events exist, signing, the private-address guard and one HTTP delivery.

Events are registered by the apps that cause them (tickets registers "ticket.created" ... in its ready()),
as kinds of news are: the outbox knows none by itself. A subscriber gets a JSON body

    {"id": <delivery id>, "event": "ticket.created", "created_at": "...", "data": {...}}

with the headers X-Helpdesk-Event, X-Helpdesk-Delivery (the same id on every attempt: an idempotency key),
X-Helpdesk-Timestamp (Unix seconds) and X-Helpdesk-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>"
keyed with the subscription's secret>.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.models import WebhookSubscription

logger = logging.getLogger(__name__)
SIGNATURE_VERSION = "v1"
USER_AGENT = "Helpdesk-Webhooks/1"
# The longest body a response is read to (for the log): the rest is not read.
RESPONSE_READ = 1024

# --- the events -------------------------------------------------------------------------------------

_events: dict[str, str | Promise] = {}


def register(name: str, label: str | Promise) -> None:
    _events[name] = label


def event_choices() -> list[tuple[str, str | Promise]]:
    return list(_events.items())


# --- signing ------------------------------------------------------------------------------------------


def secret_new() -> str:
    return secrets.token_hex(32)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signature_valid(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver checks: the signature matches, and the timestamp is recent (no replay of old ones)."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header.strip())


def body_for(delivery_id: str, event: str, created_at: Any, data: dict[str, Any]) -> bytes:
    payload = {"id": delivery_id, "event": event, "created_at": created_at, "data": data}
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()


# --- who may be called --------------------------------------------------------------------------------


class AddressRefused(Exception):
    """The URL cannot be called: `message` says why, for the manager."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def resolve(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address) of `url`, with the one address to connect to. Raises AddressRefused for
    a URL that is not http(s), a host that does not resolve, or one on a private address (unless allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_("Give an http or https address."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(_("The host %(host)s does not resolve.") % {"host": parts.hostname}) from None
    addresses = [str(info[4][0]) for info in found]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not all(_is_public(a) for a in addresses):
        raise AddressRefused(
            _(
                "%(host)s is a loopback, private or reserved address: webhooks go to public addresses only "
                "(WEBHOOK_ALLOW_PRIVATE_ADDRESSES allows others)."
            )
            % {"host": parts.hostname}
        )
    return parts.scheme, parts.hostname, port, addresses[0]


# --- one delivery -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    duration_ms: int


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to a second look-up of the name (which could differ)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` once, without following redirects. Never raises: the answer says what happened."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port, address = resolve(url)
    except AddressRefused as refused:
        return Answer(None, str(refused.message), took())
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = kind(host, port, address, timeout=settings.WEBHOOK_TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_READ)
        return Answer(response.status, "", took())
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:500], took())
    finally:
        connection.close()


def headers_for(subscription: WebhookSubscription, event: str, delivery_id: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event": event,
        "X-Helpdesk-Delivery": delivery_id,
        "X-Helpdesk-Timestamp": timestamp,
        "X-Helpdesk-Signature": signature(subscription.secret, timestamp, body),
    }


def is_permanent(status_code: int | None) -> bool:
    """2xx is done; 408, 429 and 5xx (and no answer) are worth another try; any other answer is final."""
    if status_code is None:
        return False
    return 400 <= status_code < 500 and status_code not in (408, 429)


# --- the active subscriptions, without a query per ticket change ------------------------------------

CACHE_KEY = "webhooks:active:v1"


def subscriptions_active() -> list[tuple[int, frozenset[str]]]:
    """(id, events) of each active subscription, kept in the shared cache until one changes."""
    try:
        kept = cache.get(CACHE_KEY)
    except Exception:  # the cache is away: ask the database
        kept = None
    if kept is None:
        kept = [
            (pk, list(events))
            for pk, events in WebhookSubscription.objects.filter(is_active=True).values_list("pk", "events")
        ]
        try:
            cache.set(CACHE_KEY, kept, timeout=300)
        except Exception:  # the cache is away: the next change asks the database again
            logger.warning("the webhooks' list could not be cached", exc_info=True)
    return [(pk, frozenset(events)) for pk, events in kept]


def subscriptions_changed() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception:  # a stale list lives at most the cache's five minutes
        logger.warning("the webhooks' cached list could not be dropped", exc_info=True)
