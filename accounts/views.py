from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import services, sessions
from accounts import two_factor as authenticator
from accounts.forms import (
    AvailabilityForm,
    EmailAuthenticationForm,
    PreferencesForm,
    TwoFactorCodeForm,
    TwoFactorSetupForm,
)
from accounts.permissions import can, home_url_for, require, two_factor_required
from core.http import local_path
from core.ratelimit import by_client, limit_count

# The key an authenticator app is being set up with, kept in the session until its first code proves it.
PENDING_KEY = "two_factor_pending_key"


def _next_url(request) -> str:
    """The page asked for before the login, if it is one of ours; else the person's home."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    return local_path(request, wanted) or home_url_for(request.user)


def _language_cookie_follow(response: HttpResponse, language: str) -> HttpResponse:
    """The language cookie says the person's chosen language, or is gone when they chose none: LocaleMiddleware
    reads the cookie before Accept-Language, so a cookie left behind would keep the language chosen before (or
    that of whoever used this browser last) instead of following the browser."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        )
    return response


def _browser_language(request) -> str:
    """The language the browser asks for (Accept-Language) among ours, whatever the language cookie says."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LoginView(auth_views.LoginView):
    """Step one: email and password. Someone with an authenticator goes on to the code step."""

    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.session_start(self.request, keep_signed_in=form.cleaned_data["keep_signed_in"])
        user = form.get_user()
        # From here on the pages speak the person's language, or their browser's: not a language chosen
        # on this browser by someone else before.
        translation.activate(user.language or _browser_language(self.request))
        if user.two_factor_enabled:
            wanted = self.get_redirect_url()
            query = f"?{urlencode({REDIRECT_FIELD_NAME: wanted})}" if wanted else ""
            response = redirect(reverse("accounts:login_code") + query)
        elif two_factor_required(user):
            messages.info(self.request, _("Managers log in with a second factor: set it up now to go on."))
            response = redirect("accounts:two_factor")
        return _language_cookie_follow(response, user.language)


def login_locked_out(request, original_response=None, credentials=None):
    """What django-axes answers once an account or a client address has had too many failed logins
    (settings.AXES_LOCKOUT_CALLABLE): the login page, an empty form and why, with status 429.

    The same page for an unknown address, a real account and a busy client address: nobody learns which
    accounts exist."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    message = ngettext(
        "Too many failed logins. Logging in is paused for %(minutes)s minute for this account or this "
        "network. Try again after that, or ask a manager of the help desk to unlock it.",
        "Too many failed logins. Logging in is paused for %(minutes)s minutes for this account or this "
        "network. Try again after that, or ask a manager of the help desk to unlock it.",
        minutes,
    ) % {"minutes": minutes}
    context = {"form": EmailAuthenticationForm(request), "locked_out_message": message}
    return render(request, "registration/login.html", context, status=429)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def login_code(request):
    """Step two, for someone with an authenticator: a code from the app or one recovery code."""
    user = request.user
    if not user.two_factor_enabled or user.is_verified():
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except services.TwoFactorCodeRefused as refused:
            form.add_error("code", _code_refused_message(refused))
        else:
            django_otp.login(request, device)
            # A new session key once fully logged in: a key seen before the second factor is worth nothing.
            request.session.cycle_key()
            if isinstance(device, StaticDevice):
                left = services.two_factor_recovery_codes_left(user=user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code: %(count)s is left. Make new ones on your profile.",
                        "You used a recovery code: %(count)s are left. Make new ones on your profile.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_next_url(request))
    return render(request, "registration/login_code.html", {"form": form, "next": request.GET.get("next", "")})


def _code_refused_message(refused: services.TwoFactorCodeRefused) -> str:
    if refused.throttled:
        return _("Too many wrong codes in a row. Wait a little and try again.")
    return _("That code is not right. Check the app and try again, or use a recovery code.")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, with the mails counted per address and per client address
    (settings.RATE_LIMITS). Past either limit nothing is sent, and the page is the same "if an account uses
    that address, a link is on its way" as always: nobody learns whether an address has an account."""

    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        # Both counted on every request, so a script spread over addresses still meets the client limit.
        address_used_up = limit_count(self.request, "password_reset_address", key=lambda _g, _r: f"email:{address}")
        client_used_up = limit_count(self.request, "password_reset_client", key=by_client)
        if address_used_up or client_used_up:
            services.security_log.info("password reset mail held back: limit reached")
            return redirect(self.get_success_url())
        return super().form_valid(form)


@login_required
def profile(request):
    user = request.user
    options = {
        "show_coordinator_options": can(user, "notifications.new_ticket_alerts"),
        "show_manager_options": can(user, "reports.monthly_summary"),
    }
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=user, **options)
        if form.is_valid():
            data = form.cleaned_data
            services.user_update_preferences(
                user=user,
                language=data["language"],
                time_zone=data["time_zone"],
                notification_delivery=data["notification_delivery"],
                notify_new_tickets=data.get("notify_new_tickets", user.notify_new_tickets),
                monthly_summary=data.get("monthly_summary", user.monthly_summary),
                muted_notification_kinds=form.muted_kinds,
            )
            # The cookie of the language chosen before is still on this request: "as my browser says" is
            # the browser's Accept-Language, not the cookie.
            translation.activate(user.language or _browser_language(request))
            messages.success(request, _("Your preferences are saved."))
            return _language_cookie_follow(redirect("accounts:profile"), user.language)
    else:
        form = PreferencesForm(instance=user, **options)
    technician_profile = getattr(user, "technician_profile", None)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "technician_profile": technician_profile,
            "skills": technician_profile.skills.all() if technician_profile else [],
            "availability_form": AvailabilityForm(
                initial={"is_available": technician_profile.is_available} if technician_profile else None
            ),
        },
    )


