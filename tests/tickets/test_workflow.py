"""The transition table, every (status, action, role) triple: allowed ones move the ticket and record an
Event; refused ones change nothing. The expectations are written out here, from the issue, not read
back from the table they test."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tickets import services, workflow
from tickets.models import Event, Ticket, TicketStatus
from tickets.priority import priority_for
from tickets.workflow import WorkflowError

pytestmark = pytest.mark.django_db

S = TicketStatus
WORKING = {S.ASSIGNED, S.IN_PROGRESS, S.WAITING_REQUESTER, S.WAITING_VENDOR}
OPEN = {S.NEW} | WORKING
HOLDER = {"assignee", "coordinator", "manager"}
PERSONAS = ["requester", "other_requester", "technician", "assignee", "coordinator", "manager", "outsider", "system"]


def _rows(statuses, personas):
    return {status: set(personas) for status in statuses}


EXPECTED: dict[str, dict[str, set[str]]] = {
    # The system assigns new tickets automatically (per category); only coordinators move held ones.
    "assign": {S.NEW: {"coordinator", "manager", "system"}, **_rows(WORKING, {"coordinator", "manager"})},
    "take": _rows({S.NEW}, {"technician", "assignee", "coordinator", "manager"}),
    "start": _rows({S.ASSIGNED}, HOLDER),
    "wait_on_requester": _rows({S.IN_PROGRESS, S.WAITING_VENDOR}, HOLDER),
    "wait_on_vendor": _rows({S.IN_PROGRESS, S.WAITING_REQUESTER}, HOLDER),
    "resume": _rows({S.WAITING_REQUESTER, S.WAITING_VENDOR}, HOLDER | {"system"}),
    "resolve": _rows(OPEN, HOLDER),
    "hand_back": _rows(WORKING, {"assignee"}),
    "confirm": _rows({S.RESOLVED}, {"requester"}),
    "close": _rows({S.RESOLVED}, {"coordinator", "manager", "system"}),
    "reopen": _rows({S.RESOLVED}, {"requester", "coordinator", "manager"}),
    "reopen_closed": _rows({S.CLOSED}, {"manager"}),
    "cancel": {S.NEW: {"requester", "coordinator", "manager"}, **_rows(WORKING, {"coordinator", "manager"})},
    # Up a tier (the system too: a breached SLA), or down one; the tests' tickets sit at tier 1 for
    # "escalate" and at tier 2 for "de_escalate".
    "escalate": _rows(OPEN, HOLDER | {"system"}),
    "de_escalate": _rows(OPEN, HOLDER),
    # Merged into another ticket: whoever could work it (a technician of its tier while nobody holds it).
    "merge": {S.NEW: {"technician", "assignee", "coordinator", "manager"}, **_rows(WORKING, HOLDER)},
}

TARGETS = {
    "assign": S.ASSIGNED,
    "take": S.IN_PROGRESS,
    "start": S.IN_PROGRESS,
    "wait_on_requester": S.WAITING_REQUESTER,
    "wait_on_vendor": S.WAITING_VENDOR,
    "resume": S.IN_PROGRESS,
    "resolve": S.RESOLVED,
    "hand_back": S.NEW,
    "confirm": S.CLOSED,
    "close": S.CLOSED,
    "reopen": S.ASSIGNED,  # it has an assignee; without one it goes back to new
    "reopen_closed": S.ASSIGNED,
    "cancel": S.CANCELLED,
    "escalate": S.NEW,  # no specialist chosen: back to triage at the next tier
    "de_escalate": S.NEW,
    "merge": S.CANCELLED,
}


def test_the_table_covers_exactly_the_expected_actions():
    assert set(workflow.ACTIONS) == set(EXPECTED)
    table = {(status, action) for (status, action) in workflow.TRANSITIONS}
    expected = {(status, action) for action, rows in EXPECTED.items() for status in rows}
    assert table == expected


@pytest.fixture
def people(requester, requester_2, technician, technician_t2, technician_t3, coordinator, manager, outsider):
    return {
        "requester": requester,
        "other_requester": requester_2,
        "technician": technician,
        "assignee": technician_t2,
        "coordinator": coordinator,
        "manager": manager,
        "outsider": outsider,
        "system": None,
    }


def _ticket_in(status, requester, holder, tier=1):
    now = timezone.now()
    return Ticket.objects.create(
        tier=tier,
        subject="Screen flickers",
        requester=requester.employee,
        status=status,
        assignee=holder,
        impact=2,
        urgency=2,
        priority=3,
        resolved_at=now if status in (S.RESOLVED, S.CLOSED) else None,
        closed_at=now if status == S.CLOSED else None,
    )


def _take(action, ticket, user, people):
    """Call the service for `action` with everything it requires."""
    common = {"ticket": ticket, "by": user, "expected_version": ticket.version}
    if action == "assign":
        return services.ticket_assign(**common, assignee=people["technician"])
    if action == "take":
        return services.ticket_take(**common)
    if action == "start":
        return services.ticket_start(**common)
    if action == "wait_on_requester":
        return services.ticket_set_waiting(**common, on="requester")
    if action == "wait_on_vendor":
        return services.ticket_set_waiting(**common, on="vendor", note="RMA 123")
    if action == "resume":
        return services.ticket_resume(**common)
    if action == "resolve":
        return services.ticket_resolve(**common, resolution_notes="Replaced the cable.", resolution_code="fixed")
    if action == "hand_back":
        return services.ticket_hand_back(**common, note="Needs a network specialist.")
    if action == "confirm":
        return services.ticket_confirm(**common)
    if action == "close":
        return services.ticket_close(**common)
    if action == "reopen":
        return services.ticket_reopen(**common, note="It happens again.")
    if action == "reopen_closed":
        return services.ticket_reopen_closed(**common, note="It happens again.")
    if action == "cancel":
        return services.ticket_cancel(**common, note="Reported twice.")
    if action == "escalate":
        return services.ticket_escalate(**common, note="Needs the next tier.")
    if action == "de_escalate":
        return services.ticket_de_escalate(**common, note="A first-tier fix.")
    if action == "merge":
        into = _ticket_in(S.NEW, people["requester"], None, tier=1)
        return services.ticket_merge(**common, into=into)
    raise AssertionError(action)


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("action", list(EXPECTED))
def test_every_status_action_and_role(people, status, action):
    allowed = EXPECTED[action].get(status, set())
    for persona in PERSONAS:
        user = people[persona]
        # The "assignee" persona holds the ticket; for the others someone else does (no one while new).
        holder = people["assignee"] if persona == "assignee" or status != S.NEW else None
        ticket = _ticket_in(status, people["requester"], holder, tier=2 if action == "de_escalate" else 1)
        expected = persona in allowed
        assert workflow.is_allowed(ticket, action, user) is expected, (status, action, persona)
        if expected:
            changed = _take(action, ticket, user, people)
            assert changed.status == TARGETS[action], (status, action, persona)
            assert changed.version == ticket.version + 1
            event = Event.objects.filter(ticket=ticket).latest("pk")
            assert event.action == action
            assert event.actor == user
            assert event.old["status"] == status
            assert event.new["status"] == TARGETS[action]
        else:
            with pytest.raises((WorkflowError, PermissionDenied)):
                _take(action, ticket, user, people)
            ticket.refresh_from_db()
            assert ticket.status == status
            assert ticket.version == 1
            assert not Event.objects.filter(ticket=ticket).exists()


def test_role_without_right_is_a_403_and_wrong_status_is_not(people):
    ticket = _ticket_in(S.NEW, people["requester"], None)
    with pytest.raises(workflow.ActorNotAllowed):
        workflow.check(ticket, "resolve", people["requester"])
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.check(ticket, "confirm", people["requester"])


def test_required_fields_are_required(people, coordinator):
    ticket = _ticket_in(S.IN_PROGRESS, people["requester"], people["assignee"])
    with pytest.raises(workflow.MissingFields) as error:
        services.ticket_resolve(ticket=ticket, by=coordinator, resolution_notes=" ", resolution_code="")
    assert set(error.value.fields) == {"resolution_notes", "resolution_code"}
    with pytest.raises(workflow.MissingFields):
        services.ticket_hand_back(ticket=ticket, by=people["assignee"], note="")
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_a_technician_takes_only_tickets_of_their_tier_or_below(people):
    ticket = _ticket_in(S.NEW, people["requester"], None)
    Ticket.objects.filter(pk=ticket.pk).update(tier=2)
    ticket.refresh_from_db()
    assert not workflow.is_allowed(ticket, "take", people["technician"])
    assert workflow.is_allowed(ticket, "take", people["assignee"])  # tier 2


def test_requester_reopens_only_within_the_window(people, settings):
    settings.TICKET_REOPEN_DAYS = 7
    ticket = _ticket_in(S.RESOLVED, people["requester"], None)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23), tick=False):
        assert workflow.is_allowed(ticket, "reopen", people["requester"])
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1), tick=False):
        assert not workflow.is_allowed(ticket, "reopen", people["requester"])
        assert workflow.is_allowed(ticket, "reopen", people["coordinator"])


def test_reopen_without_assignee_goes_back_to_new(people):
    ticket = _ticket_in(S.RESOLVED, people["requester"], None)
    reopened = services.ticket_reopen(ticket=ticket, by=people["requester"], note="Still broken")
    assert reopened.status == S.NEW
    assert reopened.resolved_at is None


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        (1, 1, 1),
        (1, 2, 2),
        (2, 1, 2),
        (1, 3, 3),
        (2, 2, 3),
        (3, 1, 3),
        (2, 3, 4),
        (3, 2, 4),
        (3, 3, 4),
    ],
)
def test_priority_matrix(impact, urgency, priority):
    assert priority_for(impact, urgency) == priority
