"""Who may call the API at all: a signed-in, active person; a read-only token only reads.

What each caller may do with a resource is decided by accounts.permissions, tickets.permissions and
assets.permissions, as for the pages.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from api.models import ApiToken


class SignedIn(permissions.BasePermission):
    """A signed-in, active person; a read-only token only reads."""

    message = _("This token is read only: make a read-write token to change anything.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated or not user.is_active:
            raise exceptions.NotAuthenticated(_("Sign in, or send a token: Authorization: Bearer <token>."))
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only and request.method not in permissions.SAFE_METHODS)
