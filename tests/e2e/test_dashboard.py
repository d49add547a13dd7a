"""The coordinator's dashboard in Chromium: triage in place, accept the suggested technician, and a
self-refresh that shows new tickets without ever clobbering a row being edited."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tickets.models import Event, Ticket, TicketStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_refresh(settings):
    settings.DASHBOARD_REFRESH_SECONDS = 1


def _row(page, ticket):
    return page.locator(f"#triage-row-{ticket.pk}")


def _open(page, ticket):
    """A row is a line until its "Triage" button opens its form."""
    row = _row(page, ticket)
    row.get_by_role("button", name=f"Triage HD-{ticket.pk}").click()
    return row


def test_coordinator_triages_in_place_and_accepts_the_suggestion(browser_page, login, password, coordinator, settings):
    # No refresh by itself during this test: the confirmation stays on screen until "Refresh now" takes the
    # row away, so nothing here waits on the clock.
    settings.DASHBOARD_REFRESH_SECONDS = 600
    page = browser_page
    printers = factories.CategoryFactory(name="Printers")
    pia = factories.TechnicianFactory(
        first_name="Pia", last_name="Printer", profile__skills=[printers], profile__tier=2
    )
    factories.TechnicianFactory(first_name="Nina", last_name="None")
    ticket = factories.TicketFactory(subject="Printer on floor 2 jams")
    login(page, coordinator.email, password)
    page.goto("/tickets/dashboard/")
    page.evaluate("window.notReloaded = true")

    expect(_row(page, ticket)).to_contain_text("Printer on floor 2 jams")
    row = _open(page, ticket)
    row.get_by_label("Category").select_option(label="Printers")
    row.get_by_label("Urgency").select_option("1")
    row.get_by_label("Tier").select_option("2")
    row.get_by_role("link", name="Suggest a technician").click()
    suggestion = row.get_by_test_id("suggestion").first
    expect(suggestion).to_contain_text(re.compile(r"1\. Pia Printer\s+skills: Printers · tier 2 · 0 of 10 open"))
    expect(row.get_by_role("radio", name=re.compile("Pia Printer"))).to_be_checked()
    row.get_by_role("button", name="Save").click()

    expect(row.get_by_test_id("triage-done")).to_have_text(f"HD-{ticket.pk} is triaged and assigned to Pia Printer.")
    assert page.evaluate("window.notReloaded") is True  # swapped in place, no page load
    ticket.refresh_from_db()
    assert (ticket.category, ticket.urgency, ticket.tier, ticket.assignee) == (printers, 1, 2, pia)
    assert ticket.status == TicketStatus.ASSIGNED
    assert list(Event.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["triaged", "assigned"]
    # The next refresh takes the assigned ticket off the list.
    page.get_by_role("link", name="Refresh now").click()
    expect(row).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True


def test_new_tickets_appear_but_never_over_a_row_being_edited(browser_page, login, password, coordinator):
    page = browser_page
    first = factories.TicketFactory(subject="First problem")
    login(page, coordinator.email, password)
    page.goto("/tickets/dashboard/")
    page.evaluate("window.notReloaded = true")

    # A new ticket shows by itself within seconds.
    second = factories.TicketFactory(subject="Second problem")
    expect(_row(page, second)).to_be_visible()

    # The coordinator starts editing the first row; a third ticket arrives meanwhile.
    row = _open(page, first)
    row.get_by_label("Why this priority").fill("The CEO is wait")
    row.get_by_label("Impact").select_option("1")
    assert page.evaluate("triageIsBusy()") is True
    row.evaluate("element => { element.dataset.kept = 'yes' }")  # markup swapped in would not carry this
    third = factories.TicketFactory(subject="Third problem")
    # The counts refresh (proof that the polling ran) while the triage list waits.
    expect(page.get_by_test_id("count-status")).to_contain_text("New: 3")
    expect(_row(page, third)).to_have_count(0)
    expect(row.get_by_label("Why this priority")).to_have_value("The CEO is wait")
    expect(row.get_by_label("Impact")).to_have_value("1")
    # "Refresh now" refreshes the other parts in place but does not even ask for the busy triage list.
    triage_requests = []
    page.on("request", lambda request: "/dashboard/part/triage/" in request.url and triage_requests.append(request))
    with page.expect_response(lambda response: "/dashboard/part/counts/" in response.url):
        page.get_by_role("link", name="Refresh now").click()
    assert triage_requests == []
    expect(row).to_have_attribute("data-kept", "yes")  # the very same row element, not a refreshed copy
    expect(_row(page, third)).to_have_count(0)
    expect(row.get_by_label("Why this priority")).to_have_value("The CEO is wait")

    # Saved: the list is the coordinator's again, and refreshes.
    row.get_by_label("Priority", exact=True).select_option("1")
    row.get_by_label("Why this priority").fill("The CEO is waiting")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_test_id("triage-done")).to_have_text(f"HD-{first.pk} is triaged.")
    page.locator("h1").click()  # focus leaves the row
    expect(_row(page, third)).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    first.refresh_from_db()
    assert (first.priority, first.priority_reason, first.impact) == (1, "The CEO is waiting", 1)
    assert Ticket.objects.filter(status="new").count() == 3


def test_the_dashboard_works_without_javascript(browser, live_server, login, password, coordinator):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        ticket = factories.TicketFactory(subject="No script here")
        login(page, coordinator.email, password)
        page.goto("/tickets/dashboard/")
        row = _row(page, ticket)
        row.get_by_label("Tier").select_option("3")
        row.get_by_role("button", name="Save").click()
        expect(page.get_by_text(f"HD-{ticket.pk} is triaged.")).to_be_visible()
        assert page.url.endswith("/tickets/dashboard/")
        ticket.refresh_from_db()
        assert ticket.tier == 3
    finally:
        context.close()


def test_an_opened_row_stays_open_and_an_opened_watch_list_too(browser_page, login, password, coordinator):
    page = browser_page
    first = factories.TicketFactory(subject="First problem")
    overdue = factories.TicketFactory(subject="Late one", first_response_due_at=timezone.now() - timedelta(hours=1))
    login(page, coordinator.email, password)
    page.goto("/tickets/dashboard/")
    row = _row(page, first)
    expect(row.get_by_label("Impact")).to_be_hidden()  # a line until opened
    toggle = row.get_by_role("button", name=f"Triage HD-{first.pk}")
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # Opened, nothing typed, focus elsewhere: still the coordinator's, the list waits.
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(row.get_by_label("Impact")).to_be_visible()
    page.locator("h1").click()
    assert page.evaluate("triageIsBusy()") is True
    second = factories.TicketFactory(subject="Second problem")
    expect(page.get_by_test_id("count-status")).to_contain_text("New: 3")  # the polling ran
    expect(_row(page, second)).to_have_count(0)
    expect(row.get_by_label("Impact")).to_be_visible()

    # Closed again: the list refreshes.
    toggle.click()
    page.locator("h1").click()
    expect(_row(page, second)).to_be_visible()

    # Overdue is counted, in red, its list a click away; opened, it stays open through the refreshes.
    watch = page.get_by_test_id("watch-overdue")
    expect(watch.locator(".watch-count")).to_have_text("1")
    expect(watch.locator(".watch-count")).to_have_class(re.compile("text-bg-danger"))
    expect(page.get_by_test_id("watch-due").locator(".watch-count")).not_to_have_class(re.compile("danger"))
    expect(watch.get_by_role("link", name=f"HD-{overdue.pk}")).to_be_hidden()
    watch.locator("summary").click()
    with page.expect_response(lambda response: "/dashboard/part/watch/" in response.url):
        pass
    expect(watch.get_by_role("link", name=f"HD-{overdue.pk}")).to_be_visible()
