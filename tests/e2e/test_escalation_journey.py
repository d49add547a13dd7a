"""Escalation in Chromium: a tier-1 technician passes a ticket up with a reason, and a tier-2 specialist
picks it up from their queue."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tickets.models import Event, TicketStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page, login, user, password):
    page.context.clear_cookies()
    login(page, user.email, password)


def test_a_technician_escalates_and_a_specialist_picks_it_up(browser_page, login, password, requester, technician):
    page = browser_page
    servers = factories.CategoryFactory(name="Servers")
    specialist = factories.TechnicianFactory(
        first_name="Sara", last_name="Specialist", profile__tier=2, profile__skills=[servers]
    )
    factories.TechnicianFactory(first_name="Gus", last_name="Generalist", profile__tier=2)
    ticket = factories.TicketFactory(
        requester=requester.employee,
        subject="File share is read-only",
        category=servers,
        status="in_progress",
        assignee=technician,
    )

    # The tier-1 technician cannot solve it and escalates it, saying why.
    _as(page, login, technician, password)
    page.goto(f"/tickets/HD-{ticket.pk}/")
    page.get_by_test_id("action-escalate").click()
    specialists = page.get_by_test_id("specialist")
    expect(specialists.first).to_contain_text("1. Sara Specialist")
    expect(page.get_by_role("radio", name="1. Sara Specialist")).to_be_checked()
    page.get_by_label("Why").fill("The share's ACLs live on the file server; I have no access.")
    page.get_by_role("button", name="Escalate to the next tier").click()
    expect(page.get_by_text(f"HD-{ticket.pk} is at tier 2, with Sara Specialist.")).to_be_visible()
    expect(page.get_by_test_id("tier-chain")).to_contain_text("I have no access")

    # The specialist finds it in their queue and starts work.
    _as(page, login, specialist, password)
    page.goto("/tickets/queue/")
    page.get_by_role("link", name=f"HD-{ticket.pk}").click()
    page.get_by_test_id("action-start").get_by_role("button").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("In progress")

    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.status) == (2, specialist, TicketStatus.IN_PROGRESS)
    escalation = Event.objects.get(ticket=ticket, action="escalate")
    assert escalation.note == "The share's ACLs live on the file server; I have no access."

    # The requester reads plain words, not the staff's reasoning.
    _as(page, login, requester, password)
    page.goto(f"/tickets/HD-{ticket.pk}/")
    expect(page.get_by_test_id("timeline")).to_contain_text("passed the ticket to a specialist")
    expect(page.get_by_test_id("timeline")).not_to_contain_text("ACLs")
