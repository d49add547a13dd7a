"""List pages read a fixed number of rows' worth of queries: the same for 3 tickets as for 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _make(count, requester, technician, coordinator):
    category = factories.CategoryFactory(parent=factories.CategoryFactory())
    device = factories.DeviceFactory(assigned_to=requester.employee)
    for _index in range(count):
        factories.TicketFactory(requester=requester.employee, category=category, device=device, tier=1)
        factories.TicketFactory(
            requester=requester.employee, category=category, assignee=technician, status="in_progress"
        )
        factories.TicketFactory(requester=requester.employee, status="closed", assignee=technician)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("requester", "tickets:mine"),
        ("technician", "tickets:queue"),
        ("coordinator", "tickets:dashboard"),
        ("coordinator", "tickets:list"),
    ],
)
def test_list_pages_query_count_is_constant(client_for, request, requester, technician, coordinator, persona, page):
    client = client_for(request.getfixturevalue(persona))
    url = reverse(page)
    _make(1, requester, technician, coordinator)
    small = _count(client, url)
    _make(9, requester, technician, coordinator)
    large = _count(client, url)
    assert small == large


def test_list_pages_with_django_assert_num_queries(
    client_for, requester, technician, coordinator, django_assert_num_queries
):
    client = client_for(requester)
    _make(1, requester, technician, coordinator)
    expected = _count(client, reverse("tickets:mine"))
    _make(9, requester, technician, coordinator)
    with django_assert_num_queries(expected):
        client.get(reverse("tickets:mine"))


def test_ticket_page_query_count_does_not_grow_with_the_timeline(client_for, technician, requester):
    from tickets import services

    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    client = client_for(technician)
    services.comment_add(ticket=ticket, by=requester, body="one")
    small = _count(client, ticket.get_absolute_url())
    for index in range(10):
        services.comment_add(ticket=ticket, by=technician, body=f"reply {index}", is_internal=index % 2 == 0)
        services.ticket_log_time(ticket=ticket, by=technician, minutes=1)
    assert _count(client, ticket.get_absolute_url()) == small
