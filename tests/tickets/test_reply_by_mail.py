"""Replies by mail from people with or without a login: the requester, a watcher, staff on the ticket.

tickets.permissions.may_reply_by_mail decides; tickets.services.comment_add_by_mail writes; the notices name
the writer and never send them their own words back; the ticket page says who wrote.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Notification
from tests import factories
from tickets.models import Comment, Event, EventKind, Ticket, TicketStatus, Watcher
from tickets.notices.kinds import NotificationKind
from tickets.permissions import may_reply_by_mail
from tickets.services import comment_add_by_mail
from tickets.workflow import ActorNotAllowed

pytestmark = pytest.mark.django_db

NO_LOGIN = "nora.nologin@example.org"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ticket(technician) -> Ticket:
    """A ticket of an employee without a login, held by the technician, with a watcher by address."""
    employee = factories.EmployeeFactory(first_name="Nora", last_name="Nologin", email=NO_LOGIN)
    ticket = factories.TicketFactory(requester=employee, assignee=technician, status=TicketStatus.IN_PROGRESS)
    Watcher.objects.create(ticket=ticket, email="walter.watcher@example.org")
    return ticket


@pytest.mark.parametrize(
    ("who", "address", "allowed"),
    [
        ("nobody", "Nora.NoLogin@Example.org", True),  # the requester, no login, any case
        ("nobody", "walter.watcher@example.org", True),  # a watcher known by address
        ("watching_user", "wendy@example.org", True),  # a watcher with a login
        ("technician", "tess.tier1@example.org", True),  # holds it
        ("coordinator", "cora.coordinator@example.org", True),  # speaks for the desk on any
        ("technician_t2", "tom.tier2@example.org", False),  # staff who do not hold it
        ("requester", "rita.requester@example.org", False),  # another requester
        ("nobody", "stranger@example.org", False),
        ("nobody", "", False),
    ],
)
def test_who_may_reply_by_mail(request, ticket, who, address, allowed):
    user = None
    if who == "watching_user":
        user = factories.UserFactory(email="wendy@example.org", role="requester")
        Watcher.objects.create(ticket=ticket, user=user)
    elif who != "nobody":
        user = request.getfixturevalue(who)

    assert may_reply_by_mail(address, ticket, user) is allowed


@pytest.mark.parametrize("status", [TicketStatus.CLOSED, TicketStatus.CANCELLED])
def test_nobody_replies_by_mail_on_a_finished_ticket(ticket, technician, status):
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()

    assert not may_reply_by_mail(NO_LOGIN, ticket)
    assert not may_reply_by_mail("tess.tier1@example.org", ticket, technician)


def test_the_requester_without_a_login_replies_and_the_ticket_goes_back_to_work(ticket, technician):
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.WAITING_REQUESTER)
    ticket.refresh_from_db()
    log = SimpleUploadedFile("log.txt", b"lines", content_type="text/plain")

    comment = comment_add_by_mail(ticket=ticket, address=NO_LOGIN, name="Nora Nologin", body="Done.", files=[log])

    assert (comment.author, comment.sender_email, comment.sender_name) == (None, NO_LOGIN, "Nora Nologin")
    assert not comment.is_internal
    assert [a.original_name for a in comment.attachments.all()] == ["log.txt"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.IN_PROGRESS
    event = Event.objects.get(ticket=ticket, kind=EventKind.REPLIED)
    assert event.actor is None
    assert event.new["sender"] == {"email": NO_LOGIN, "name": "Nora Nologin", "requester": True}
    told = Notification.objects.filter(event=event)
    assert {(n.recipient, n.kind) for n in told if n.recipient} == {(technician, NotificationKind.REQUESTER_REPLIED)}
    assert {(n.email, n.kind) for n in told if not n.recipient} == {
        ("walter.watcher@example.org", NotificationKind.REPLY)
    }
    assert not told.filter(email=NO_LOGIN).exists()  # never their own words back
    assert told.filter(recipient=technician).first().context["actor_name"] == "Nora Nologin"


def test_a_watchers_reply_reaches_the_holder_and_the_requester_not_the_watcher(ticket, technician):
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.WAITING_REQUESTER)
    ticket.refresh_from_db()

    comment_add_by_mail(ticket=ticket, address="Walter.Watcher@example.org", body="Same here on floor 2.")

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_REQUESTER  # a watcher is not the requester
    event = Event.objects.get(ticket=ticket, kind=EventKind.REPLIED)
    told = Notification.objects.filter(event=event)
    assert told.filter(recipient=technician, kind=NotificationKind.FOLLOWER_REPLIED).exists()
    assert told.filter(email=NO_LOGIN, kind=NotificationKind.REPLY).exists()
    assert not told.filter(email="walter.watcher@example.org").exists()
    headline = told.get(recipient=technician, channel="email").context["actor_name"]
    assert headline == "walter.watcher"  # no name in the mail: the address's local part


def test_a_watcher_with_a_login_writes_as_themselves(ticket, technician):
    user = factories.UserFactory(email="wendy@example.org", first_name="Wendy", role="requester")
    Watcher.objects.create(ticket=ticket, user=user)

    comment = comment_add_by_mail(ticket=ticket, address="wendy@example.org", user=user, body="Me too.")

    assert (comment.author, comment.sender_email) == (user, "")
    event = Event.objects.get(ticket=ticket, kind=EventKind.REPLIED)
    assert Notification.objects.filter(event=event, recipient=technician, kind="follower_replied").exists()
    assert not Notification.objects.filter(event=event, recipient=user).exists()


def test_someone_else_is_refused_and_nothing_is_written(ticket):
    with pytest.raises(ActorNotAllowed):
        comment_add_by_mail(ticket=ticket, address="stranger@example.org", body="Hi")

    assert not Comment.objects.exists()
    assert not Event.objects.filter(kind=EventKind.REPLIED).exists()


def test_the_ticket_page_names_who_wrote_by_mail(ticket, technician, client_for, django_assert_max_num_queries):
    comment_add_by_mail(ticket=ticket, address=NO_LOGIN, name="Nora Nologin", body="It prints again.")
    comment_add_by_mail(ticket=ticket, address="walter.watcher@example.org", body="Same here.")

    staff_page = client_for(technician).get(reverse("tickets:detail", args=[ticket.reference])).content.decode()

    assert "Nora Nologin &lt;nora.nologin@example.org&gt;" in staff_page
    assert "walter.watcher &lt;walter.watcher@example.org&gt;" in staff_page
    assert "The help desk</strong>" not in staff_page
