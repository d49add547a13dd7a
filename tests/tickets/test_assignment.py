"""Choosing the technician: the ranking with its reasons, and automatic assignment per category."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Tier
from tests import factories
from tickets import selectors, services, tally, workflow
from tickets.models import AutoAssign, Event, EventKind, Ticket, TicketStatus
from tickets.services import auto_assign

pytestmark = pytest.mark.django_db


def _tech(name, *, tier=1, skills=(), capacity=10, available=True):
    return factories.TechnicianFactory(
        first_name=name,
        last_name="Tech",
        profile__tier=tier,
        profile__skills=list(skills),
        profile__capacity=capacity,
        profile__is_available=available,
    )


def _load(tech, count, **extra):
    for _index in range(count):
        factories.TicketFactory(assignee=tech, status="in_progress", **extra)


def _names(suggestions):
    return [s.technician.first_name for s in suggestions]


@pytest.fixture
def printers():
    return factories.CategoryFactory(name="Printers", parent=factories.CategoryFactory(name="Hardware"))


# --- the ranking -------------------------------------------------------------------------------


def test_skill_in_the_category_ranks_first_and_a_parent_skill_counts(printers):
    _tech("Nina")
    _tech("Hana", skills=[printers.parent])
    _tech("Pia", skills=[printers])
    ticket = factories.TicketFactory(category=printers)
    ranked = selectors.technician_suggestions(ticket)
    assert _names(ranked)[2] == "Nina"
    assert {s.technician.first_name for s in ranked[:2]} == {"Hana", "Pia"}
    nina = ranked[2]
    assert not nina.skill_match and not nina.qualified
    assert "no skill in Printers" in nina.summary


def test_the_reasons_are_said_in_words(printers):
    pia = _tech("Pia", tier=2, skills=[printers], capacity=8)
    _load(pia, 3)
    for _index in range(12):
        factories.TicketFactory(category=printers, assignee=pia, status="closed")
    tally.rebuild()  # tickets written straight to the table are counted by the nightly rebuild
    ticket = factories.TicketFactory(category=printers, tier=1)
    [suggestion] = selectors.technician_suggestions(ticket)
    assert suggestion.summary == "skills: Printers · tier 2 · 3 of 8 open · solved 12 like this in the last year"
    assert suggestion.rank == 1 and suggestion.qualified


def test_tier_below_the_ticket_never_qualifies_and_the_closest_tier_is_preferred(printers):
    _tech("One", tier=1, skills=[printers])
    _tech("Two", tier=2, skills=[printers])
    _tech("Three", tier=3, skills=[printers])
    ticket = factories.TicketFactory(category=printers, tier=2)
    ranked = selectors.technician_suggestions(ticket)
    assert _names(ranked) == ["Two", "Three", "One"]
    assert "tier 1, below the ticket's tier 2" in ranked[2].summary
    assert not ranked[2].qualified


def test_capacity_and_away_push_down(printers):
    full = _tech("Full", skills=[printers], capacity=2)
    _load(full, 2)
    _tech("Away", skills=[printers], available=False)
    _tech("Free", skills=[printers])
    ranked = selectors.technician_suggestions(factories.TicketFactory(category=printers))
    assert _names(ranked) == ["Free", "Full", "Away"]
    assert [s.qualified for s in ranked] == [True, False, False]
    assert "2 of 2 open · at capacity" in ranked[1].summary
    assert "away" in ranked[2].reasons


def test_lighter_load_against_capacity_then_experience_then_id_break_ties(printers):
    busy = _tech("Busy", skills=[printers], capacity=10)
    _load(busy, 5)  # half full
    roomy = _tech("Roomy", skills=[printers], capacity=20)
    _load(roomy, 5)  # a quarter full
    first_twin = _tech("Twin", skills=[printers])
    second_twin = _tech("Twin", skills=[printers])
    expert = _tech("Expert", skills=[printers])
    device = factories.DeviceFactory(model="LaserJet 4000")
    # "Like this": the same category, or the same device model in another category.
    factories.TicketFactory(category=printers, assignee=expert, status="resolved")
    factories.TicketFactory(device=factories.DeviceFactory(model="LaserJet 4000"), assignee=expert, status="closed")
    factories.TicketFactory(category=printers, assignee=expert, status="cancelled")  # not solved
    tally.rebuild()
    ticket = factories.TicketFactory(category=printers, device=device)
    ranked = selectors.technician_suggestions(ticket)
    assert [s.technician for s in ranked] == [expert, first_twin, second_twin, roomy, busy]
    assert ranked[0].solved_like_this == 2
    assert ranked[1].summary == ranked[2].summary  # a true tie, broken by id: stable from one call to the next
    assert [s.rank for s in ranked] == [1, 2, 3, 4, 5]


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_solved_like_this_counts_the_last_twelve_months_only(printers):
    pia = _tech("Pia", skills=[printers])
    now = timezone.now()
    factories.TicketFactory(
        category=printers, assignee=pia, status="closed", resolved_at=datetime(2025, 4, 1, tzinfo=UTC)
    )
    factories.TicketFactory(
        category=printers, assignee=pia, status="closed", resolved_at=datetime(2025, 3, 31, tzinfo=UTC)
    )
    tally.rebuild(now=now)
    [suggestion] = selectors.technician_suggestions(factories.TicketFactory(category=printers))
    assert suggestion.solved_like_this == 1  # April 2025 to March 2026
    assert "solved 1 like this in the last year" in suggestion.reasons


def test_without_category_nobody_needs_a_skill():
    _tech("Any")
    [suggestion] = selectors.technician_suggestions(factories.TicketFactory())
    assert suggestion.qualified
    assert suggestion.reasons[0] == "no category yet"


def test_suggestions_take_a_fixed_number_of_queries(printers, django_assert_num_queries):
    ticket = Ticket.objects.select_related("category", "device").get(pk=factories.TicketFactory(category=printers).pk)

    def make(count):
        for index in range(count):
            tech = _tech(f"T{index}", skills=[printers, factories.CategoryFactory()])
            _load(tech, 2, category=printers)
            factories.TicketFactory(category=printers, assignee=tech, status="resolved")

    make(3)
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.technician_suggestions(ticket)) == 3
    make(27)
    with django_assert_num_queries(len(small)):
        assert len(selectors.technician_suggestions(ticket)) == 30
    assert len(small) == 3  # the technicians, their skills, the solved tally


# --- automatic assignment ----------------------------------------------------------------------


def _auto(category, mode):
    category.auto_assign = mode
    category.save()


def test_the_system_may_assign_only_new_tickets(printers, technician):
    new = factories.TicketFactory()
    held = factories.TicketFactory(status="assigned", assignee=factories.TechnicianFactory())
    assert workflow.is_allowed(new, "assign", None)
    assert not workflow.is_allowed(held, "assign", None)


def test_least_loaded_qualified_technician_gets_a_new_ticket(printers, requester):
    _auto(printers, AutoAssign.LEAST_LOADED)
    loaded = _tech("Loaded", skills=[printers])
    _load(loaded, 3)
    light = _tech("Light", skills=[printers])
    _load(light, 1)
    _tech("Unskilled")
    _tech("Away", skills=[printers], available=False)
    ticket = services.ticket_create(
        by=requester, requester=requester.employee, subject="Jam", category=printers, impact=3, urgency=2
    )
    assert ticket.status == TicketStatus.ASSIGNED
    assert ticket.assignee == light
    event = Event.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).get()
    assert event.actor is None
    assert event.note == "The least loaded qualified technician"


def test_round_robin_takes_turns_among_the_qualified(printers, requester):
    _auto(printers, AutoAssign.ROUND_ROBIN)
    first, second = _tech("First", skills=[printers]), _tech("Second", skills=[printers])
    _load(second, 5)  # load does not matter for turns
    assignees = [
        services.ticket_create(
            by=requester, requester=requester.employee, subject=f"Jam {n}", category=printers, impact=3, urgency=2
        ).assignee
        for n in range(4)
    ]
    assert assignees == [first, second, first, second]


def test_automatic_assignment_never_exceeds_capacity_and_flags_when_nobody_qualifies(printers, requester):
    _auto(printers, AutoAssign.LEAST_LOADED)
    only = _tech("Only", skills=[printers], capacity=2)
    _tech("Low", tier=1, skills=[printers], available=False)
    created = [
        services.ticket_create(
            by=requester, requester=requester.employee, subject=f"Jam {n}", category=printers, impact=3, urgency=2
        )
        for n in range(3)
    ]
    assert [t.assignee for t in created] == [only, only, None]
    stuck = created[2]
    assert stuck.status == TicketStatus.NEW
    alert = Event.objects.get(ticket=stuck, kind=EventKind.ALERTED)
    assert alert.action == selectors.ALERT_NO_TECHNICIAN
    assert alert.actor is None and not alert.is_public
    assert "No qualified technician" in alert.note
    assert Ticket.objects.filter(assignee=only, status__in=["assigned"]).count() == 2
    # The dashboard shows it flagged.
    assert selectors.tickets_to_triage().get(pk=stuck.pk).is_flagged


def test_tier_above_the_technicians_is_flagged_not_given_at_random(printers, coordinator):
    _auto(printers, AutoAssign.ROUND_ROBIN)
    _tech("One", tier=1, skills=[printers])
    ticket = factories.TicketFactory(category=None, tier=1)
    changed = services.ticket_triage(ticket=ticket, by=coordinator, category=printers, impact=3, urgency=2, tier=3)
    assert changed.assignee is None
    assert Event.objects.filter(ticket=ticket, kind=EventKind.ALERTED).exists()


def test_triage_into_an_automatic_category_assigns(printers, coordinator):
    _auto(printers, AutoAssign.LEAST_LOADED)
    tech = _tech("Pia", skills=[printers])
    ticket = factories.TicketFactory()
    changed = services.ticket_triage(ticket=ticket, by=coordinator, category=printers, impact=3, urgency=2, tier=1)
    assert changed.assignee == tech
    assert changed.status == TicketStatus.ASSIGNED
    assert list(Event.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["triaged", "assigned"]


def test_categories_without_automatic_assignment_stay_with_the_coordinators(printers, requester):
    _tech("Pia", skills=[printers])
    ticket = services.ticket_create(
        by=requester, requester=requester.employee, subject="Jam", category=printers, impact=3, urgency=2
    )
    assert ticket.assignee is None
    assert not Event.objects.filter(kind=EventKind.ALERTED).exists()
    assert auto_assign.ticket_auto_assign(ticket=ticket) is None


def test_only_managers_set_the_mode(printers, coordinator, manager):
    with pytest.raises(workflow.ActorNotAllowed):
        services.category_set_auto_assign(category=printers, by=coordinator, mode=AutoAssign.ROUND_ROBIN)
    services.category_set_auto_assign(category=printers, by=manager, mode=AutoAssign.ROUND_ROBIN)
    printers.refresh_from_db()
    assert printers.auto_assign == AutoAssign.ROUND_ROBIN


def test_auto_assign_settings_page(client_for, printers, manager, coordinator):
    url = "/tickets/categories/automatic-assignment/"
    assert client_for(coordinator).get(url).status_code == 403
    client = client_for(manager)
    assert "Printers" in client.get(url).content.decode()
    response = client.post(url, {"category": printers.pk, "mode": "least_loaded"})
    assert response.status_code == 302
    printers.refresh_from_db()
    assert printers.auto_assign == AutoAssign.LEAST_LOADED


@pytest.mark.django_db(transaction=True)
def test_two_tickets_at_once_cannot_both_take_the_last_slot(requester):
    printers = factories.CategoryFactory(name="Printers", auto_assign=AutoAssign.LEAST_LOADED)
    tech = _tech("Last", skills=[printers], capacity=3, tier=Tier.ONE)
    _load(tech, 2)
    employee = requester.employee
    barrier = threading.Barrier(2)
    errors = []

    def create(n):
        try:
            barrier.wait(timeout=10)
            services.ticket_create(
                by=requester, requester=employee, subject=f"Jam {n}", category=printers, impact=3, urgency=2
            )
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    created = Ticket.objects.filter(subject__startswith="Jam")
    assert created.count() == 2
    assert created.filter(assignee=tech).count() == 1
    assert created.filter(assignee__isnull=True).count() == 1
    assert Ticket.objects.filter(assignee=tech, status__in=["assigned", "in_progress"]).count() == 3


def test_the_ranking_follows_a_triage_not_saved_yet(client_for, coordinator, printers):
    _tech("Pia", tier=2, skills=[printers])
    _tech("Nina")
    ticket = factories.TicketFactory()
    ranked = selectors.technician_suggestions(ticket, category=printers, tier=2)
    assert _names(ranked) == ["Pia", "Nina"]
    assert ranked[0].summary.startswith("skills: Printers · tier 2")
    ticket.refresh_from_db()
    assert (ticket.category, ticket.tier) == (None, 1)
    url = f"/tickets/HD-{ticket.pk}/suggestions/"
    fragment = client_for(coordinator).get(url, {"category": printers.pk, "tier": 2}, HTTP_HX_REQUEST="true")
    assert "1. Pia" in fragment.content.decode()
    # Nonsense in the preview is ignored, never a 500.
    assert client_for(coordinator).get(url, {"category": "x", "tier": "9"}).status_code == 200
