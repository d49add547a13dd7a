"""In the browser: a technician writes up a solved ticket and publishes it; a requester finds it, reads it
and says it helped (htmx, in place). Every page passes axe-core's accessibility rules, under the CSP."""

import pytest

from knowledge.models import Article
from tests import factories
from tests.fixtures.browser import axe_violations

pytestmark = pytest.mark.e2e


def test_a_solution_written_up_reaches_a_requester(browser_page, login, password, technician, requester):
    page = browser_page
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content-Security-Policy" in message.text else None
    )
    device = factories.DeviceFactory(manufacturer="HP", model="ProBook 450 G8")
    solved = factories.TicketFactory(
        subject="Laptop does not charge",
        description="The battery light stays off.",
        requester=requester.employee,
        device=device,
        assignee=technician,
        status="resolved",
        resolution_notes="Replace the charger.",
        resolution_code="hardware_replaced",
    )
    problems: dict[str, list[str]] = {}

    login(page, technician.email, password)
    page.goto(solved.get_absolute_url())
    problems["ticket"] = axe_violations(page)
    page.get_by_test_id("write-up").click()
    page.wait_for_url("**/knowledge/write-up/**")
    problems["write-up"] = axe_violations(page)
    assert "Replace the charger." in page.get_by_label("Text").input_value()
    page.get_by_label("Audience").select_option("requesters")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    problems["article"] = axe_violations(page)
    page.goto("/knowledge/")
    problems["list"] = axe_violations(page)
    article = Article.objects.get()
    assert article.status == "published" and list(article.source_tickets.all()) == [solved]

    page.context.clear_cookies()
    login(page, requester.email, password)
    page.get_by_role("link", name="Help articles").click()
    problems["help"] = axe_violations(page)
    page.get_by_test_id("help-article").first.click()
    page.get_by_role("button", name="This helped").click()
    page.get_by_text("you said this helped").wait_for()
    problems["read"] = axe_violations(page)
    article.refresh_from_db()
    assert article.helped_count == 1
    assert not {name: found for name, found in problems.items() if found}
    assert not refused
