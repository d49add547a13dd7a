from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can


class HelpdeskAdminSite(admin.AdminSite):
    site_header = _("Help desk administration")
    site_title = _("Help desk administration")

    def has_permission(self, request):
        return can(request.user, "admin.access")

    def login(self, request, extra_context=None):
        # One login page for the whole site; the admin has no separate one. Someone logged in without
        # the right is told so, instead of being asked to log in again.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME, reverse("admin:index")))
