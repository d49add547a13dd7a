import pytest

from tests import factories
from tickets import services as ticket_services


@pytest.fixture
def category(db):
    return factories.CategoryFactory(name="Printer")


@pytest.fixture
def open_ticket(requester, category):
    """A new ticket the requester submitted through the service, as the web page does."""
    return ticket_services.ticket_create(
        by=requester,
        requester=requester.employee,
        subject="Printer on floor 2 jams",
        description="Every page jams.",
        category=category,
        impact=3,
        urgency=2,
    )


@pytest.fixture
def assigned_ticket(open_ticket, coordinator, technician):
    return ticket_services.ticket_assign(ticket=open_ticket, by=coordinator, assignee=technician)
