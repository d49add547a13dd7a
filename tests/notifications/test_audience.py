"""Who is offered a kind of news on their profile is who is sent it: both follow the role's capabilities."""

import ast
from pathlib import Path

import pytest

from accounts.forms import PreferencesForm
from accounts.models import Role
from notifications import kinds
from notifications.models import Notification, NotificationChannel
from tests import factories
from tickets import services as ticket_services
from tickets.notices.kinds import NotificationKind
from training import notices

pytestmark = pytest.mark.django_db

# The news told to everyone whose role holds its capability, rather than to one ticket's people.
BROADCAST = {NotificationKind.NEW_TICKET, NotificationKind.BREACH, NotificationKind.TRIAGE_STALE}


def _kinds_sent_to(user) -> set[str]:
    return set(
        Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).values_list("kind", flat=True)
    )


def _raise_every_broadcast(requester) -> None:
    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    ticket_services.ticket_flag(ticket=ticket, action="sla_breach", note="Past due")
    ticket_services.ticket_flag(ticket=ticket, action="triage_stale", new={"minutes_in_triage": 61})


def test_a_manager_is_sent_the_breach_and_triage_notices_they_are_offered(requester, manager):
    offered = {kind.value for kind in kinds.offered_to_role(manager.role)}
    assert {NotificationKind.BREACH, NotificationKind.TRIAGE_STALE} <= offered
    _raise_every_broadcast(requester)
    assert {NotificationKind.BREACH, NotificationKind.TRIAGE_STALE} <= _kinds_sent_to(manager)


def test_a_manager_who_mutes_the_breach_notice_is_not_sent_it(requester, manager):
    manager.muted_notification_kinds = [NotificationKind.BREACH]
    manager.save()
    _raise_every_broadcast(requester)
    assert NotificationKind.BREACH not in _kinds_sent_to(manager)
    assert NotificationKind.TRIAGE_STALE in _kinds_sent_to(manager)


@pytest.mark.parametrize("role", Role.values)
def test_the_offer_and_the_sending_agree_for_every_role(requester, role):
    person = factories.UserFactory(role=role, notify_new_tickets=True)
    _raise_every_broadcast(requester)
    offered = {kind.value for kind in kinds.offered_to_role(role)}
    assert _kinds_sent_to(person) == offered & BROADCAST
    # The profile page offers exactly the registry's kinds for the role.
    form = PreferencesForm(instance=person, show_coordinator_options=True)
    assert set(form.available_kinds) == offered


def test_every_ticket_kind_is_registered_with_its_stored_value():
    # Besides the ticket kinds: the outbox's own digest, the reports' monthly summary, which the profile
    # offers with a choice of its own, and the knowledge base's review reminder to an article's owner, never
    # among the kinds to switch off, nor the email intake's automatic answer to a received message, nor a
    # webhook's delivery and the notice that one was disabled; nor a training session's invitation, seat, change
    # and cancellation. Its reminder is the one a person invited may switch off.
    training = {notices.INVITED, notices.SEAT, notices.CHANGED, notices.CANCELLED}
    others = {kinds.DIGEST, "monthly_summary", "article_review", "intake_answer", kinds.WEBHOOK, kinds.WEBHOOK_DISABLED,
              *training}  # fmt: skip
    registered = [kind.value for kind in kinds.all_kinds() if kind.value not in {*others, notices.REMINDER}]
    assert registered == list(NotificationKind.values)
    for value in others:
        assert kinds.get(value) is not None and kinds.get(value) not in kinds.offered_to_role(Role.MANAGER)
    assert kinds.get(notices.REMINDER) in kinds.offered_to_role(Role.REQUESTER)


def test_notifications_imports_nothing_of_tickets():
    root = Path(__file__).resolve().parents[2] / "notifications"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name == "tickets" or name.startswith("tickets.") for name in names), path
