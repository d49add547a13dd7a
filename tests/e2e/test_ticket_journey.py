"""A ticket's whole life in Chromium: report with a device and a screenshot, assign, talk, resolve, confirm."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tickets.models import Attachment, Event, Ticket, TicketStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _as(page, login, user, password):
    page.context.clear_cookies()
    login(page, user.email, password)


def _status(page):
    return page.get_by_test_id("ticket-status")


def test_ticket_from_report_to_closure(browser_page, login, password, requester, coordinator, technician, tmp_path):
    page = browser_page
    device = factories.DeviceFactory(asset_tag="AT-4711", model="ThinkPad X1", assigned_to=requester.employee)
    screenshot = tmp_path / "error.png"
    screenshot.write_bytes(PNG)

    # The requester reports the problem from the menu.
    _as(page, login, requester, password)
    page.get_by_role("link", name="Report a problem").first.click()
    page.get_by_label("In a few words, what is wrong?").fill("Laptop shows a blue screen")
    page.get_by_label("Details").fill("Every morning after login.")
    page.get_by_label("Which device?").select_option(label=str(device))
    page.get_by_label("I cannot work at all").check()
    page.get_by_label("Files").set_input_files(str(screenshot))
    page.get_by_role("button", name="Send to the help desk").click()
    expect(_status(page)).to_have_text("New")
    ticket = Ticket.objects.get()
    assert page.url.endswith(f"/tickets/HD-{ticket.pk}/")
    expect(page.get_by_test_id("attachment")).to_have_text("error.png")
    assert ticket.device == device

    # A coordinator assigns it to the technician.
    _as(page, login, coordinator, password)
    page.goto("/tickets/dashboard/")
    page.get_by_role("link", name=f"HD-{ticket.pk}").click()
    assign = page.get_by_test_id("action-assign")
    assign.locator("summary").click()
    assign.get_by_label("Technician").select_option(index=1)
    assign.get_by_role("button", name="Assign").click()
    expect(_status(page)).to_have_text("Assigned")

    # The technician starts, and asks a question.
    _as(page, login, technician, password)
    page.goto("/tickets/queue/")
    page.get_by_role("link", name=f"HD-{ticket.pk}").click()
    page.get_by_test_id("action-start").get_by_role("button").click()
    expect(_status(page)).to_have_text("In progress")
    page.get_by_label("Message", exact=True).fill("Does it happen on the docking station only?")
    page.get_by_role("button", name="Reply to the requester").click()
    expect(page.get_by_test_id("reply")).to_have_count(1)

    # The requester answers.
    _as(page, login, requester, password)
    page.goto("/tickets/mine/")
    page.get_by_role("link", name="Laptop shows a blue screen").click()
    expect(page.get_by_test_id("reply").first).to_contain_text("docking station")
    page.get_by_label("Message", exact=True).fill("Yes, only when docked.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("reply")).to_have_count(2)

    # The technician resolves it.
    _as(page, login, technician, password)
    page.goto(f"/tickets/HD-{ticket.pk}/")
    expect(page.get_by_test_id("reply").last).to_contain_text("only when docked")
    resolve = page.get_by_test_id("action-resolve")
    resolve.locator("summary").click()
    resolve.get_by_label("Resolution code").select_option("fixed")
    resolve.get_by_label("Resolution notes").fill("Updated the dock firmware.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(_status(page)).to_have_text("Resolved")

    # The requester confirms the fix, and the ticket closes.
    _as(page, login, requester, password)
    page.goto(f"/tickets/HD-{ticket.pk}/")
    expect(page.get_by_test_id("resolution")).to_contain_text("Updated the dock firmware.")
    page.get_by_role("button", name="Confirm the fix").click()
    expect(_status(page)).to_have_text("Closed")
    expect(page.get_by_test_id("timeline")).to_contain_text(re.compile("confirmed the fix"))

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.assignee == technician
    assert Attachment.objects.get().ticket == ticket
    assert list(Event.objects.filter(ticket=ticket).values_list("action", flat=True)) == [
        "",
        "assign",
        "start",
        "reply",
        "reply",
        "resolve",
        "confirm",
    ]
