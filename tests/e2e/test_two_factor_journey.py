"""A manager's first login sets up an authenticator app; the next login takes a code from it, in Chromium."""

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from tests import two_factor

pytestmark = pytest.mark.e2e

MANAGER = "max@demo.example"


def password_step(page, lands_on):
    """Logs in with the password and waits until the page it leads to has loaded, not merely the click."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{lands_on}")


def test_a_manager_sets_up_an_app_then_logs_in_with_its_code(browser_page):
    page = browser_page
    call_command("demo_load")

    # First login: the setup, and nothing else open.
    password_step(page, "/accounts/two-factor/")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor authentication"
    assert page.get_by_role("link", name="Dashboard").count() == 0
    page.goto("/tickets/dashboard/")
    assert page.url.endswith("/accounts/two-factor/")
    qr = page.get_by_role("img", name="QR code that adds the help desk to an authenticator app")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    secret = page.get_by_test_id("secret-key").inner_text()
    page.get_by_label("Code from the app").fill(two_factor.code_for_secret(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    # The codes page comes after a redirect: wait for it rather than read the page the click left.
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have kept them: go on").click()
    page.wait_for_url("**/tickets/dashboard/")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")

    # Next login: password, then the code the app shows now, computed from the device's key.
    password_step(page, "/accounts/login/code/**")
    page.goto("/admin/")
    assert "/accounts/login/code/" in page.url  # nothing opens before the code
    device = TOTPDevice.objects.get(user__email=MANAGER)
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Go on").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("heading", name="Site administration").count() == 1
