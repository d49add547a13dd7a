"""The ticket page on a phone and on a wide screen: what the reader came for first, nothing wider than the
phone, the side sections folded on the phone and open beside the conversation on a wide screen."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from tickets.models import Ticket

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("email", ["rita@demo.example", "tess@demo.example"])
def test_on_a_phone_the_reply_box_comes_early_and_nothing_scrolls_sideways(browser_page, login, email):
    call_command("demo_load")
    if email.startswith("rita"):
        ticket = Ticket.objects.filter(requester__user__email=email, status="in_progress").order_by("pk").first()
    else:
        ticket = Ticket.objects.filter(assignee__email=email, status="in_progress").order_by("pk").first()
    page = browser_page
    login(page, email, DEMO_PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(ticket.get_absolute_url())
    reply_box = page.get_by_test_id("reply-box")
    # A short conversation: the reply box starts within the first screen and a half.
    assert reply_box.bounding_box()["y"] < 1.5 * PHONE["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    details = page.get_by_test_id("details")
    expect(details).not_to_have_attribute("open", "")
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(details).to_contain_text("Category")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.get_by_test_id("details")).to_have_attribute("open", "")
    expect(page.get_by_test_id("watchers")).to_have_attribute("open", "")
    # A window that narrows folds the sections the page opened, and one the person closed stays closed when
    # it widens again.
    page.get_by_test_id("details").locator("summary").click()
    expect(page.get_by_test_id("details")).not_to_have_attribute("open", "")
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("watchers")).not_to_have_attribute("open", "")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_test_id("watchers")).to_have_attribute("open", "")
    expect(page.get_by_test_id("details")).not_to_have_attribute("open", "")
