"""What a passed due time does: a service level names which breaches (first response, resolution, both)
escalate a ticket and raise its priority; an automatic escalation of a held ticket goes to the next tier's
best-ranked specialist, or to that tier's triage with the holder kept as a watcher; the requester reads
"passed to a specialist", never "New"; the coordinators' mail says which due time passed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from notifications.models import Notification, NotificationChannel
from notifications.rendering import render_email
from tests import factories
from tickets import selectors, services
from tickets.models import (
    BreachClock,
    BusinessCalendar,
    Event,
    EventKind,
    SlaPolicy,
    TicketStatus,
    Watcher,
)
from tickets.notices.kinds import NotificationKind

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Monday 9 March 2026, a working day: a P1 opened at 9:00 is due a first response at 9:30 and a resolution
# at 10:00; a P3 at 13:00 and on Wednesday 11 March at 9:00 (24 working hours).
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=STOCKHOLM)
RESPONSE_PASSED = datetime(2026, 3, 9, 9, 31, tzinfo=STOCKHOLM)
RESOLUTION_PASSED = datetime(2026, 3, 9, 10, 1, tzinfo=STOCKHOLM)


@pytest.fixture
def policies():
    BusinessCalendar.objects.create(name="Office", time_zone="Europe/Stockholm", country="SE", is_default=True)
    return {
        priority: SlaPolicy.objects.create(
            priority=priority, first_response_minutes=response, resolution_minutes=resolution
        )
        for priority, response, resolution in [(1, 30, 60), (2, 60, 8 * 60), (3, 4 * 60, 24 * 60), (4, 480, 2400)]
    }


def _set(policy, **actions):
    for name, value in actions.items():
        setattr(policy, name, value)
    policy.save()


def _open(requester, *, impact=1, urgency=1, category=None):
    with time_machine.travel(MONDAY, tick=False):
        return services.ticket_create(
            by=requester,
            requester=requester.employee,
            subject="Printer",
            impact=impact,
            urgency=urgency,
            category=category,
        )


def _held(requester, coordinator, technician, **kwargs):
    """A P1 ticket assigned at 9:05 and in progress: held, nobody has answered the requester."""
    ticket = _open(requester, **kwargs)
    with time_machine.travel(MONDAY.replace(minute=5), tick=False):
        ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
        return services.ticket_start(ticket=ticket, by=technician)


def _check(when):
    with time_machine.travel(when, tick=False):
        return services.sla_check()


def _sent(ticket):
    return {(n.recipient_id, n.kind) for n in Notification.objects.filter(ticket=ticket)}


# --- which breach sets off which action ------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "tier_after_response", "tier_after_resolution"),
    [
        (BreachClock.NEVER, 1, 1),
        (BreachClock.RESPONSE, 2, 2),
        (BreachClock.RESOLUTION, 1, 2),
        (BreachClock.EITHER, 2, 3),
    ],
)
def test_a_policy_says_which_breaches_escalate(
    requester, policies, setting, tier_after_response, tier_after_resolution
):
    _set(policies[1], breach_escalates_on=setting)
    ticket = _open(requester)
    assert _check(RESPONSE_PASSED)["response_breached"] == 1
    ticket.refresh_from_db()
    assert ticket.tier == tier_after_response
    assert _check(RESOLUTION_PASSED)["resolution_breached"] == 1
    ticket.refresh_from_db()
    assert ticket.tier == tier_after_resolution
    escalations = Event.objects.filter(ticket=ticket, action="escalate").order_by("pk")
    assert escalations.count() == tier_after_resolution - 1
    assert all(event.actor is None for event in escalations)
    if setting == BreachClock.EITHER:
        assert [event.note.split(" (")[0] for event in escalations] == [
            "The first response time passed",
            "The resolution time passed",
        ]


def test_a_first_response_breach_may_raise_the_priority(requester, policies):
    _set(policies[3], breach_raises_priority_on=BreachClock.RESPONSE)
    ticket = _open(requester, impact=2, urgency=2)
    assert ticket.priority == 3
    _check(datetime(2026, 3, 9, 13, 1, tzinfo=STOCKHOLM))  # the P3's four working hours to a first response
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden, ticket.tier) == (2, True, 1)
    assert ticket.priority_reason.startswith("The first response time passed")
    raised = Event.objects.get(ticket=ticket, kind=EventKind.TRIAGED)
    assert (raised.actor, raised.old["priority"], raised.new["priority"]) == (None, 3, 2)
    # The P2 target is now the clock's: eight working hours from Monday 9:00.
    assert ticket.resolution_due_at == datetime(2026, 3, 9, 17, 0, tzinfo=STOCKHOLM)


def test_a_policy_raising_on_the_resolution_leaves_a_late_first_response_alone(requester, policies):
    _set(policies[3], breach_raises_priority_on=BreachClock.RESOLUTION)
    ticket = _open(requester, impact=2, urgency=2)
    assert _check(datetime(2026, 3, 9, 13, 1, tzinfo=STOCKHOLM))["response_breached"] == 1
    ticket.refresh_from_db()
    assert ticket.priority == 3
    assert not Event.objects.filter(ticket=ticket, kind=EventKind.TRIAGED).exists()


def test_the_admin_says_what_each_breach_action_does(client_for, manager, policies):
    body = client_for(manager).get(reverse("admin:tickets_slapolicy_change", args=[policies[1].pk])).content.decode()
    assert "When a due time passes" in body
    assert "escalate one tier" in body.lower()
    assert "When the first response time passes" in body
    assert "Each time: when the first response time passes and again when the resolution time passes" in body
    assert "kept informed as a watcher" in body
    assert "raise the priority one step" in body.lower()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_what_existing_policies_did():
    """breach_escalates / breach_raises_priority were resolution-only: they stay so."""
    executor = MigrationExecutor(connection)
    before, after = [("tickets", "0020_name_translations")], [("tickets", "0021_sla_breach_actions_by_clock")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("tickets", "SlaPolicy")
    old.objects.create(priority=1, first_response_minutes=30, resolution_minutes=60, breach_escalates=True)
    old.objects.create(priority=3, first_response_minutes=60, resolution_minutes=90, breach_raises_priority=True)
    old.objects.create(priority=4, first_response_minutes=60, resolution_minutes=90)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("tickets", "SlaPolicy")
        rows = {row.priority: (row.breach_escalates_on, row.breach_raises_priority_on) for row in new.objects.all()}
        assert rows == {1: ("resolution", ""), 3: ("", "resolution"), 4: ("", "")}
    finally:
        # Every later migration again, for the tests that come after this one in this process.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# --- an automatic escalation of a held ticket --------------------------------------------------------


def test_a_held_ticket_goes_to_the_best_ranked_specialist_of_the_next_tier(
    requester, coordinator, technician, policies
):
    printers = factories.CategoryFactory(name="Printers")
    unskilled = factories.TechnicianFactory(email="una.t2@example.org", first_name="Una", profile__tier=2)
    skilled = factories.TechnicianFactory(
        email="sam.t2@example.org", first_name="Sam", profile__tier=2, profile__skills=[printers]
    )
    factories.TechnicianFactory(
        email="ted.t3@example.org", first_name="Ted", profile__tier=3, profile__skills=[printers]
    )
    _set(policies[1], breach_escalates_on=BreachClock.RESPONSE)
    ticket = _held(requester, coordinator, technician, category=printers)
    assert selectors.technician_suggestions(ticket, tier=2)[0].technician == skilled  # the ranking's choice

    _check(RESPONSE_PASSED)

    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.status) == (2, skilled, TicketStatus.ASSIGNED)
    escalation = Event.objects.get(ticket=ticket, action="escalate")
    assert escalation.actor is None and escalation.is_public
    assert escalation.old["assignee"]["id"] == technician.pk and escalation.new["assignee"]["id"] == skilled.pk
    assert escalation.note.startswith("The first response time passed")
    assert not Watcher.objects.filter(ticket=ticket).exists()
    sent = _sent(ticket)
    assert (requester.pk, NotificationKind.ESCALATED) in sent
    assert (skilled.pk, NotificationKind.ESCALATED_TO_YOU) in sent
    assert (technician.pk, NotificationKind.ESCALATED_TO_YOU) in sent  # the holder hears it left them
    assert unskilled.pk not in {recipient for recipient, _kind in sent}


def test_with_no_specialist_free_it_goes_to_that_tiers_triage_and_the_holder_watches(
    requester, coordinator, technician, technician_t2, technician_t3, policies
):
    technician_t2.technician_profile.capacity = 1
    technician_t2.technician_profile.save()
    factories.TicketFactory(requester=requester.employee, assignee=technician_t2, status="assigned", tier=2)
    technician_t3.technician_profile.is_available = False
    technician_t3.technician_profile.save()
    _set(policies[1], breach_escalates_on=BreachClock.RESOLUTION)
    ticket = _held(requester, coordinator, technician)
    _check(RESPONSE_PASSED)  # the first response's breach does not escalate under this policy
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (1, technician)

    _check(RESOLUTION_PASSED)

    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.status) == (2, None, TicketStatus.NEW)
    assert ticket in selectors.tickets_to_triage()
    kept = Watcher.objects.get(ticket=ticket)
    assert (kept.user, kept.added_by, kept.email) == (technician, None, "")
    watch = Event.objects.get(ticket=ticket, kind=EventKind.WATCHERS_CHANGED)
    assert (watch.actor, watch.action, watch.is_public, watch.new["kept"]) == (None, "watch", False, True)
    escalation = Event.objects.get(ticket=ticket, action="escalate")
    assert escalation.pk < watch.pk  # watching from after the move: its message is the holder's, not the requester's
    sent = _sent(ticket)
    assert (technician.pk, NotificationKind.ESCALATED_TO_YOU) in sent
    assert (technician.pk, NotificationKind.ESCALATED) not in sent
    assert (technician.pk, NotificationKind.WATCHER_ADDED) not in sent
    assert (requester.pk, NotificationKind.ESCALATED) in sent


def test_a_held_ticket_is_never_escalated_back_to_its_holder(requester, coordinator, technician_t2, policies):
    """A tier 2 technician holding a tier 1 ticket ranks first for tier 2, but the breach takes it from them."""
    _set(policies[1], breach_escalates_on=BreachClock.RESPONSE)
    ticket = _held(requester, coordinator, technician_t2)
    _check(RESPONSE_PASSED)
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.status) == (2, None, TicketStatus.NEW)
    assert Watcher.objects.filter(ticket=ticket, user=technician_t2).exists()


def test_the_requester_reads_passed_to_a_specialist_never_new(
    client_for, requester, coordinator, technician, policies, settings
):
    _set(policies[1], breach_escalates_on=BreachClock.RESPONSE)
    ticket = _held(requester, coordinator, technician)
    _check(RESPONSE_PASSED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW  # in tier 2's triage: nobody of tier 2 exists

    page = client_for(requester).get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="ticket-status">Passed to a specialist</span>' in page
    assert "The help desk passed the ticket to a specialist." in page
    assert ">New<" not in page
    mine = client_for(requester).get(reverse("tickets:mine")).content.decode()
    assert "Passed to a specialist" in mine and ">New<" not in mine
    # Staff still read the workflow's status: it waits in triage at tier 2.
    staff_page = client_for(coordinator).get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="ticket-status">New</span>' in staff_page

    row = Notification.objects.get(
        ticket=ticket, recipient=requester, kind=NotificationKind.ESCALATED, channel=NotificationChannel.EMAIL
    )
    mail = render_email(row)
    assert mail.subject == f"[{ticket.reference}] Passed to a specialist: Printer"
    assert "passed it to one" in mail.body
    assert "New" not in mail.subject and "New" not in mail.body


def test_a_new_ticket_of_a_higher_starting_tier_still_reads_new(client_for, requester):
    ticket = factories.TicketFactory(requester=requester.employee, tier=2)
    page = client_for(requester).get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="ticket-status">New</span>' in page


# --- the coordinators' mail says which due time passed ---------------------------------------------------


def test_the_two_breach_mails_say_which_due_time_passed(requester, coordinator, policies):
    ticket = _open(requester)
    _check(RESPONSE_PASSED)
    _check(RESOLUTION_PASSED)
    rows = Notification.objects.filter(
        ticket=ticket, recipient=coordinator, kind=NotificationKind.BREACH, channel=NotificationChannel.EMAIL
    ).order_by("pk")
    mails = [render_email(row) for row in rows]
    assert [mail.subject for mail in mails] == [
        f"[{ticket.reference}] First response overdue: Printer",
        f"[{ticket.reference}] Resolution overdue: Printer",
    ]
    assert "Nobody has answered this ticket by its first response due time." in mails[0].body
    assert "This ticket is not resolved by its resolution due time." in mails[1].body


def test_a_breach_mail_stored_without_its_due_time_keeps_the_general_subject(requester, coordinator):
    ticket = factories.TicketFactory(requester=requester.employee, subject="Printer")
    services.ticket_flag(ticket=ticket, action="sla_breach", note="Past due")  # as before the target was kept
    row = Notification.objects.get(
        ticket=ticket, recipient=coordinator, kind=NotificationKind.BREACH, channel=NotificationChannel.EMAIL
    )
    assert render_email(row).subject == f"[{ticket.reference}] Past its due time: Printer"
