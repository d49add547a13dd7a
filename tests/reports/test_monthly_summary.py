"""The monthly summary: to the managers who asked for it, once a month, through the outbox, in their language."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from notifications import services as outbox
from notifications.models import Notification
from reports import monthly
from tests import factories
from tickets import services
from tickets.models import ReportAs

pytestmark = pytest.mark.django_db

FIRST_OF_DECEMBER = datetime(2026, 12, 1, 6, 15, tzinfo=UTC)


def _november(coordinator):
    employee = factories.EmployeeFactory()
    for day, hour in ((3, 9), (10, 10), (24, 11)):
        when = datetime(2026, 11, day, hour, tzinfo=UTC)
        with time_machine.travel(when, tick=False):
            services.ticket_create(by=coordinator, requester=employee, subject="Help", impact=3, urgency=2, now=when)
    when = datetime(2026, 10, 20, 9, tzinfo=UTC)
    with time_machine.travel(when, tick=False):
        services.ticket_create(by=coordinator, requester=employee, subject="Help", impact=3, urgency=2, now=when)


def test_each_manager_who_asked_gets_last_month_once_in_their_language(manager, coordinator):
    _november(coordinator)
    manager.monthly_summary, manager.language = True, "sv"
    manager.save()
    factories.UserFactory(role=Role.MANAGER, monthly_summary=False)  # did not ask
    factories.UserFactory(role=Role.COORDINATOR, monthly_summary=True)  # asked, but summaries are for managers
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        assert monthly.monthly_summaries_send(now=FIRST_OF_DECEMBER) == 1
        assert monthly.monthly_summaries_send(now=FIRST_OF_DECEMBER) == 0  # the task ran twice: one message
    row = Notification.objects.get(kind=monthly.KIND)
    assert row.recipient == manager
    assert row.context["month"] == "2026-11"
    created = next(f for f in row.context["figures"] if f["key"] == "created")
    assert (created["value"], created["previous"]) == (3, 1)
    assert outbox.notification_deliver(notification_id=row.pk).sent
    message = mail.outbox[-1]
    assert message.to == [manager.email]
    assert "november 2026" in message.subject  # the month named in Swedish, not "2026-11"
    text = message.body
    assert "Skapad: 3" in text  # "Created" in Swedish, November's three against October's one
    assert reverse("reports:desk") + "?period=custom&first=2026-11-01&last=2026-11-30" in text
    html = message.alternatives[0][0]
    assert "Skapad" in html


def test_only_managers_are_offered_the_summary_on_their_profile(manager, coordinator, client_for):
    assert "monthly_summary" in client_for(manager).get(reverse("accounts:profile")).content.decode()
    assert "monthly_summary" not in client_for(coordinator).get(reverse("accounts:profile")).content.decode()
    page = client_for(manager).post(
        reverse("accounts:profile"),
        {"language": "", "time_zone": "", "notification_delivery": "immediate", "monthly_summary": "on"},
    )
    assert page.status_code == 302
    manager.refresh_from_db()
    assert manager.monthly_summary


def test_the_summary_names_the_rising_problems_the_machines_to_replace_and_the_training_topics(
    manager, coordinator, technician
):
    """November against October: VPN rises from 2 to 12; a laptop failed twice and again within 30 days; the
    Sales department asked three times how to use Excel, and nothing else."""
    vpn = factories.CategoryFactory(name="VPN")
    laptops = factories.CategoryFactory(name="Laptop", report_as=ReportAs.HARDWARE)
    excel = factories.CategoryFactory(name="Excel", report_as=ReportAs.HOW_TO)
    sales = factories.DepartmentFactory(name="Sales")
    seller = factories.EmployeeFactory(department=sales)
    laptop = factories.DeviceFactory(asset_tag="LT-0042", model="ProBook 450")

    def make(day, category, month=11, device=None, requester=None, resolve=False):
        when = datetime(2026, month, day, 9, tzinfo=UTC)
        with time_machine.travel(when, tick=False):
            ticket = services.ticket_create(
                by=coordinator,
                requester=requester or seller,
                subject="Help",
                impact=3,
                urgency=2,
                category=category,
                device=device,
                now=when,
            )
            if resolve:
                services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician, now=when)
                services.ticket_resolve(
                    ticket=ticket, by=technician, resolution_notes="New hinge.", resolution_code="fixed", now=when
                )
        return ticket

    for day in (6, 13):
        make(day, vpn, month=10, requester=factories.EmployeeFactory())
    for day in range(2, 14):
        make(day, vpn, requester=factories.EmployeeFactory())
    make(3, laptops, device=laptop, resolve=True)
    make(20, laptops, device=laptop)  # again 17 days after the resolution: a repeat
    for day in (4, 5, 6):
        make(day, excel)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        content = monthly.summary_content(monthly.preset("last_month", FIRST_OF_DECEMBER.date()))
    assert content["rising"] == [{"name": "VPN", "count": 12, "previous": 2}]
    assert content["machines"][0]["name"] == "LT-0042 (ProBook 450)"
    assert "failed again within 30 days" in content["machines"][0]["why"]
    assert content["training"] == [{"topic": "Excel", "count": 3, "who": "Sales"}]


@pytest.mark.parametrize(
    ("language", "category", "department"), [("sv", "Skrivare", "Försäljning"), ("pl", "Drukarka", "Sprzedaż")]
)
def test_the_summary_names_categories_and_departments_in_the_recipient_s_language(
    manager, coordinator, language, category, department
):
    printers = factories.CategoryFactory(
        name="Printer", report_as=ReportAs.HOW_TO, name_translations={"sv": "Skrivare", "pl": "Drukarka"}
    )
    sales = factories.DepartmentFactory(name="Sales", name_translations={"sv": "Försäljning", "pl": "Sprzedaż"})
    seller = factories.EmployeeFactory(department=sales)
    for month, days in ((10, (6,)), (11, range(2, 12))):
        for day in days:
            when = datetime(2026, month, day, 9, tzinfo=UTC)
            with time_machine.travel(when, tick=False):
                services.ticket_create(
                    by=coordinator, requester=seller, subject="Help", impact=3, urgency=2, category=printers, now=when
                )
    manager.monthly_summary, manager.language = True, language
    manager.save()
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        assert monthly.monthly_summaries_send(now=FIRST_OF_DECEMBER) == 1
    row = Notification.objects.get(kind=monthly.KIND)
    assert row.context["rising"][0]["name"] == "Printer"  # the row keeps the default name, and the others
    assert outbox.notification_deliver(notification_id=row.pk).sent
    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    assert f'<html lang="{language}">' in html
    for part in (message.body, html):
        assert f"{category}: 10" in part
        assert department in part
        assert "Printer" not in part
