"""Related tickets: a technician links the ticket they work to another (from the similar solved tickets, or
by number); both timelines say so, each pair once, and nobody else may."""

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Event, EventKind, TicketLink
from tickets.selectors import tickets_related
from tickets.workflow import ActorNotAllowed, WorkflowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(coordinator, technician, requester):
    anna = factories.EmployeeFactory()
    mine = services.ticket_create(
        by=coordinator, requester=requester.employee, subject="Printer offline", impact=3, urgency=2
    )
    mine = services.ticket_assign(ticket=mine, by=coordinator, assignee=technician)
    solved = services.ticket_create(by=coordinator, requester=anna, subject="Printer offline", impact=3, urgency=2)
    return mine, solved


def test_a_link_is_made_once_and_told_on_both_timelines(pair, technician):
    mine, solved = pair
    version = mine.version
    assert services.ticket_link(ticket=mine, other=solved, by=technician)
    assert TicketLink.objects.count() == 1
    events = Event.objects.filter(kind=EventKind.LINKED).order_by("ticket_id")
    assert [(e.ticket_id, e.new["ticket"], e.is_public) for e in events] == [
        (mine.pk, solved.pk, False),
        (solved.pk, mine.pk, False),
    ]
    mine.refresh_from_db()
    assert mine.version == version  # beside the ticket: nobody's open form goes stale
    assert [t.pk for t in tickets_related(mine)] == [solved.pk]
    assert [t.pk for t in tickets_related(solved)] == [mine.pk]


def test_linking_from_the_other_side_is_the_same_link(pair, technician, coordinator):
    mine, solved = pair
    services.ticket_link(ticket=mine, other=solved, by=technician)
    assert not services.ticket_link(ticket=solved, other=mine, by=coordinator)
    assert TicketLink.objects.count() == 1
    assert Event.objects.filter(kind=EventKind.LINKED).count() == 2


def test_who_may_not_link_is_refused(pair, requester, technician):
    mine, solved = pair
    with pytest.raises(ActorNotAllowed):
        services.ticket_link(ticket=mine, other=solved, by=requester)
    with pytest.raises(WorkflowError):
        services.ticket_link(ticket=mine, other=mine, by=technician)
    assert not TicketLink.objects.exists()


def test_the_page_links_by_number_and_shows_both_sides(client_for, pair, technician, requester):
    mine, solved = pair
    client = client_for(technician)
    response = client.post(reverse("tickets:link", args=[mine.pk]), {"other": solved.reference})
    assert response.status_code == 302
    page = client.get(mine.get_absolute_url()).content.decode()
    assert 'data-testid="related-ticket"' in page and solved.reference in page
    assert f"linked the ticket to {solved.reference}" in page
    # The requester sees neither the link nor its event.
    theirs = client_for(requester).get(mine.get_absolute_url()).content.decode()
    assert 'data-testid="related"' not in theirs and "linked the ticket" not in theirs


def test_bad_numbers_are_told_and_unseen_tickets_are_404(client_for, pair, technician, requester):
    mine, solved = pair
    client = client_for(technician)
    response = client.post(reverse("tickets:link", args=[mine.pk]), {"other": "not a number"}, follow=True)
    assert "Give a ticket number such as HD-1042." in response.content.decode()
    assert client.post(reverse("tickets:link", args=[mine.pk]), {"other": "HD-999999"}).status_code == 404
    assert client_for(requester).post(reverse("tickets:link", args=[solved.pk]), {"other": mine.pk}).status_code == 404
    assert not TicketLink.objects.exists()


def test_the_similar_panel_offers_to_link_and_says_when_linked(client_for, pair, technician, coordinator):
    mine, solved = pair
    solved = services.ticket_assign(ticket=solved, by=coordinator, assignee=technician)
    services.ticket_resolve(ticket=solved, by=technician, resolution_notes="Restarted the spooler.",
                            resolution_code="fixed")  # fmt: skip
    client = client_for(technician)
    panel = client.get(reverse("tickets:similar", args=[mine.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="similar-link"' in panel
    services.ticket_link(ticket=mine, other=solved, by=technician)
    panel = client.get(reverse("tickets:similar", args=[mine.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="similar-linked"' in panel and 'data-testid="similar-link"' not in panel
