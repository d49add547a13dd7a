"""Repairs: a device sent to a vendor from its ticket. The device's status follows, the ticket waits on the
vendor with its clock paused, the technician is reminded once when it is late, the device page keeps the
history and the failing-machines report counts it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assets.models import DeviceStatus
from notifications.models import Notification
from reports.models import DayFigures
from tests import factories
from tickets import services
from tickets.models import Event, EventKind, Repair, TicketStatus
from tickets.notices.kinds import NotificationKind
from tickets.workflow import ActorNotAllowed, WorkflowError

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def laptop_ticket(coordinator, technician, requester):
    laptop = factories.DeviceFactory(asset_tag="LT-0100", model="X1", assigned_to=requester.employee, status="in_use")
    ticket = services.ticket_create(
        by=coordinator, requester=requester.employee, subject="Screen flickers", device=laptop, impact=3, urgency=2
    )
    return services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician), laptop


def test_sending_puts_the_device_in_repair_and_the_ticket_on_the_vendor(laptop_ticket, technician):
    ticket, laptop = laptop_ticket
    repair = services.repair_send(
        ticket=ticket, by=technician, vendor="Lenovo Service", rma_number="RMA-77", sent_on=date(2026, 12, 7),
        expected_back=date(2026, 12, 14), under_warranty=True,
    )  # fmt: skip
    laptop.refresh_from_db()
    ticket.refresh_from_db()
    assert laptop.status == DeviceStatus.IN_REPAIR
    assert ticket.status == TicketStatus.WAITING_VENDOR  # started, then waiting: an assigned ticket is worked
    assert ticket.sla_pauses[-1][1] is None  # the clock is paused
    sent = Event.objects.get(ticket=ticket, kind=EventKind.REPAIR, action="repair_send")
    assert sent.new["rma_number"] == "RMA-77" and sent.new["device_id"] == laptop.pk
    with pytest.raises(WorkflowError):  # one repair away at a time
        services.repair_send(ticket=ticket, by=technician, vendor="Other", sent_on=date(2026, 12, 7))
    services.repair_return(repair=repair, by=technician, returned_on=date(2026, 12, 12), outcome="New panel.")
    laptop.refresh_from_db()
    ticket.refresh_from_db()
    assert laptop.status == DeviceStatus.IN_USE
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.sla_pauses[-1][1] is not None
    with pytest.raises(WorkflowError):
        services.repair_return(repair=repair, by=technician, returned_on=date(2026, 12, 12))


def test_a_device_without_a_holder_goes_back_to_stock_and_bad_input_is_refused(coordinator, technician, requester):
    spare = factories.DeviceFactory(asset_tag="PR-1", status="in_stock")
    ticket = services.ticket_create(by=coordinator, requester=requester.employee, subject="x", device=spare, impact=3,
                                    urgency=2)  # fmt: skip
    ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    with pytest.raises(WorkflowError):
        services.repair_send(ticket=ticket, by=technician, vendor="HP", sent_on=date(2026, 12, 7),
                             expected_back=date(2026, 12, 1))  # fmt: skip
    with pytest.raises(ActorNotAllowed):
        services.repair_send(ticket=ticket, by=requester, vendor="HP", sent_on=date(2026, 12, 7))
    repair = services.repair_send(ticket=ticket, by=technician, vendor="HP", sent_on=date(2026, 12, 7),
                                  cost=Decimal("120.50"))  # fmt: skip
    services.repair_return(repair=repair, by=technician, returned_on=date(2026, 12, 8))
    spare.refresh_from_db()
    assert spare.status == DeviceStatus.IN_STOCK
    assert Repair.objects.get().cost == Decimal("120.50")


def test_the_technician_is_reminded_once_when_it_is_late(laptop_ticket, technician):
    ticket, _laptop = laptop_ticket
    services.repair_send(ticket=ticket, by=technician, vendor="Lenovo", sent_on=date(2026, 12, 7),
                         expected_back=date(2026, 12, 9))  # fmt: skip
    assert services.repairs_remind_overdue() == 0
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert services.repairs_remind_overdue() == 0  # due today: not late yet
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert services.repairs_remind_overdue() == 1
        assert services.repairs_remind_overdue() == 0  # once
    told = Notification.objects.filter(recipient=technician, kind=NotificationKind.REPAIR_OVERDUE, channel="email")
    assert told.count() == 1
    assert "LT-0100" in told.get().context["device"]


def test_the_pages_send_and_return_and_the_device_keeps_its_history(client_for, laptop_ticket, technician, requester):
    ticket, laptop = laptop_ticket
    client = client_for(technician)
    assert 'data-testid="send-to-repair"' in client.get(ticket.get_absolute_url()).content.decode()
    url = reverse("tickets:repair_send", args=[ticket.pk])
    bad = client.post(url, {"vendor": "", "sent_on": "2026-12-07"})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    assert client.post(url, {"vendor": "Lenovo", "rma_number": "RMA-9", "sent_on": "2026-12-07",
                             "expected_back": "2026-12-10"}).status_code == 302  # fmt: skip
    repair = Repair.objects.get()
    history = client.get(laptop.get_absolute_url()).content.decode()
    assert 'data-testid="device-repair"' in history and "RMA-9" in history
    assert 'data-testid="device-repairs"' not in client_for(requester).get(laptop.get_absolute_url()).content.decode()
    response = client.post(reverse("tickets:repair_return", args=[repair.pk]), {"returned_on": "2026-12-09"})
    assert response.status_code == 302
    laptop.refresh_from_db()
    assert laptop.status == DeviceStatus.IN_USE


def test_the_failing_machines_report_counts_repairs(client_for, laptop_ticket, technician, manager):
    ticket, laptop = laptop_ticket
    hardware = factories.CategoryFactory(name="Hardware", report_as="hardware")
    services.ticket_triage(ticket=ticket, by=manager, category=hardware, impact=3, urgency=2, tier=1)
    services.repair_send(ticket=ticket, by=technician, vendor="Lenovo", sent_on=date(2026, 12, 7))
    rows = DayFigures.objects.filter(group_by="device", member=str(laptop.pk), within="")
    assert sum(row.repairs for row in rows.filter(grain="day")) == 1
    page = client_for(manager).get(reverse("reports:machines"), {"period": "this_week"}).content.decode()
    row = page[page.index(f'data-device="{laptop.pk}"') :]
    assert '<td class="text-end" data-testid="repairs">1</td>' in row[: row.index("</tr>")]
