"""Reads of the API app: whose tokens a person may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import can
from api.models import ApiToken


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def tokens_all(user: User) -> QuerySet[ApiToken]:
    """Every token, for managers; the person's own for anyone else."""
    qs = ApiToken.objects.select_related("user", "revoked_by").order_by("-created_at", "-pk")
    return qs if can(user, "accounts.manage") else qs.filter(user=user)


def token_by_digest(digest: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(digest=digest).first()
