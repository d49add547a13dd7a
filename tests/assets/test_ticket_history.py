"""The employee and device pages list every ticket about them, to whoever may see those tickets."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_an_employee_page_lists_all_their_tickets_page_by_page(client_for, coordinator):
    employee = factories.EmployeeFactory()
    tickets = factories.TicketFactory.create_batch(30, requester=employee)
    factories.TicketFactory(subject="Someone else's problem")
    client = client_for(coordinator)
    first = client.get(employee.get_absolute_url()).content.decode()
    assert tickets[-1].reference in first
    assert "Someone else's problem" not in first
    second = client.get(employee.get_absolute_url(), {"tickets_page": 2}).content.decode()
    assert tickets[0].reference in second


def test_a_device_page_shows_its_full_ticket_history(client_for, technician):
    device = factories.DeviceFactory()
    mine = factories.TicketFactory(device=device, subject="Fan is loud")
    old = factories.TicketFactory(device=device, subject="Screen flickers", status="closed")
    factories.TicketFactory(subject="Other device")
    page = client_for(technician).get(device.get_absolute_url()).content.decode()
    assert mine.reference in page and old.reference in page
    assert "Other device" not in page


def test_the_ticket_list_costs_the_same_for_3_or_25_tickets(client_for, coordinator, django_assert_num_queries):
    device = factories.DeviceFactory()
    factories.TicketFactory.create_batch(3, device=device)
    client = client_for(coordinator)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(device.get_absolute_url())
    factories.TicketFactory.create_batch(22, device=device)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(device.get_absolute_url())


def test_a_requester_sees_only_their_own_tickets_on_their_device(client_for, requester, requester_2):
    device = factories.DeviceFactory(assigned_to=requester.employee, status="in_use")
    own = factories.TicketFactory(device=device, requester=requester.employee, subject="My own report")
    factories.TicketFactory(device=device, requester=requester_2.employee, subject="Colleague's report")
    response = client_for(requester).get(device.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert own.reference in page
    assert "Colleague's report" not in page
