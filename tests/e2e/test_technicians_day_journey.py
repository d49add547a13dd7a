"""The technician's day in Chromium: answer with a canned reply chosen with the keyboard, merge a duplicate,
book a visit, send the laptop to repair, and read tomorrow's visits in order."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assets.models import DeviceStatus
from tests import factories
from tickets import services
from tickets.models import Repair, Ticket, TicketStatus, Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_technicians_day(browser_page, login, password, requester, coordinator, technician):
    page = browser_page
    laptop = factories.DeviceFactory(
        asset_tag="LT-0042", manufacturer="Lenovo", model="T14", assigned_to=requester.employee, status="in_use"
    )
    place = factories.LocationFactory(site="HQ", building="B", floor="2", room="214")
    requester.employee.location = place
    requester.employee.save()
    kept = services.ticket_create(
        by=coordinator, requester=requester.employee, subject="Laptop screen flickers", device=laptop, impact=3,
        urgency=2,
    )  # fmt: skip
    kept = services.ticket_start(ticket=services.ticket_assign(ticket=kept, by=coordinator, assignee=technician),
                                 by=technician)  # fmt: skip
    duplicate = services.ticket_create(
        by=coordinator, requester=requester.employee, subject="Screen flickering again", impact=3, urgency=2
    )
    duplicate = services.ticket_assign(ticket=duplicate, by=coordinator, assignee=technician)
    services.canned_reply_create(by=coordinator, shared=True, title="Password reset done", body="Done, {first_name}.")
    services.canned_reply_create(
        by=coordinator, shared=True, title="Restart and tell us",
        body="Hello {first_name}, please restart {device} and tell us. {technician}", then="wait_on_requester",
        minutes=5,
    )  # fmt: skip
    # Another visit tomorrow, earlier in the day, booked on another ticket.
    tomorrow = timezone.localdate() + timedelta(days=1)
    early = timezone.make_aware(datetime.combine(tomorrow, time(8, 30)))
    other = services.ticket_assign(
        ticket=services.ticket_create(by=coordinator, requester=requester.employee, subject="Dock is dead", impact=3,
                                      urgency=2),
        by=coordinator, assignee=technician,
    )  # fmt: skip
    services.visit_book(ticket=other, by=technician, technician=technician, starts_at=early,
                        ends_at=early + timedelta(minutes=30), place="Depot, gate 4")  # fmt: skip

    login(page, technician.email, password)

    # A canned reply, chosen and inserted with the keyboard; the reply sets the ticket waiting on the requester.
    page.goto(kept.get_absolute_url())
    page.get_by_label("Canned reply").focus()
    page.keyboard.press("ArrowDown")  # the second, by title: "Restart and tell us"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    body = page.get_by_label("Message", exact=True)
    expect(body).to_have_value(re.compile(r"^Hello Rita, please restart LT-0042 · Lenovo T14 and tell us\."))
    expect(page.locator("#canned-follows")).to_contain_text("Waiting on the requester".replace("Waiting", "Wait"))
    page.get_by_role("button", name="Reply to the requester").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Waiting on requester")
    expect(page.get_by_test_id("reply")).to_contain_text("please restart LT-0042")
    kept.refresh_from_db()
    assert kept.time_spent_minutes == 5

    # The duplicate is merged into it: its address now leads to the kept ticket.
    page.goto(duplicate.get_absolute_url())
    page.get_by_test_id("merge-link").click()
    page.get_by_label("Merge into").fill(kept.reference)
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(kept.get_absolute_url()) + "$"))
    expect(page.get_by_test_id("timeline")).to_contain_text(f"merged {duplicate.reference}")
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == kept.pk
    page.goto(duplicate.get_absolute_url())
    expect(page).to_have_url(re.compile(re.escape(kept.get_absolute_url()) + "$"))

    # A visit tomorrow at ten, at the requester's place.
    page.get_by_test_id("book-visit").click()
    expect(page.get_by_label("Place")).to_have_value("HQ / B / 2 / 214")
    page.get_by_label("Day").fill(tomorrow.isoformat())
    page.get_by_label("From").fill("10:00")
    page.get_by_label("Until").fill("11:00")
    page.get_by_label("What to bring").fill("A spare screen cable")
    page.get_by_role("button", name="Book the visit").click()
    expect(page.get_by_test_id("visit")).to_contain_text("HQ / B / 2 / 214")
    assert Visit.objects.filter(ticket=kept).count() == 1

    # The laptop goes to the vendor: the ticket waits on it, the device is in repair.
    page.get_by_test_id("send-to-repair").click()
    page.get_by_label("Vendor").fill("Lenovo Service")
    page.get_by_label("RMA number").fill("RMA-20461")
    page.get_by_label("Expected back").fill((tomorrow + timedelta(days=6)).isoformat())
    page.get_by_label("Under warranty").check()
    page.get_by_role("button", name="Send to repair").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Waiting on vendor")
    expect(page.get_by_test_id("repair")).to_contain_text("RMA-20461")
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.IN_REPAIR and Repair.objects.get().under_warranty
    assert Ticket.objects.get(pk=kept.pk).status == TicketStatus.WAITING_VENDOR

    # Tomorrow's visits, in order, with the places.
    page.get_by_test_id("nav-more").click()
    page.get_by_role("link", name="My visits").click()
    page.get_by_test_id("next-day").click()
    visits = page.get_by_test_id("planned-visit")
    expect(visits).to_have_count(2)
    expect(visits.nth(0)).to_contain_text("Depot, gate 4")
    expect(visits.nth(1)).to_contain_text("HQ / B / 2 / 214")
    expect(visits.nth(1)).to_contain_text("A spare screen cable")
