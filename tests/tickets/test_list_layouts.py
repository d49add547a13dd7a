"""Lists laid out for the screen that shows them: My tickets as cards on a phone and a table from md up."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories


def test_my_tickets_are_cards_and_a_table_of_the_same_rows_in_fixed_queries(
    client_for, requester, technician, django_assert_num_queries
):
    client = client_for(requester)
    for n in range(3):
        factories.TicketFactory(requester=requester.employee, subject=f"Open {n}", assignee=technician)
        factories.TicketFactory(requester=requester.employee, subject=f"Closed {n}", status="closed")
    client.get(reverse("tickets:mine"))
    expected = _queries(client)
    factories.TicketFactory(requester=requester.employee, subject="One more", status="closed")
    with django_assert_num_queries(expected):
        page = client.get(reverse("tickets:mine")).content.decode()
    assert page.count('data-testid="ticket-card"') == 7
    assert page.count('data-testid="ticket-row"') == 7
    assert 'class="list-unstyled ticket-cards d-md-none" aria-label="Open tickets"' in page
    assert '<caption class="visually-hidden">Past tickets</caption>' in page
    assert 'class="table-responsive d-none d-md-block"' in page
    card = page.split('data-testid="ticket-card"')[1]
    assert 'class="stretched-link">Open' in card and "<h3" in card and "<time" in card and "with Tess" in card


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("tickets:mine"))
    return len(captured)


def test_the_staff_lists_stay_tables(client_for, technician, requester):
    factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    page = client_for(technician).get(reverse("tickets:queue")).content.decode()
    assert 'data-testid="ticket-card"' not in page and 'data-testid="ticket-row"' in page
