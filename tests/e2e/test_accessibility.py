"""Every main page, for each role, in light and dark colours, passes axe-core's accessibility rules.

The pages run under the site's Content-Security-Policy as they do for people: axe-core is injected
through Playwright's evaluate, which the page's policy does not govern, so the context needs no bypass.
"""

import pytest
from django.core.management import call_command

from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from tests.fixtures.browser import axe_violations
from tickets.models import Ticket

pytestmark = pytest.mark.e2e

PAGES = {
    "rita@demo.example": ["/tickets/mine/", "/tickets/new/", "{own_ticket}", "/accounts/profile/", "/notifications/"],
    "tess@demo.example": [
        "/tickets/queue/",
        "{worked_ticket}",
        "/assets/devices/",
        "/assets/staff/",
        "/accounts/two-factor/",
    ],
    "cora@demo.example": ["/tickets/dashboard/", "/tickets/all/", "/tickets/log-call/", "/assets/import/"],
    "max@demo.example": ["/notifications/failed/", "/tickets/projects/", "/accounts/two-factor/"],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_pages_have_no_accessibility_violations(browser_page, login, email):
    call_command("demo_load")
    tickets = {
        "own_ticket": Ticket.objects.filter(requester__user__email="rita@demo.example").order_by("pk").first(),
        "worked_ticket": Ticket.objects.filter(assignee__email="tess@demo.example", status="in_progress").first(),
    }
    login(browser_page, email, DEMO_PASSWORD)
    found = {}
    for mode in ("light", "dark"):
        browser_page.evaluate(f"localStorage.setItem('helpdesk-color-mode', '{mode}')")
        for path in PAGES[email]:
            if path.startswith("{"):
                path = tickets[path.strip("{}")].get_absolute_url()
            browser_page.goto(path)
            assert browser_page.locator("html").get_attribute("data-bs-theme") == mode
            problems = axe_violations(browser_page)
            if problems:
                found[f"{mode} {path}"] = problems
    assert not found, found
