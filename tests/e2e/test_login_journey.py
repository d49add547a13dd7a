"""Each demo role logs in through the real form in Chromium and lands on its page."""

import pytest
from django.core.management import call_command

from helpdesk.management.commands.demo_load import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("email", "path", "heading"),
    [
        ("rita@demo.example", "/tickets/mine/", "My tickets"),
        ("tess@demo.example", "/tickets/queue/", "My queue"),
        ("cora@demo.example", "/tickets/dashboard/", "Dashboard"),
        ("max@demo.example", "/tickets/dashboard/", "Dashboard"),
    ],
)
def test_each_demo_role_logs_in_and_sees_its_home_page(browser_page, login, email, path, heading):
    call_command("demo_load")
    login(browser_page, email, DEMO_PASSWORD)
    assert browser_page.url.endswith(path)
    assert browser_page.get_by_role("heading", level=1).first.inner_text().strip() == heading
    browser_page.get_by_test_id("user-menu").click()
    browser_page.get_by_role("button", name="Log out").click()
    browser_page.wait_for_url("**/accounts/login/")


def test_a_wrong_password_is_told_on_the_form(browser_page, login):
    call_command("demo_load")
    login(browser_page, "rita@demo.example", "not-the-password")
    assert "do not match an account" in browser_page.locator(".alert-danger, .invalid-feedback").first.inner_text()
