"""An SLA breach set up from the admin, in Chromium: a manager says a first-response breach escalates; the
breach takes a held ticket up a tier; its requester reads "passed to a specialist", never "New"; the
coordinators' mail says which due time passed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from notifications.models import Notification, NotificationChannel
from notifications.rendering import render_email
from tickets import services
from tickets.models import BreachClock, BusinessCalendar, SlaPolicy, TicketStatus, Watcher
from tickets.notices.kinds import NotificationKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=STOCKHOLM)  # a working day
RESPONSE_PASSED = datetime(2026, 3, 9, 9, 31, tzinfo=STOCKHOLM)  # a P1's first response is due at 9:30


def test_a_breach_set_up_in_the_admin_passes_a_held_ticket_to_the_next_tier(
    browser_page, login, password, manager, coordinator, requester, technician
):
    page = browser_page
    BusinessCalendar.objects.create(name="Office", time_zone="Europe/Stockholm", country="SE", is_default=True)
    policy = SlaPolicy.objects.create(priority=1, first_response_minutes=30, resolution_minutes=60)

    login(page, manager.email, password)
    page.goto(f"/admin/tickets/slapolicy/{policy.pk}/change/")
    page.get_by_label("Escalate one tier").select_option(label="When the first response time passes")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    policy.refresh_from_db()
    assert policy.breach_escalates_on == BreachClock.RESPONSE

    with time_machine.travel(MONDAY, tick=False):
        ticket = services.ticket_create(
            by=requester, requester=requester.employee, subject="Scanner offline", impact=1, urgency=1
        )
        ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
        services.ticket_start(ticket=ticket, by=technician)
    with time_machine.travel(RESPONSE_PASSED, tick=False):
        services.sla_check()  # what Celery beat runs every minute

    ticket.refresh_from_db()
    # Nobody at tier 2 to take it: that tier's triage has it, and the technician who held it still hears of it.
    assert (ticket.tier, ticket.status, ticket.assignee) == (2, TicketStatus.NEW, None)
    assert Watcher.objects.filter(ticket=ticket, user=technician).exists()

    page.context.clear_cookies()
    login(page, requester.email, password)
    page.goto(ticket.get_absolute_url())
    expect(page.get_by_test_id("ticket-status")).to_have_text("Passed to a specialist")
    expect(page.get_by_test_id("timeline")).to_contain_text("passed the ticket to a specialist")

    breach = Notification.objects.get(
        ticket=ticket, recipient=coordinator, kind=NotificationKind.BREACH, channel=NotificationChannel.EMAIL
    )
    assert render_email(breach).subject.startswith(f"[HD-{ticket.pk}] First response overdue")
