"""Every main page of every role, the admin, the login, password and error pages under the
Content-Security-Policy in Chromium: the browser refuses nothing, and what needs JavaScript still works.

A refusal shows twice in Chromium: on the console ("Refused to ... because it violates the following
Content Security Policy directive ...") and as a `securitypolicyviolation` event. Both are watched. The
event listener comes from an init script (Playwright adds it outside the page's policy) and collects into
the page's window, which is read before the page is left. htmx refusing to eval (htmx:evalDisallowedError)
and any uncaught script error count as well: that is how a page that needs more than the policy allows
breaks. The context does not bypass the policy: what the browser enforces here is the site's header.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from assets.models import Device, Employee
from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from notifications.models import WebhookSubscription
from tests import factories
from tests.e2e.test_accessibility import PAGES, demo_objects, resolve
from tickets.models import BusinessCalendar, TicketStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__refused.push(event.effectiveDirective + " refused " + (event.blockedURI || "?") + " in "
    + event.sourceFile + ":" + event.lineNumber + " " + (event.sample || ""));
});
document.addEventListener("htmx:evalDisallowedError", function (event) {
  window.__refused.push("htmx may not eval, asked by " + event.target.outerHTML.slice(0, 160));
});
"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Watch:
    """The refusals and script errors of one page, across the pages it goes to."""

    def __init__(self, page, login):
        self.page = page
        self._login = login
        self.found: list[str] = []
        self.visited: list[str] = []
        page.context.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"{page.url}: script error: {error}"))

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.append(f"{self.page.url}: console: {message.text}")

    def collect(self):
        """Read what the page recorded; two animation frames first, so what it just drew has loaded."""
        if not self.page.url.startswith("http"):
            return
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        for refusal in self.page.evaluate("(window.__refused || []).splice(0)"):
            self.found.append(f"{self.page.url}: event: {refusal}")

    def visit(self, path, status=200):
        self.collect()
        response = self.page.goto(path)
        assert response is not None and response.status == status, (path, response and response.status)
        self.visited.append(path)

    def login(self, email):
        """The login page, read here; then the shared login fixture, which knows every step of logging in
        (pages it passes through are still watched on the console)."""
        self.visit("/accounts/login/")
        self.collect()
        self._login(self.page, email, DEMO_PASSWORD)
        assert "/accounts/login/" not in self.page.url, self.page.url

    def assert_nothing_refused(self):
        self.collect()
        assert self.visited, "no page visited"
        assert not self.found, "\n".join(self.found)


@pytest.fixture
def watch(browser_page, login):
    return Watch(browser_page, login)


@pytest.fixture
def demo(settings):
    # The dashboard refreshes itself within a second, so the walk sees a refresh without waiting long.
    settings.DASHBOARD_REFRESH_SECONDS = 1
    call_command("demo_load")
    return {
        **demo_objects(),
        "webhook": WebhookSubscription.objects.create(name="Chat bot", url="https://hooks.example.org/in", secret="s"),
    }


def _main_pages(watch, email, tickets):
    """The pages the accessibility test walks for this role (tests/e2e/test_accessibility.py)."""
    for path in PAGES[email]:
        watch.visit(resolve(path, tickets))


def _menus(watch, logged_in=True):
    """The navbar toggler at phone width (its icon is one of Bootstrap's images) and the user menu."""
    page = watch.page
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Show the menu").click()
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))  # Bootstrap's collapse ran
    if logged_in:
        page.get_by_test_id("user-menu").click()
        expect(page.get_by_role("link", name="Profile and preferences")).to_be_visible()  # and its dropdown
    watch.collect()
    page.set_viewport_size(DESKTOP)


