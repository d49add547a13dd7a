"""A manager reads the Insight reports in Chromium: finds the failing model, exports the replacement list,
and drills from a technician's resolved count to exactly those tickets. Every report page passes axe."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from accounts.models import User
from core.days import desk_zone
from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from helpdesk.seed import FAILING_MODEL
from reports.periods import today
from tests.fixtures.browser import axe_violations
from tickets.models import SOLVED_STATUSES, Ticket

pytestmark = pytest.mark.e2e

MANAGER = "max@demo.example"
REPORTS = ["desk", "technicians", "trends", "machines", "training"]


def test_a_manager_finds_the_failing_model_exports_the_replacements_and_drills_into_a_count(browser_page, login):
    page = browser_page
    call_command("demo_load")
    login(page, MANAGER, DEMO_PASSWORD)

    # The failing model tops the models, well above the fleet.
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Machines").click()
    page.wait_for_url("**/reports/machines/")
    first_model = page.get_by_test_id("models").locator("tbody tr").first
    assert first_model.get_attribute("data-model") == FAILING_MODEL
    assert page.get_by_test_id("chart-machines-models").locator("svg title").count() >= 1

    # The replacement candidates, as a spreadsheet would open them.
    with page.expect_download() as waiting:
        page.get_by_test_id("export-replacements").click()
    rows = list(csv.reader(io.StringIO(waiting.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Asset tag", "Model"]
    assert len(rows) > 1
    assert FAILING_MODEL in {row[1] for row in rows[1:]}

    # A technician's resolved count of one week opens exactly those tickets.
    zone = desk_zone()
    monday = today() - timedelta(days=today().weekday() + 14)
    sunday = monday + timedelta(days=6)
    begin = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(sunday + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    solved = Ticket.objects.filter(status__in=SOLVED_STATUSES, resolved_at__gte=begin, resolved_at__lt=end)
    technician = User.objects.get(pk=solved.values_list("assignee", flat=True).order_by("assignee").first())
    expected = {f"HD-{pk}" for pk in solved.filter(assignee=technician).values_list("pk", flat=True)}
    assert 0 < len(expected) <= 50  # one page of the list
    page.goto(f"/reports/technicians/?period=custom&first={monday.isoformat()}&last={sunday.isoformat()}")
    cell = page.get_by_test_id(f"cell-{technician.pk}-resolved")
    assert cell.inner_text() == str(len(expected))
    cell.click()
    page.wait_for_url("**/tickets/all/**")
    rows = page.get_by_test_id("ticket-row")
    rows.first.wait_for()
    shown = {text.split()[0] for text in rows.all_inner_texts()}
    assert shown == expected


def test_the_report_pages_have_no_accessibility_violations_in_light_and_dark(browser_page, login):
    page = browser_page
    call_command("demo_load")
    login(page, MANAGER, DEMO_PASSWORD)
    found = {}
    for mode in ("light", "dark"):
        page.evaluate(f"localStorage.setItem('helpdesk-color-mode', '{mode}')")
        for name in [*REPORTS, "setup"]:
            page.goto(f"/reports/{name}/")
            assert page.locator("html").get_attribute("data-bs-theme") == mode
            problems = axe_violations(page)
            if problems:
                found[f"{mode} {name}"] = problems
    assert not found, found


def test_the_report_pages_fit_a_phone(browser_page, login):
    """At a phone's width nothing but the tables' own scrolling boxes is wider than the screen."""
    page = browser_page
    call_command("demo_load")
    login(page, MANAGER, DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    for name in REPORTS:
        page.goto(f"/reports/{name}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
