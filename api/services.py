"""Every write of the API app: making, revoking and touching personal tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import can
from api.models import ApiToken

TOKEN_START = "hd_"  # noqa: S105 (the tokens' visible start, no secret)
PREFIX_LENGTH = len(TOKEN_START) + 8
# A token's last use is written at most this often: a script calling every second must not write every time.
TOUCH_EVERY = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str  # shown once, never stored


def token_create(*, by: User, name: str, read_only: bool = True, expires_at: datetime | None = None) -> NewToken:
    """A personal token of `by`, acting as them with their role's rights (read only when asked)."""
    if not by.is_active:
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the token a name, so you know later what it is for.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a day in the future, or none.")})
    raw = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=by,
        name=name[:80],
        prefix=raw[:PREFIX_LENGTH],
        digest=token_digest(raw),
        read_only=read_only,
        expires_at=expires_at,
    )
    return NewToken(token=token, raw=raw)


def may_revoke(user: User, token: ApiToken) -> bool:
    """Its owner, and managers (who see everyone's tokens)."""
    return token.user_id == user.pk or can(user, "accounts.manage")


def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Stops the token at once. Revoking a revoked token changes nothing."""
    if not may_revoke(by, token):
        raise PermissionDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=by)
    token.refresh_from_db()
    return token


def token_touch(token: ApiToken, now: datetime | None = None) -> None:
    """Note that the token was used now (at most once a minute)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