def _dark(watch, paths):
    """The dark theme draws its own select arrows and toggler: the same pages again in dark colours."""
    watch.visit(paths[0])
    watch.page.get_by_role("button", name="Switch between light and dark colours").click()
    expect(watch.page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    for path in paths:
        watch.visit(path)
        expect(watch.page.locator("html")).to_have_attribute("data-bs-theme", "dark")
        _menus(watch)


def test_the_watch_sees_a_refusal(watch):
    # The harness itself: markup with a style attribute added to a page is refused, and the watch says so.
    watch.visit("/accounts/login/")
    watch.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    watch.collect()
    # Chromium's console wording changes between versions ("Refused to apply inline style because it
    # violates ...", later "Applying inline style violates ..."): the test matches its constant part.
    assert any("console:" in found and "Content Security Policy directive" in found for found in watch.found)
    assert any("event: style-src-attr refused inline" in found for found in watch.found), watch.found


def test_login_password_and_error_pages_without_logging_in(watch):
    page = watch.page
    watch.visit("/accounts/login/")
    _menus(watch, logged_in=False)
    # A failed login shows its error; the password reset, its confirmation and an expired link.
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong")
    watch.collect()
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    watch.visit("/accounts/password/reset/")
    page.get_by_label("Email").fill("nobody@example.org")
    watch.collect()
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    watch.visit("/accounts/password/reset/MQ/expired-token/")
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    watch.visit("/no/such/page/", status=404)
    expect(page.get_by_role("heading", name="We could not find that page")).to_be_visible()
    # A form sent without its CSRF cookie (a page left open across a logout, cookies refused).
    watch.visit("/accounts/login/")
    page.context.clear_cookies()
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong")
    watch.collect()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="That form could not be sent")).to_be_visible()
    watch.assert_nothing_refused()


def test_requester_pages(watch, demo):
    page = watch.page
    watch.login("rita@demo.example")
    _main_pages(watch, "rita@demo.example", demo)
    _menus(watch)
    # An invalid report shows Bootstrap's validation icons; saved preferences show a dismissible message.
    watch.visit("/tickets/new/")
    page.get_by_role("button", name="Send to the help desk").click()
    expect(page.locator(".is-invalid").first).to_be_visible()
    watch.visit("/accounts/profile/")
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_role("button", name="Close").first.click()
    watch.visit("/accounts/password/change/")
    # The API console: Swagger UI from the site's own files draws every operation, refused nothing.
    watch.visit("/api/console/")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    page.locator(".opblock-summary-control").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.get_by_role("button", name="Authorize").click()
    expect(page.locator(".dialog-ux")).to_be_visible()
    watch.visit("/tickets/dashboard/", status=403)  # not the requester's: the 403 page
    watch.visit("/no/such/page/", status=404)
    _dark(watch, ["/tickets/new/", demo["own_ticket"].get_absolute_url(), "/accounts/profile/"])
    watch.assert_nothing_refused()


def test_technician_pages(watch, demo):
    page = watch.page
    device = Device.objects.filter(assigned_to__isnull=False).order_by("pk").first()
    device.notes = "Screen replaced in March.\nKeyboard sticks."
    device.save(update_fields=["notes"])
    watch.login("tess@demo.example")
    _main_pages(watch, "tess@demo.example", demo)
    _menus(watch)
    watch.visit(device.get_absolute_url())
    notes = page.get_by_text("Screen replaced in March.")
    expect(notes).to_have_css("white-space", "pre-line")  # the notes keep their line breaks
    watch.visit(device.assigned_to.get_absolute_url())
    watch.visit(f"{demo['worked_ticket'].get_absolute_url()}tier/escalate/")
    expect(page.get_by_test_id("tier-move")).to_be_visible()
    _dark(watch, [demo["worked_ticket"].get_absolute_url(), "/assets/devices/"])
    watch.assert_nothing_refused()


