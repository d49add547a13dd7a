"""Tiers and escalation: up a tier with a reason, to a specialist or back to triage; down a tier with a note;
the whole chain of hand-offs kept; the requester told in plain words."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests import factories
from tickets import selectors, services
from tickets.models import Event, EventKind, TicketStatus
from tickets.notices.kinds import NotificationKind
from tickets.workflow import MissingFields, WorkflowError

pytestmark = pytest.mark.django_db


def _url(ticket, action="escalate"):
    return reverse("tickets:tier_move", kwargs={"number": ticket.pk, "action": action})


@pytest.fixture
def working(requester, technician):
    ticket = factories.TicketFactory(requester=requester.employee, status="in_progress", assignee=technician)
    return ticket


def test_the_holder_escalates_to_a_specialist_of_the_next_tier(working, technician, technician_t2, requester):
    ticket = services.ticket_escalate(ticket=working, by=technician, note="Needs the print server", to=technician_t2)
    assert (ticket.tier, ticket.assignee, ticket.status) == (2, technician_t2, TicketStatus.ASSIGNED)
    event = Event.objects.filter(ticket=ticket).latest("pk")
    assert (event.kind, event.action, event.note) == (EventKind.STATUS_CHANGED, "escalate", "Needs the print server")
    assert (event.old["tier"], event.new["tier"]) == (1, 2)
    assert event.new["assignee"]["id"] == technician_t2.pk
    kinds = {(n.recipient_id, n.kind) for n in Notification.objects.filter(ticket=ticket)}
    assert (requester.pk, NotificationKind.ESCALATED) in kinds  # "passed to a specialist"
    assert (technician_t2.pk, NotificationKind.ESCALATED_TO_YOU) in kinds
    assert technician.pk not in {recipient for recipient, _kind in kinds}  # nobody hears of their own step


def test_when_a_coordinator_escalates_the_previous_holder_hears_too(working, technician, technician_t2, coordinator):
    ticket = services.ticket_escalate(ticket=working, by=coordinator, note="Tier 2 has the access", to=technician_t2)
    kinds = {(n.recipient_id, n.kind) for n in Notification.objects.filter(ticket=ticket)}
    assert (technician.pk, NotificationKind.ESCALATED_TO_YOU) in kinds
    assert (technician_t2.pk, NotificationKind.ESCALATED_TO_YOU) in kinds


def test_escalating_without_a_specialist_puts_it_back_in_triage_at_the_higher_tier(working, technician):
    ticket = services.ticket_escalate(ticket=working, by=technician, note="Beyond me")
    assert (ticket.tier, ticket.assignee, ticket.status) == (2, None, TicketStatus.NEW)
    assert ticket in selectors.tickets_to_triage()


def test_a_reason_is_required(working, technician):
    with pytest.raises(MissingFields):
        services.ticket_escalate(ticket=working, by=technician, note="  ")
    working.refresh_from_db()
    assert working.tier == 1


def test_the_specialist_must_work_at_the_new_tier(working, technician):
    other_tier_1 = factories.TechnicianFactory(profile__tier=1)
    with pytest.raises(WorkflowError, match="tier 1"):
        services.ticket_escalate(ticket=working, by=technician, note="x", to=other_tier_1)
    working.refresh_from_db()
    assert (working.tier, working.assignee_id) == (1, working.assignee_id)


def test_nothing_above_the_top_tier_and_nothing_below_the_first(requester, technician_t3, technician):
    top = factories.TicketFactory(status="in_progress", assignee=technician_t3, tier=3)
    with pytest.raises(PermissionDenied):
        services.ticket_escalate(ticket=top, by=technician_t3, note="x")
    bottom = factories.TicketFactory(status="in_progress", assignee=technician, tier=1)
    with pytest.raises(PermissionDenied):
        services.ticket_de_escalate(ticket=bottom, by=technician, note="x")


def test_only_the_holder_or_a_coordinator_moves_it(working, technician_t2, requester):
    for outsider in (technician_t2, requester):
        with pytest.raises(PermissionDenied):
            services.ticket_escalate(ticket=working, by=outsider, note="x")


def test_a_coordinator_may_raise_the_priority_a_technician_may_not(working, technician, coordinator, technician_t2):
    working.priority = 3
    working.save()
    with pytest.raises(PermissionDenied):
        services.ticket_escalate(ticket=working, by=technician, note="x", priority=1)
    ticket = services.ticket_escalate(ticket=working, by=coordinator, note="CEO waiting", to=technician_t2, priority=1)
    assert (ticket.priority, ticket.priority_overridden, ticket.priority_reason) == (1, True, "CEO waiting")
    event = Event.objects.filter(ticket=ticket).latest("pk")
    assert (event.old["priority"], event.new["priority"]) == (3, 1)
    with pytest.raises(WorkflowError):
        services.ticket_escalate(ticket=ticket, by=coordinator, note="x", priority=4)


def test_the_chain_keeps_who_held_it_at_each_tier_how_long_and_why(requester, technician, technician_t2, coordinator):
    start = timezone.now() - timedelta(days=1)
    with time_machine.travel(start, tick=False):
        ticket = factories.TicketFactory(requester=requester.employee, created_at=start)
        ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        ticket = services.ticket_escalate(ticket=ticket, by=technician, note="Needs tier 2", to=technician_t2)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        ticket = services.ticket_de_escalate(ticket=ticket, by=technician_t2, note="Only a driver", to=technician)
    with time_machine.travel(start + timedelta(hours=6), tick=False):
        chain = selectors.ticket_tier_chain(ticket)
    rows = [(s["tier"], s["holder"], s["duration"], s.get("reason")) for s in chain["stints"]]
    assert rows == [
        (1, "", timedelta(0), ""),
        (1, technician.get_full_name(), timedelta(hours=2), "Needs tier 2"),
        (2, technician_t2.get_full_name(), timedelta(hours=3), "Only a driver"),
        (1, technician.get_full_name(), timedelta(hours=1), None),
    ]
    assert chain["bounces"] == 1


def test_the_escalate_page_ranks_specialists_of_the_next_tier_only(client_for, working, technician, technician_t2):
    printers = factories.CategoryFactory(name="Printers")
    working.category = printers
    working.save()
    expert = factories.TechnicianFactory(first_name="Pia", profile__tier=2, profile__skills=[printers])
    page = client_for(technician).get(_url(working))
    assert page.status_code == 200
    body = page.content.decode()
    specialists = page.context["form"].suggestions
    assert [s.technician for s in specialists] == [expert, technician_t2]
    assert all(s.tier == 2 for s in specialists)
    assert f'value="{expert.pk}" id="to-{expert.pk}" checked' in body  # the best one is chosen
    assert "Back to triage, at tier 2" in body
    assert 'name="priority"' not in body  # technicians do not raise priority


def test_the_priority_field_on_the_escalate_page_points_at_its_help_text(client_for, working, coordinator):
    body = client_for(coordinator).get(_url(working)).content.decode()
    assert 'aria-describedby="id_priority_helptext"' in body
    assert 'id="id_priority_helptext"' in body


def test_escalating_through_the_page(client_for, working, technician, technician_t2):
    client = client_for(technician)
    response = client.post(_url(working), {"version": working.version, "note": "", "to": technician_t2.pk})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(_url(working), {"version": working.version, "note": "Server side", "to": technician_t2.pk})
    assert response.status_code == 302
    working.refresh_from_db()
    assert (working.tier, working.assignee) == (2, technician_t2)
    # The escalator still sees the ticket and its chain; the page no longer offers them the escalation.
    detail = client.get(working.get_absolute_url()).content.decode()
    assert 'data-testid="tier-chain"' in detail and "Server side" in detail
    assert 'data-testid="action-escalate"' not in detail


def test_a_stale_escalation_changes_nothing_and_keeps_the_reason(client_for, working, technician, coordinator):
    services.ticket_set_waiting(ticket=working, by=coordinator, on="vendor")
    response = client_for(technician).post(_url(working), {"version": working.version, "note": "Keep me", "to": ""})
    assert response.status_code == 409
    assert "Keep me" in response.content.decode()
    working.refresh_from_db()
    assert working.tier == 1


def test_the_page_is_a_404_for_tickets_one_cannot_see(client_for, requester_2, working):
    assert client_for(requester_2).get(_url(working)).status_code == 404
    assert client_for(requester_2).post(_url(working), {"note": "x"}).status_code == 404


def test_the_requester_reads_plain_words(client_for, working, technician, requester, technician_t2):
    services.ticket_escalate(ticket=working, by=technician, note="Internal reasoning", to=technician_t2)
    body = client_for(requester).get(working.get_absolute_url()).content.decode()
    assert "passed the ticket to a specialist" in body
    assert "Internal reasoning" not in body


def test_a_ticket_starts_at_its_categorys_tier(requester):
    servers = factories.CategoryFactory(name="Servers", default_tier=2)
    ticket = services.ticket_create(
        by=requester, requester=requester.employee, subject="Share down", category=servers, impact=2, urgency=2
    )
    assert ticket.tier == 2
    plain = services.ticket_create(by=requester, requester=requester.employee, subject="Mouse", impact=3, urgency=3)
    assert plain.tier == 1
