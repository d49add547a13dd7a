"""Signed links in messages: a watcher stops a ticket's mail with one click, without an account."""

from django.core import signing

# Unchanged since the links lived in notifications: links in messages already sent keep working.
_SALT = "notifications.watcher-stop"


def watcher_stop_token(watcher_id: int) -> str:
    """The token of a watcher's stop link. It does not expire: a message may be read months later."""
    return signing.dumps(watcher_id, salt=_SALT)


def watcher_id_from_stop_token(token: str) -> int | None:
    """The watcher a stop link names, or None for a token that was not made here."""
    try:
        value = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
