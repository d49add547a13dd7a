"""Every main page, for each role, in light and dark colours, passes axe-core's accessibility rules; so do
the admin pages of the desk's own models.

The pages run under the site's Content-Security-Policy as they do for people: axe-core is injected
through Playwright's evaluate, which the page's policy does not govern, so the context needs no bypass.
Like every browser test, these also put each page they receive through the HTML checker (browser_page).
"""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.utils import timezone

from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from notifications.models import Notification, NotificationChannel, WebhookAttempt, WebhookSubscription
from tests.fixtures.browser import axe_violations
from tickets.models import Ticket
from training.models import TrainingSession

pytestmark = pytest.mark.e2e

PAGES = {
    "rita@demo.example": [
        "/tickets/mine/",
        "/tickets/new/",
        "/training/mine/",
        "{own_ticket}",
        "/accounts/profile/",
        "/notifications/",
        "/api/tokens/",
        "/api/docs/",
    ],
    "tess@demo.example": [
        "/tickets/queue/",
        "{worked_ticket}",
        "{worked_ticket}visit/",
        "{worked_ticket}repair/",
        "{worked_ticket}merge/",
        "/tickets/visits/",
        "/tickets/replies/",
        "/tickets/replies/new/",
        "/training/",
        "{upcoming_session}",
        "/assets/devices/",
        "/assets/staff/",
        "/accounts/two-factor/",
    ],
    "cora@demo.example": [
        "/tickets/dashboard/",
        "/tickets/all/",
        "/tickets/log-call/",
        "/assets/import/",
        "/mail/held/",
        "/tickets/recurring/",
        "/tickets/recurring/new/",
        "/training/new/",
        "{given_session}",
        "{given_session}attendance/",
        "{upcoming_session}edit/",
        "{upcoming_session}invite/",
    ],
    "max@demo.example": [
        "/notifications/failed/",
        "/tickets/projects/",
        "/accounts/two-factor/",
        "/notifications/webhooks/",
        "{webhook}",
        "/api/tokens/all/",
        "{given_session}",
    ],
}


def demo_objects() -> dict:
    """The demo's objects the pages above name: the tickets, and its training sessions given and to come."""
    today = timezone.now()
    return {
        "own_ticket": Ticket.objects.filter(requester__user__email="rita@demo.example").order_by("pk").first(),
        "worked_ticket": Ticket.objects.filter(assignee__email="tess@demo.example", status="in_progress").first(),
        "given_session": TrainingSession.objects.filter(starts_at__lt=today).get(),
        "upcoming_session": TrainingSession.objects.filter(starts_at__gte=today).get(),
    }


def resolve(path: str, objects: dict) -> str:
    """A page of PAGES as an address: "{worked_ticket}visit/" is that ticket's page's "visit/"."""
    match = re.fullmatch(r"\{(\w+)\}(.*)", path)
    return objects[match[1]].get_absolute_url() + match[2] if match else path


@pytest.mark.parametrize("email", list(PAGES))
def test_pages_have_no_accessibility_violations(browser_page, login, email):
    call_command("demo_load")
    tickets = demo_objects()
    # Some news left unread: unread rows on the notifications page are drawn in their own colours.
    unread = Notification.objects.filter(recipient__email=email, channel=NotificationChannel.IN_APP)
    Notification.objects.filter(pk__in=unread.order_by("-created_at").values("pk")[:3]).update(read_at=None)
    if "/notifications/" in PAGES[email]:
        assert unread.filter(read_at=None).exists()
    # A webhook with a delivery in its log, so the webhooks' pages show a row of each.
    hook = WebhookSubscription.objects.create(name="Chat bot", url="https://hooks.example.org/in", secret="s" * 64)
    row = Notification.objects.create(kind="webhook", channel="webhook", subscription=hook, context={"event": "ping"})
    WebhookAttempt.objects.create(notification=row, subscription=hook, status_code=502, duration_ms=40)
    tickets["webhook"] = hook
    login(browser_page, email, DEMO_PASSWORD)
    found = {}
    for mode in ("light", "dark"):
        browser_page.evaluate(f"localStorage.setItem('helpdesk-color-mode', '{mode}')")
        for path in PAGES[email]:
            path = resolve(path, tickets)
            browser_page.goto(path)
            assert browser_page.locator("html").get_attribute("data-bs-theme") == mode
            problems = axe_violations(browser_page)
            if problems:
                found[f"{mode} {path}"] = problems
    assert not found, found


# The apps whose admin pages the desk writes (models, inlines, forms); Django's own and third-party apps'
# admin pages are Django's business. Axes' login records are shown by the accounts app's admin.
DESK_APPS = {"accounts", "assets", "tickets", "knowledge", "notifications", "intake", "training", "axes"}


def _desk_admin_pages():
    """The list, the add form and an existing row's change form of every model the desk registers."""
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in DESK_APPS:
            continue
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        yield base
        yield f"{base}add/"  # refused (403) where rows are only ever written by the desk's services
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield f"{base}{first.pk}/change/"


# What axe finds in the admin's own markup and styles, which Django ships (django/contrib/admin) and the desk
# does not override: let through by rule and by the exact element, so the same rule on anything the desk
# writes (its models' fields, the closed days' inline) still fails.
SPLIT_DATETIME_BOX = re.compile(r'<input type="text" name="[a-z_]+_[01]"[^>]* class="v(Date|Time)Field"')
DJANGO_ADMIN_KNOWN = {
    # The breadcrumbs' links differ from their text by colour alone (admin/css/base.css).
    "link-in-text-block": lambda node: node["target"][0].startswith(".breadcrumbs"),
    # A two-list selector's filter box (filter_horizontal) puts an aria-label on a plain span
    # (admin/js/SelectFilter2.js).
    "aria-prohibited-attr": lambda node: node["html"].startswith('<span class="help-tooltip search-label-icon"'),
    # A tabular inline's heading row leaves empty the cells over the row's title and its delete box
    # (admin/edit_inline/tabular.html).
    "empty-table-header": lambda node: node["html"] in ('<th class="original"></th>', "<th></th>"),
    # A date-and-time field is two boxes, a date and a time, under one label that is tied to neither
    # (AdminSplitDateTime): the users' last login and joining dates, a project's creation.
    "label": lambda node: bool(SPLIT_DATETIME_BOX.match(node["html"])),
}


def _admin_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {node['html'][:160]}"
        for violation in result.response["violations"]
        for node in violation["nodes"]
        if not DJANGO_ADMIN_KNOWN.get(violation["id"], lambda node: False)(node)
    ]


def test_the_desks_admin_pages_are_accessible(browser_page, login):
    """The admin pages of the desk's models (categories, business calendars and their closed days,
    service levels, devices, staff, logins...) pass axe in light and dark colours; the browser_page
    fixture checks their HTML."""
    call_command("demo_load")
    page = browser_page
    login(page, "max@demo.example", DEMO_PASSWORD)
    pages = list(_desk_admin_pages())
    assert "/admin/tickets/businesscalendar/add/" in pages
    found = {}
    for mode in ("light", "dark"):
        # The admin keeps its own choice of colours, apart from the desk's pages.
        page.evaluate(f"localStorage.setItem('theme', '{mode}')")
        for path in pages:
            response = page.goto(path)
            assert response is not None
            if response.status == 403 and path.endswith("/add/"):
                continue
            assert response.status == 200, (path, response.status)
            problems = _admin_violations(page)
            if problems:
                found[f"{mode} {path}"] = problems
    assert not found, "\n".join(f"{where}: {problem}" for where, problems in found.items() for problem in problems)