def test_coordinator_pages(watch, demo):
    page = watch.page
    device = Device.objects.filter(assigned_to__isnull=False).order_by("pk").first()
    employee = Employee.objects.order_by("pk").first()
    watch.login("cora@demo.example")
    _main_pages(watch, "cora@demo.example", demo)
    _menus(watch)

    # The dashboard refreshes every part once by itself, then a triage row is opened and its
    # suggestions loaded.
    watch.visit("/tickets/dashboard/")
    page.evaluate(
        "window.__settled = new Set(); document.body.addEventListener('htmx:afterSettle', "
        "function (event) { window.__settled.add(event.detail.elt.id); })"
    )
    # A function, not an expression: Playwright evals an expression inside the page, which the policy refuses.
    page.wait_for_function(
        "() => ['dashboard-counts', 'triage', 'dashboard-watch', 'dashboard-workload']"
        ".every(id => window.__settled.has(id))"
    )
    expect(page.get_by_test_id("workload-row").first.locator(".progress-bar")).to_have_class(re.compile(r"w-pct-\d+"))
    row = page.get_by_test_id("triage-row").first
    row.get_by_role("button", name=re.compile(r"^Triage HD-")).click()
    row.get_by_label("Tier").select_option("2")
    row.get_by_role("link", name="Suggest a technician").click()
    expect(row.get_by_test_id("suggestion").first).to_be_visible()
    with page.expect_response(lambda response: "/dashboard/part/counts/" in response.url):
        page.get_by_role("link", name="Refresh now").click()

    # Log a call: the caller search answers as the coordinator types.
    watch.visit("/tickets/log-call/")
    with page.expect_response(lambda response: "/log-call/callers/" in response.url):
        page.get_by_label("Caller").press_sequentially(employee.last_name[:4])
    expect(page.locator("#caller-matches")).not_to_be_empty()

    # Device pages: retiring asks first (a Bootstrap collapse); the forms and their employee picker.
    watch.visit(device.get_absolute_url())
    page.get_by_role("button", name="Retire").click()
    expect(page.get_by_role("button", name="Retire the device")).to_be_visible()
    watch.visit(f"{device.get_absolute_url()}edit/")
    watch.visit(f"{device.get_absolute_url()}assign/")
    watch.visit(f"{employee.get_absolute_url()}edit/")
    watch.visit("/tickets/projects/new/")
    with page.expect_response(lambda response: "/staff/lookup/" in response.url):
        page.get_by_label("Project manager").press_sequentially(employee.last_name[:4])
    _dark(watch, ["/tickets/dashboard/", "/tickets/log-call/", "/tickets/all/"])
    watch.assert_nothing_refused()


def test_manager_pages_and_the_admin(watch, demo):
    page = watch.page
    project = factories.ProjectFactory(name="Move to building C")
    for status in (TicketStatus.RESOLVED, TicketStatus.IN_PROGRESS):
        factories.TicketFactory(project=project, status=status)
    device = Device.objects.order_by("pk").first()
    technician = User.objects.get(email="tess@demo.example")
    calendar = BusinessCalendar.objects.order_by("pk").first()
    watch.login("max@demo.example")
    _main_pages(watch, "max@demo.example", demo)
    _menus(watch)
    watch.visit(project.get_absolute_url())
    track = page.get_by_test_id("progress").locator(".progress")
    half = page.get_by_test_id("progress").locator(".progress-bar").bounding_box()["width"]
    assert abs(half / track.bounding_box()["width"] - 0.5) < 0.02  # 1 of 2 resolved: half the track

    # The admin: the index, a list with a filter and the action bar, and change forms with date
    # widgets, inlines and a two-list selector.
    watch.visit("/admin/")
    watch.visit("/admin/assets/device/")
    page.get_by_role("link", name="In use").first.click()
    page.wait_for_load_state()
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_be_visible()
    watch.visit(f"/admin/assets/device/{device.pk}/change/")
    page.get_by_role("link", name="Choose a Date").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.keyboard.press("Escape")
    watch.visit("/admin/assets/location/?_to_field=id&_popup=1")  # what the location's lookup opens
    watch.visit(f"/admin/assets/device/{device.pk}/history/")
    watch.visit(f"/admin/assets/device/{device.pk}/delete/")
    watch.visit(f"/admin/accounts/user/{technician.pk}/change/")
    expect(page.locator(".selector").first).to_be_visible()  # skills, as two lists
    watch.visit(f"/admin/accounts/user/{technician.pk}/password/")
    watch.visit(f"/admin/tickets/businesscalendar/{calendar.pk}/change/")
    page.get_by_role("link", name=re.compile("Add another")).first.click()
    watch.visit("/admin/tickets/ticket/")
    watch.visit(f"/admin/tickets/ticket/{demo['worked_ticket'].pk}/change/")
    page.get_by_role("button", name=re.compile("Toggle theme")).first.click()
    watch.visit("/admin/assets/device/add/")
    _dark(watch, ["/notifications/failed/", project.get_absolute_url()])
    watch.assert_nothing_refused()
