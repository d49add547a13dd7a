"""Two-factor helpers for tests: turn it on through the service and read the code an app would show."""

import time
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from accounts import services


def enable(user):
    """Two-factor authentication on for `user`, as the setup page does it. Returns the TwoFactorSetup."""
    return services.two_factor_enable(user=user, key=default_key(), by=user)


def code_for(user, at: float | None = None) -> str:
    """The code `user`'s authenticator app shows at `at` (now, by the possibly frozen clock, by default)."""
    return code_for_key(TOTPDevice.objects.get(user=user).bin_key, at)


def code_for_secret(secret_text: str, at: float | None = None) -> str:
    """The code for a key as the setup page shows it for typing in (base32 in groups of four)."""
    text = secret_text.replace(" ", "")
    return code_for_key(b32decode(text + "=" * (-len(text) % 8)), at)


def code_for_key(bin_key: bytes, at: float | None = None) -> str:
    generator = TOTP(bin_key)
    generator.time = time.time() if at is None else at
    return f"{generator.token():06d}"
