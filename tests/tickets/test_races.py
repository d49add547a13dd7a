"""Two people, one ticket: whoever loses is told it changed (409) and keeps what they typed, never a 403."""

import threading

import pytest
from django.db import connections
from django.urls import reverse

from notifications.models import Notification
from tests import factories
from tickets import services
from tickets.models import Event, EventKind, Ticket, TicketStatus

NOTES = "Replaced the fuser unit; printed twenty pages without a jam."


def _resolve(client, ticket, version):
    return client.post(
        reverse("tickets:act", kwargs={"number": ticket.pk, "action": "resolve"}),
        {"version": version, "resolution_notes": NOTES, "resolution_code": "fixed"},
    )


def _reassign(client, ticket, version, to):
    return client.post(
        reverse("tickets:act", kwargs={"number": ticket.pk, "action": "assign"}),
        {"version": version, "assignee": to.pk},
    )


@pytest.mark.django_db
def test_the_technician_who_lost_the_ticket_meanwhile_gets_the_409_with_their_notes(
    client_for, requester, technician, technician_t2, coordinator
):
    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    opened_at = ticket.version
    assert _reassign(client_for(coordinator), ticket, opened_at, technician_t2).status_code == 302
    response = _resolve(client_for(technician), ticket, opened_at)
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed since you opened it" in page
    assert NOTES in page  # what they typed, shown although resolving is no longer theirs to do
    assert 'data-testid="kept-input"' in page
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.ASSIGNED, technician_t2)
    # The services agree: the version is checked before the right.
    with pytest.raises(services.StaleTicket):
        services.ticket_resolve(
            ticket=ticket, by=technician, resolution_notes=NOTES, resolution_code="fixed", expected_version=opened_at
        )


@pytest.mark.django_db
def test_a_stale_escalation_is_a_409_with_the_reason_kept(
    client_for, requester, technician, technician_t2, coordinator
):
    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    opened_at = ticket.version
    _reassign(client_for(coordinator), ticket, opened_at, technician_t2)
    response = client_for(technician).post(
        reverse("tickets:tier_move", kwargs={"number": ticket.pk, "action": "escalate"}),
        {"version": opened_at, "note": "Needs the network team"},
    )
    assert response.status_code == 409
    assert response.context["form"].data["note"] == "Needs the network team"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(4))
def test_resolving_and_reassigning_at_once_one_wins_and_the_other_gets_the_409(
    client_for, requester, technician, technician_t2, coordinator, round_
):
    """Both from the same version, at the same moment, on the real PostgreSQL: the loser is always told it
    changed, whichever of the two loses."""
    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    version = ticket.version
    clients = {"technician": client_for(technician), "coordinator": client_for(coordinator)}
    start = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def run(who):
        try:
            start.wait(timeout=10)
            if who == "technician":
                statuses[who] = _resolve(clients[who], ticket, version).status_code
            else:
                statuses[who] = _reassign(clients[who], ticket, version, technician_t2).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(who,)) for who in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses.values()) == [302, 409], statuses
    ticket.refresh_from_db()
    assert ticket.version == version + 1
    if statuses["technician"] == 302:
        assert ticket.status == TicketStatus.RESOLVED and ticket.resolution_notes == NOTES
    else:
        assert ticket.status == TicketStatus.ASSIGNED and ticket.assignee == technician_t2


@pytest.mark.django_db
def test_assigning_to_the_holder_changes_nothing(requester, technician, coordinator):
    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    same = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician, expected_version=ticket.version)
    assert (same.status, same.version) == (TicketStatus.IN_PROGRESS, ticket.version)
    assert not Event.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).exists()
    assert not Notification.objects.filter(ticket=ticket).exists()
    # Still refused for who may not assign, and for a stale version.
    with pytest.raises(services.StaleTicket):
        services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician, expected_version=ticket.version + 5)
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version
