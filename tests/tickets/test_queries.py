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


def test_a_long_timeline_shows_the_latest_entries_and_the_rest_on_request(client_for, technician, requester):
    """The ticket page shows the latest TIMELINE_SHOWN entries of events and comments together, with a link to
    the whole history; both pages run the same queries."""
    from tickets import services
    from tickets.views import TIMELINE_SHOWN

    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    for index in range(TIMELINE_SHOWN):
        services.comment_add(ticket=ticket, by=technician, body=f"reply {index}")
        services.ticket_log_time(ticket=ticket, by=technician, minutes=1)  # an event between each two replies
    client = client_for(technician)
    url = ticket.get_absolute_url()
    page = client.get(url).content.decode()
    assert page.count('data-testid="reply"') + page.count('data-testid="event"') == TIMELINE_SHOWN
    assert f"reply {TIMELINE_SHOWN - 1}<" in page and "reply 0<" not in page
    assert 'href="?timeline=all#timeline"' in page
    whole = client.get(url + "?timeline=all").content.decode()
    assert whole.count('data-testid="reply"') == TIMELINE_SHOWN and "reply 0<" in whole
    assert 'data-testid="timeline-earlier"' not in whole
    assert _count(client, url) == _count(client, url + "?timeline=all")
    # The requester's page leaves out the staff-only entries (the logged time) before it takes the latest:
    # every reply is among them.
    mine = client_for(requester).get(url).content.decode()
    assert mine.count('data-testid="reply"') == TIMELINE_SHOWN and "reply 0<" in mine
