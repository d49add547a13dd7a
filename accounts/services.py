"""Every write to accounts goes through here."""

import logging
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, TechnicianProfile, User, UserSession

# Who unlocked, reset or ended what: the security log, one line per change, beside axes' failure log.
security_log = logging.getLogger("accounts.security")


@transaction.atomic
def user_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.REQUESTER,
    password: str | None = None,
    language: str = "",
    by: User | None = None,
) -> User:
    """Create a login account. Staff roles get a technician profile when they work tickets."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name, role=role, language=language
    )
    if role == Role.TECHNICIAN:
        TechnicianProfile.objects.create(user=user)
    return user


@transaction.atomic
def user_update_preferences(
    *,
    user: User,
    language: str,
    time_zone: str,
    notification_delivery: str,
    notify_new_tickets: bool,
    muted_notification_kinds: list[str] | None = None,
    monthly_summary: bool | None = None,
) -> User:
    """Save what a person chose on their profile page."""
    user.language = language
    user.time_zone = time_zone
    user.notification_delivery = notification_delivery
    user.notify_new_tickets = notify_new_tickets
    fields = ["language", "time_zone", "notification_delivery", "notify_new_tickets"]
    if monthly_summary is not None:
        user.monthly_summary = monthly_summary
        fields.append("monthly_summary")
    if muted_notification_kinds is not None:
        user.muted_notification_kinds = sorted(set(muted_notification_kinds))
        fields.append("muted_notification_kinds")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def technician_profile_update(
    *,
    profile: TechnicianProfile,
    tier: int,
    capacity: int,
    is_available: bool,
    skills=None,
    by: User | None = None,
) -> TechnicianProfile:
    """Change a technician's tier, capacity, availability and (when given) skills."""
    profile.tier = tier
    profile.capacity = capacity
    profile.is_available = is_available
    profile.save(update_fields=["tier", "capacity", "is_available"])
    if skills is not None:
        profile.skills.set(skills)
    return profile


@transaction.atomic
def technician_set_availability(*, profile: TechnicianProfile, is_available: bool) -> TechnicianProfile:
    """A technician marks themselves away or back."""
    profile.is_available = is_available
    profile.save(update_fields=["is_available"])
    return profile


# --- sessions -----------------------------------------------------------------------------------


def user_sessions_end(*, user: User, keep_session_key: str | None = None, by: User | None = None) -> int:
    """End this person's sessions on every device (all but `keep_session_key`). Returns how many."""
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    count, _ = sessions.delete()
    if count:
        security_log.info("sessions ended: %s session(s) of user %s, by %s", count, user.pk, by.pk if by else None)
    return count


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, by: User | None = None) -> User:
    """Open or close an account. Closing it ends its sessions at once, so a later reopening does not bring
    an old session on some shared computer back to life."""
    if user.is_active != is_active:
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        security_log.info(
            "user %s %s by %s", user.pk, "activated" if is_active else "deactivated", by.pk if by else None
        )
    if not is_active:
        user_sessions_end(user=user, by=by)
    return user


# --- failed logins (django-axes) -------------------------------------------------------------------


def login_failures_clear(*, usernames=(), ip_addresses=(), by: User) -> int:
    """A manager unlocks: the failed logins counted against these accounts (lower-case emails) and client
    addresses are forgotten, so they may log in again at once. The access-failure log keeps the history.
    Returns how many counters were cleared."""
    count = 0
    for username in {name.lower() for name in usernames if name}:
        count += AxesProxyHandler.reset_attempts(username=username)
    for address in {address for address in ip_addresses if address}:
        count += AxesProxyHandler.reset_attempts(ip_address=address)
    security_log.info(
        "login failures cleared by %s: accounts %s, addresses %s (%s counter(s))",
        by.pk,
        sorted(usernames),
        sorted(ip_addresses),
        count,
    )
    return count


# --- two-factor authentication (django-otp) -----------------------------------------------------


@dataclass
class TwoFactorSetup:
    device: TOTPDevice
    recovery_codes: list[str]


class TwoFactorCodeRefused(Exception):
    """The code was wrong, or too many wrong codes came too fast (`throttled`): nothing was checked."""

    def __init__(self, *, throttled: bool = False):
        super().__init__("throttled" if throttled else "wrong code")
        self.throttled = throttled


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, recovery codes without case."""
    return "".join(code.split()).replace("-", "").lower()


def _recovery_codes_make(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _index in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_enable(*, user: User, key: str, by: User) -> TwoFactorSetup:
    """Turn on two-factor authentication with the authenticator app that was shown `key` (and proved it
    with a code). Makes a fresh set of recovery codes: they are returned once, to be shown once."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator app", key=key, confirmed=True)
    codes = _recovery_codes_make(user)
    user.two_factor_enabled = True
    user.save(update_fields=["two_factor_enabled"])
    security_log.info("two-factor turned on for user %s by %s", user.pk, by.pk)
    return TwoFactorSetup(device=device, recovery_codes=codes)


@transaction.atomic
def two_factor_recovery_codes_renew(*, user: User, by: User) -> list[str]:
    """New recovery codes; the old ones stop working. Returned once, to be shown once."""
    codes = _recovery_codes_make(user)
    security_log.info("recovery codes made again for user %s by %s", user.pk, by.pk)
    return codes


def two_factor_recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def two_factor_verify(*, user: User, code: str) -> Device:
    """Check a code: six digits against the authenticator app, anything else against the recovery codes
    (each works once). Failures are throttled per device by django-otp: after n failures in a row the next
    try waits 2^(n-1) seconds. Raises TwoFactorCodeRefused."""
    code = normalise_code(code)
    device_model: type[Device] = TOTPDevice if (code.isdigit() and len(code) == 6) else StaticDevice
    with transaction.atomic():
        devices = list(device_model.objects.devices_for_user(user, confirmed=True).select_for_update())
        for device in devices:
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                raise TwoFactorCodeRefused(throttled=True)
            if device.verify_token(code):
                return device
    raise TwoFactorCodeRefused()


@transaction.atomic
def two_factor_disable(*, user: User, by: User) -> None:
    """Turn two-factor authentication off: the authenticator and the recovery codes are forgotten."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.two_factor_enabled = False
    user.save(update_fields=["two_factor_enabled"])
    security_log.info("two-factor turned off for user %s by %s", user.pk, by.pk)


@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> None:
    """A manager resets someone's two-factor authentication (a lost phone): it is turned off and their
    sessions end. A manager must set it up again at their next login; others may."""
    two_factor_disable(user=user, by=by)
    user_sessions_end(user=user, by=by)
