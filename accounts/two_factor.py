"""The pieces of setting up an authenticator app that write nothing: a new key, how it is shown to the person
(as text and as a QR code in SVG) and the check of the first code the app gives for it."""

import io
import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from accounts.services import normalise_code


def new_key() -> str:
    """A fresh 20-byte secret, as django-otp stores it (hex)."""
    return default_key()


def key_as_text(key: str) -> str:
    """The secret as authenticator apps ask for it when typed in: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(text[index : index + 4] for index in range(0, len(text), 4))


def config_url(user, key: str) -> str:
    """The otpauth:// address a QR code carries (issuer settings.OTP_TOTP_ISSUER, the person's email)."""
    return TOTPDevice(user=user, key=key).config_url


def qr_svg(url: str) -> bytes:
    """A QR code of `url` as a stand-alone SVG document: no script, no style, dark on white."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5, border=4, xmldecl=False, dark="#000", light="#fff")
    return buffer.getvalue()


def code_matches_key(key: str, code: str) -> bool:
    """Does `code` come from an app set up with `key`? One step (30 s) either way is accepted for clocks."""
    code = normalise_code(code)
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    return totp.verify(int(code), tolerance=1)
