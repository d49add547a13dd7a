"""Who speaks for the desk on a ticket: a technician replies and logs time on the tickets they hold and on
unassigned ones of their tier or below; internal notes on any ticket they can see; coordinators on any."""

import pytest

from tests import factories
from tickets import permissions, services
from tickets.models import Comment, Event, EventKind
from tickets.workflow import ActorNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_by_colleague(requester, technician_t2):
    return factories.TicketFactory(requester=requester.employee, assignee=technician_t2, status="in_progress", tier=1)


@pytest.fixture
def unassigned_tier2(requester):
    return factories.TicketFactory(requester=requester.employee, tier=2)


def test_the_rule_in_the_permissions_module(
    technician, technician_t2, coordinator, ticket, assigned_ticket, held_by_colleague, unassigned_tier2
):
    for action in ("reply", "log_time"):
        assert permissions.can_act(technician, action, assigned_ticket)  # holds it
        assert permissions.can_act(technician, action, ticket)  # unassigned, tier 1: could take it
        assert not permissions.can_act(technician, action, held_by_colleague)
        assert not permissions.can_act(technician, action, unassigned_tier2)  # above their tier
        assert permissions.can_act(technician_t2, action, unassigned_tier2)
        assert permissions.can_act(coordinator, action, held_by_colleague)
    for ticket_seen in (held_by_colleague, unassigned_tier2):
        assert permissions.can_act(technician, "note", ticket_seen)
        assert permissions.can_act(technician, "view_internal", ticket_seen)


def test_a_technician_cannot_reply_on_a_colleagues_ticket(client_for, technician, held_by_colleague):
    client = client_for(technician)
    page = client.get(held_by_colleague.get_absolute_url())
    assert page.status_code == 200
    assert "Reply to the requester" not in page.content.decode()
    assert "Add internal note" in page.content.decode()

    response = client.post(f"{held_by_colleague.get_absolute_url()}reply/", {"body": "Try turning it off"})
    assert response.status_code == 403
    assert not Comment.objects.filter(ticket=held_by_colleague).exists()
    assert not Event.objects.filter(ticket=held_by_colleague, kind=EventKind.REPLIED).exists()

    response = client.post(f"{held_by_colleague.get_absolute_url()}time/", {"minutes": 15})
    assert response.status_code == 403
    held_by_colleague.refresh_from_db()
    assert held_by_colleague.time_spent_minutes == 0


def test_a_technician_leaves_an_internal_note_for_the_holder(client_for, technician, held_by_colleague):
    response = client_for(technician).post(
        f"{held_by_colleague.get_absolute_url()}note/", {"body": "Saw this last week: the toner sensor"}
    )
    assert response.status_code == 302
    note = Comment.objects.get(ticket=held_by_colleague)
    assert note.is_internal and note.author == technician
    assert Event.objects.filter(ticket=held_by_colleague, kind=EventKind.NOTE_ADDED, actor=technician).exists()


def test_replies_and_time_on_held_and_takeable_tickets(client_for, technician, ticket, assigned_ticket):
    client = client_for(technician)
    for target in (ticket, assigned_ticket):
        assert client.post(f"{target.get_absolute_url()}reply/", {"body": "On my way"}).status_code == 302
        assert client.post(f"{target.get_absolute_url()}time/", {"minutes": 10}).status_code == 302
        target.refresh_from_db()
        assert target.time_spent_minutes == 10
        assert Event.objects.filter(ticket=target, kind=EventKind.REPLIED, actor=technician).exists()


def test_the_services_decide_on_the_ticket_as_it_is_now(technician, technician_t2, assigned_ticket):
    """The page was opened while the technician held it; a coordinator gave it to a colleague meanwhile."""
    stale = assigned_ticket
    type(stale).objects.filter(pk=stale.pk).update(assignee=technician_t2)
    with pytest.raises(ActorNotAllowed):
        services.comment_add(ticket=stale, by=technician, body="Still mine?")
    with pytest.raises(ActorNotAllowed):
        services.ticket_log_time(ticket=stale, by=technician, minutes=5)
    assert not Comment.objects.filter(ticket=stale).exists()
