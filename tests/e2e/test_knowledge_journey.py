"""In Chromium: a tier-1 technician opens a new ticket, finds how a colleague solved the same problem last
month, quotes it to the requester, links it, resolves and writes the solution up as an article for requesters;
then a requester typing the same problem on Report a problem sees the article and solves it without a
ticket. On the way the header's search finds both tickets. Every page passes axe, under the CSP."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import Article, ProblemSolved
from tests import factories
from tests.fixtures.browser import axe_violations
from tickets import services
from tickets.models import Ticket, TicketLink

pytestmark = pytest.mark.e2e


def test_a_colleagues_solution_is_found_used_written_up_and_saves_a_ticket(
    browser_page, login, password, coordinator, technician, technician_t2, requester, requester_2
):
    page = browser_page
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content-Security-Policy" in message.text else None
    )
    printers = factories.CategoryFactory(name="Printer")
    month_ago = timezone.now() - timedelta(days=30)
    before = services.ticket_create(
        by=coordinator, requester=requester_2.employee, subject="Printer shows offline",
        description="The printer on floor 2 shows offline since this morning.", category=printers,
        impact=3, urgency=2, now=month_ago,
    )  # fmt: skip
    before = services.ticket_assign(ticket=before, by=coordinator, assignee=technician_t2, now=month_ago)
    services.ticket_resolve(
        ticket=before, by=technician_t2, resolution_code="fixed", now=month_ago + timedelta(hours=1),
        resolution_notes="Removed the printer from the computer and added it again; the queue works.",
    )  # fmt: skip
    new = services.ticket_create(
        by=requester, requester=requester.employee, subject="Printers offline on floor 2",
        description="Nothing prints, the printers say offline.", category=printers, impact=3, urgency=2,
    )  # fmt: skip
    new = services.ticket_assign(ticket=new, by=coordinator, assignee=technician)
    problems: dict[str, list[str]] = {}

    # The tier-1 technician finds the colleague's solution beside the new ticket.
    login(page, technician.email, password)
    page.goto(new.get_absolute_url())
    found = page.get_by_test_id("similar-ticket").first
    expect(found).to_contain_text(before.reference)
    expect(found.get_by_test_id("similar-resolution")).to_contain_text("added it again")
    problems["ticket"] = axe_violations(page)

    # The header's search finds both tickets, the best first.
    page.get_by_test_id("header-search").fill("printer offline")
    with page.expect_navigation():
        page.get_by_test_id("header-search").press("Enter")
    expect(page.get_by_test_id("search-group-tickets").get_by_test_id("search-hit")).to_have_count(2)
    problems["search"] = axe_violations(page)
    page.go_back()

    # They start work, quote the colleague's solution in a reply, link it, and resolve with the same.
    with page.expect_navigation():
        page.get_by_test_id("action-start").get_by_role("button").click()
    with page.expect_navigation():
        page.get_by_test_id("quote-link").first.click()
    message = page.get_by_label("Message", exact=True)
    expect(message).to_have_value(
        f"How {before.reference} was solved:\n"
        "> Removed the printer from the computer and added it again; the queue works.\n\n"
    )
    message.fill(message.input_value() + "I will do the same on your computer now.")
    page.get_by_role("button", name="Reply to the requester").click()
    expect(page.get_by_test_id("reply")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_test_id("similar-link").first.click()
    expect(page.get_by_test_id("related-ticket")).to_contain_text(before.reference)
    resolve = page.get_by_test_id("action-resolve")
    resolve.locator("summary").click()
    resolve.get_by_label("Resolution code").select_option("fixed")
    resolve.get_by_label("Resolution notes").fill(
        "Removed the printer and added it again (Settings, Printers). Printing works."
    )
    resolve.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Resolved")

    # And write it up for requesters.
    page.get_by_test_id("write-up").click()
    page.wait_for_url("**/knowledge/write-up/**")
    page.get_by_label("Title").fill("Printer shows offline")
    page.get_by_label("Audience").select_option("requesters")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    article = Article.objects.get()
    assert article.status == "published" and list(article.source_tickets.all()) == [new]
    assert TicketLink.objects.filter(first=before, second=new).exists()

    # A requester typing the same problem sees the article and solves it without a ticket.
    page.context.clear_cookies()
    login(page, requester_2.email, password)
    page.get_by_role("link", name="Report a problem").first.click()
    page.get_by_label("In a few words, what is wrong?").press_sequentially("printer offline", delay=20)
    suggestion = page.get_by_test_id("suggestion").first
    expect(suggestion).to_contain_text("Printer shows offline")
    suggestion.locator("summary").click()
    expect(suggestion.get_by_test_id("suggestion-body")).to_contain_text("added it again")
    problems["report"] = axe_violations(page)
    tickets_before = Ticket.objects.count()
    with page.expect_navigation():
        suggestion.get_by_test_id("solved-it").click()
    expect(page.get_by_text("Nothing was sent to the help desk")).to_be_visible()
    assert Ticket.objects.count() == tickets_before
    assert ProblemSolved.objects.filter(article=article, user=requester_2).count() == 1
    article.refresh_from_db()
    assert article.avoided_count == 1
    assert not {name: found for name, found in problems.items() if found}
    assert not refused