@login_required
@require_POST
def availability(request):
    technician_profile = getattr(request.user, "technician_profile", None)
    if technician_profile is None:
        return redirect("accounts:profile")
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        services.technician_set_availability(profile=technician_profile, is_available=form.cleaned_data["is_available"])
        if form.cleaned_data["is_available"]:
            messages.success(request, _("You are available for new tickets."))
        else:
            messages.success(request, _("You are marked away: no new tickets will be given to you."))
    return redirect("accounts:profile")


# --- two-factor authentication on the profile ------------------------------------------------------


@never_cache
@login_required
def two_factor(request):
    """Two-factor authentication: set it up (a key, its QR code and the first code), or, when on, make
    new recovery codes or turn it off. Staff may; managers must; requesters never see it."""
    require(request.user, "accounts.two_factor")
    if request.user.two_factor_enabled:
        return _two_factor_manage(request)
    return _two_factor_setup(request, TwoFactorSetupForm())


def _two_factor_setup(request, form, status=200):
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = authenticator.new_key()
    context = {
        "form": form,
        "secret": authenticator.key_as_text(key),
        "required": two_factor_required(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


def _two_factor_manage(request, disable_form=None, status=200):
    context = {
        "codes_left": services.two_factor_recovery_codes_left(user=request.user),
        "disable_form": disable_form or TwoFactorCodeForm(),
        "required": two_factor_required(request.user),
    }
    return render(request, "accounts/two_factor.html", context, status=status)


@never_cache
@login_required
def two_factor_qr(request):
    """The QR code of the key being set up, as an SVG of its own (no data: URI, nothing inline)."""
    require(request.user, "accounts.two_factor")
    key = request.session.get(PENDING_KEY)
    if not key or request.user.two_factor_enabled:
        raise Http404
    response = HttpResponse(
        authenticator.qr_svg(authenticator.config_url(request.user, key)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_POST
def two_factor_enable(request):
    """The first code from the app proves it has the key: two-factor authentication is on, this session counts
    as verified, and the recovery codes are shown, this once."""
    require(request.user, "accounts.two_factor")
    key = request.session.get(PENDING_KEY)
    if request.user.two_factor_enabled or not key:
        return redirect("accounts:two_factor")
    form = TwoFactorSetupForm(request.POST)
    if not form.is_valid():
        return _two_factor_setup(request, form, status=400)
    if not authenticator.code_matches_key(key, form.cleaned_data["code"]):
        form.add_error("code", _("That code does not match. Check the app's clock and enter the code it shows now."))
        return _two_factor_setup(request, form, status=400)
    setup = services.two_factor_enable(user=request.user, key=key, by=request.user)
    del request.session[PENDING_KEY]
    django_otp.login(request, setup.device)
    request.session.cycle_key()
    messages.success(request, _("Two-factor authentication is on."))
    return render(request, "accounts/two_factor_codes.html", {"codes": setup.recovery_codes, "first_time": True})


@never_cache
@login_required
@require_POST
def two_factor_recovery_codes(request):
    """New recovery codes, shown this once; the old ones stop working."""
    require(request.user, "accounts.two_factor")
    if not request.user.two_factor_enabled:
        return redirect("accounts:two_factor")
    codes = services.two_factor_recovery_codes_renew(user=request.user, by=request.user)
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "first_time": False})


@never_cache
@login_required
@require_POST
def two_factor_disable(request):
    """Turning it off takes a current code (from the app or a recovery code). A manager is asked to set it
    up again straight away: that is how a manager moves to a new phone."""
    require(request.user, "accounts.two_factor")
    if not request.user.two_factor_enabled:
        return redirect("accounts:two_factor")
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_verify(user=request.user, code=form.cleaned_data["code"])
        except services.TwoFactorCodeRefused as refused:
            form.add_error("code", _code_refused_message(refused))
        else:
            services.two_factor_disable(user=request.user, by=request.user)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two_factor" if two_factor_required(request.user) else "accounts:profile")
    return _two_factor_manage(request, disable_form=form, status=400)
