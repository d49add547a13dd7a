"""Limits on what sends mail or creates work, counted in the shared cache (Redis in production).

The limits are one table, `settings.RATE_LIMITS` ("<count>/<period>", period s, m, h or d), each
overridable from the environment (README.md, "Configuration"). The counting is django-ratelimit's:
a fixed window per key in the default cache, so every web process of an installation shares it.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

Key = str | Callable[[str, HttpRequest], str]


def client_address(request: HttpRequest) -> str:
    """The address of the client: the connecting peer, or behind a trusted proxy (BEHIND_PROXY) the last
    address that proxy added to X-Forwarded-For. Earlier entries are the client's own words and are never
    believed."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a key, never an address to bind


def by_client(_group: str, request: HttpRequest) -> str:
    return client_address(request)


def by_user(_group: str, request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


def limit_count(request: HttpRequest, name: str, *, key: Key) -> bool:
    """Count one use of `name` for `key`; True when this use is past the limit. Views count after the form is
    valid, so a mistyped form costs nothing.

    Without Redis (down, or hanging past its short timeout) nothing is counted and nothing is refused: a limit
    is a guard against abuse, and a person's ticket matters more than it."""
    try:
        return is_ratelimited(
            request, group=f"helpdesk.{name}", key=key, rate=settings.RATE_LIMITS[name], increment=True
        )
    except (RedisError, OSError):
        logger.warning("rate limit %s not counted: the cache does not answer", name)
        return False
