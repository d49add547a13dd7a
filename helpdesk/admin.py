import functools

from django.contrib import admin
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can


class HelpdeskAdminSite(admin.AdminSite):
    """The admin, open to those the role rules let administer, once they gave a second factor."""

    site_header = _("Help desk administration")
    site_title = _("Help desk administration")

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        @functools.wraps(wrapped)
        def inner(request, *args, **kwargs):
            _drop_empty_to_field(request)
            return wrapped(request, *args, **kwargs)

        return inner

    def has_permission(self, request):
        # Administering takes a verified second factor (django-otp's OTPMiddleware sets is_verified), however
        # the session was opened. Managers are made to set one up at login.
        is_verified = getattr(request.user, "is_verified", None)
        return can(request.user, "admin.access") and is_verified is not None and is_verified()

    def login(self, request, extra_context=None):
        # One login page for the whole site; the admin has no separate one. Someone logged in without
        # the right is told so, instead of being asked to log in again.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME, reverse("admin:index")))


def _drop_empty_to_field(request) -> None:
    """Django's change and delete pages look up a field named "" when `_to_field` is given empty, and answer
    500; without it they use the primary key, which is what an empty value means."""
    for name in ("GET", "POST"):
        data = getattr(request, name)
        if TO_FIELD_VAR in data and not data.get(TO_FIELD_VAR):
            data = data.copy()
            del data[TO_FIELD_VAR]
            setattr(request, name, data)
