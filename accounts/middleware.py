import zoneinfo

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import sessions
from accounts.permissions import two_factor_required


class UserPreferencesMiddleware:
    """Activate the logged-in user's chosen language and time zone for the request.

    Runs after LocaleMiddleware and AuthenticationMiddleware: an explicit choice on the profile beats
    the browser's Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.time_zone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class NoStoreForSignedInMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or a proxy (the back button after logout on
    a shared computer). A response that already says no-store is left as it is; any other Cache-Control is
    replaced. Static files never get here: whitenoise answers them first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            directives = {part.split("=")[0].strip().lower() for part in response.get("Cache-Control", "").split(",")}
            if "no-store" not in directives:
                response["Cache-Control"] = "private, no-store"
                if "Expires" in response:
                    del response["Expires"]
        return response


class SessionIdleMiddleware:
    """Sign out a session left idle past its limit (accounts.sessions), and note the time of each request at
    most once a minute, so the session is not written on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and sessions.session_is_idle(request):
            logout(request)
            messages.info(request, _("You were signed out after a time without activity. Log in to go on."))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated and not getattr(view_func, "session_not_activity", False):
            sessions.session_touch(request)
        return None


# Views a person owing a second factor may still reach.
_ALWAYS_OPEN = frozenset({"accounts:logout", "set_language", "health"})
_CODE_STEP = frozenset({"accounts:login_code"})
_SETUP = frozenset({"accounts:two_factor", "accounts:two_factor_enable", "accounts:two_factor_qr"})


class TwoFactorGateMiddleware:
    """The second factor, for every page: someone with an authenticator gives a code before anything else;
    a manager without one sets it up before anything else. Only those steps and logout stay open.

    Marks such requests `request.two_factor_pending`, so the menu does not offer pages that are closed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if user.two_factor_enabled and not user.is_verified():
            open_views = _ALWAYS_OPEN | _CODE_STEP
            if view_name not in open_views:
                return redirect_to_login(request.get_full_path(), reverse("accounts:login_code"))
        elif two_factor_required(user) and not user.two_factor_enabled:
            if view_name not in _ALWAYS_OPEN | _SETUP:
                return redirect("accounts:two_factor")
        else:
            return None
        request.two_factor_pending = True
        return None
