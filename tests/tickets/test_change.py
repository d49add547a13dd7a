"""The one primitive under every ticket write: lock, version, change, save, Event, all or nothing."""

import pytest

from tests import factories
from tickets.models import Event, EventKind, Ticket
from tickets.services import StaleTicket
from tickets.services._change import Change, ticket_change
from tickets.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def _subject(text):
    def apply(locked):
        locked.subject = text
        return Change(kind=EventKind.TRIAGED, action="probe", fields=["subject"], new={"subject": text})

    return apply


def test_a_change_bumps_the_version_saves_its_fields_and_records_one_event(coordinator):
    ticket = factories.TicketFactory()
    changed = ticket_change(ticket, by=coordinator, apply=_subject("New words"), expected_version=ticket.version)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.subject, stored.version) == ("New words", ticket.version + 1)
    assert changed.version == stored.version
    event = Event.objects.get(ticket=ticket)
    assert (event.kind, event.action, event.actor, event.new) == (
        EventKind.TRIAGED,
        "probe",
        coordinator,
        {"subject": "New words"},
    )


def test_a_stale_version_is_refused_before_the_change_is_made(coordinator):
    ticket = factories.TicketFactory()
    made = []

    def apply(locked):
        made.append(locked)
        return None

    with pytest.raises(StaleTicket):
        ticket_change(ticket, by=coordinator, apply=apply, expected_version=ticket.version - 1)
    assert made == []
    assert not Event.objects.exists()


def test_nothing_to_change_writes_nothing(coordinator):
    ticket = factories.TicketFactory()
    ticket_change(ticket, by=coordinator, apply=lambda locked: None, expected_version=ticket.version)
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version
    assert not Event.objects.exists()


def test_a_refusal_inside_the_change_rolls_it_all_back(coordinator):
    ticket = factories.TicketFactory()

    def apply(locked):
        _subject("Half done")(locked)
        locked.save(update_fields=["subject"])
        raise WorkflowError("refused")

    with pytest.raises(WorkflowError):
        ticket_change(ticket, by=coordinator, apply=apply)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.subject, stored.version) == (ticket.subject, ticket.version)
    assert not Event.objects.exists()


def test_a_change_beside_the_ticket_records_its_event_and_leaves_the_version(coordinator):
    ticket = factories.TicketFactory()

    def apply(locked):
        return Change(kind=EventKind.WATCHERS_CHANGED, action="watch", bump=False)

    ticket_change(ticket, by=coordinator, apply=apply, expected_version=ticket.version)
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version
    assert Event.objects.get(ticket=ticket).kind == EventKind.WATCHERS_CHANGED


def test_only_notified_when_the_change_says_so(coordinator, monkeypatch):
    told = []
    monkeypatch.setattr("tickets.notifications.notify", told.append)
    ticket = factories.TicketFactory()
    ticket_change(ticket, by=coordinator, apply=_subject("Told"))

    def quiet(locked):
        return Change(kind=EventKind.TRIAGED, action="probe", notify=False)

    ticket_change(ticket, by=coordinator, apply=quiet)
    assert [event.action for event in told] == ["probe"]
    assert Event.objects.filter(ticket=ticket).count() == 2
