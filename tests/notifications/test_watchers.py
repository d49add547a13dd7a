import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications import services as notification_services
from notifications.models import Notification, NotificationChannel
from notifications.rendering import render_email
from tests import factories
from tickets import services as ticket_services
from tickets.models import Event, EventKind, Watcher
from tickets.notices.kinds import NotificationKind
from tickets.notices.tokens import watcher_stop_token

pytestmark = pytest.mark.django_db


def test_a_requester_adds_a_colleague_who_then_hears_public_updates(client_for, requester, open_ticket):
    colleague = factories.UserFactory(email="colleague@example.org", first_name="Cecilia", last_name="Berg")
    response = client_for(requester).post(
        reverse("tickets:watcher_add", args=[open_ticket.pk]), {"email": "Colleague@Example.org"}
    )
    assert response.status_code == 302
    watcher = Watcher.objects.get(ticket=open_ticket)
    assert watcher.user == colleague
    assert Event.objects.filter(ticket=open_ticket, kind=EventKind.WATCHERS_CHANGED, is_public=False).exists()
    page = client_for(requester).get(open_ticket.get_absolute_url()).content.decode()
    assert "Cecilia Berg" in page
    # Told once who added them, in the app and by mail, with a way to stop.
    told = Notification.objects.get(kind=NotificationKind.WATCHER_ADDED, channel=NotificationChannel.EMAIL)
    assert told.recipient == colleague and told.context["watcher_id"] == watcher.pk


def test_an_outside_address_can_watch(client_for, technician, open_ticket):
    client_for(technician).post(reverse("tickets:watcher_add", args=[open_ticket.pk]), {"email": "boss@vendor.example"})
    assert Watcher.objects.get(ticket=open_ticket).email == "boss@vendor.example"


@pytest.mark.parametrize(
    ("email", "message"),
    [("not-an-address", "Enter a valid email address"), ("rita.requester@example.org", "hears of every update")],
)
def test_bad_watchers_get_a_message_beside_the_field(client_for, requester, open_ticket, email, message):
    response = client_for(requester).post(reverse("tickets:watcher_add", args=[open_ticket.pk]), {"email": email})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Watcher.objects.exists()


def test_a_twice_added_watcher_is_refused(client_for, technician, open_ticket):
    url = reverse("tickets:watcher_add", args=[open_ticket.pk])
    client_for(technician).post(url, {"email": "boss@vendor.example"})
    response = client_for(technician).post(url, {"email": "BOSS@vendor.example"})
    assert "already follows" in response.content.decode()
    assert Watcher.objects.count() == 1


def test_someone_elses_ticket_is_a_404_for_watchers(client_for, requester_2, open_ticket):
    response = client_for(requester_2).post(
        reverse("tickets:watcher_add", args=[open_ticket.pk]), {"email": "spy@example.org"}
    )
    assert response.status_code == 404
    watcher = Watcher.objects.create(ticket=open_ticket, email="x@example.org")
    assert client_for(requester_2).post(reverse("tickets:watcher_remove", args=[watcher.pk])).status_code == 404
    assert Watcher.objects.filter(pk=watcher.pk).exists()


def test_the_service_refuses_a_requester_removing_a_watcher_staff_added(requester, technician, open_ticket):
    """The rule the watchers box and the remove view show is the service's own: a requester takes off only
    the colleagues they added."""
    watcher = Watcher.objects.create(ticket=open_ticket, email="x@example.org", added_by=technician)
    with pytest.raises(ticket_services.ActorNotAllowed):
        ticket_services.watcher_remove(watcher=watcher, by=requester)
    assert Watcher.objects.filter(pk=watcher.pk).exists()


def test_removing_a_watcher(client_for, requester, open_ticket):
    watcher = Watcher.objects.create(ticket=open_ticket, email="x@example.org", added_by=requester)
    response = client_for(requester).post(reverse("tickets:watcher_remove", args=[watcher.pk]))
    assert response.status_code == 302
    assert not Watcher.objects.exists()
    assert Event.objects.filter(ticket=open_ticket, action="unwatch").exists()


def _add(client, ticket, email):
    return client.post(reverse("tickets:watcher_add", args=[ticket.pk]), {"email": email})


def test_a_requester_cannot_make_the_desk_mail_a_stranger(client_for, requester, open_ticket):
    response = _add(client_for(requester), open_ticket, "victim@elsewhere.example")
    assert response.status_code == 400
    assert "Only colleagues of the organisation" in response.content.decode()
    assert not Watcher.objects.exists()
    assert not Notification.objects.filter(email="victim@elsewhere.example").exists()


def test_a_requester_may_add_an_employee_without_a_login(client_for, requester, open_ticket):
    factories.EmployeeFactory(email="nils.strand@example.org")
    assert _add(client_for(requester), open_ticket, "Nils.Strand@example.org").status_code == 302
    assert Watcher.objects.get().email == "nils.strand@example.org"


def test_a_requester_adds_a_few_colleagues_and_a_ticket_a_few_more(
    client_for, requester, technician, open_ticket, settings
):
    settings.WATCHERS_MAX_BY_REQUESTER = 2
    settings.WATCHERS_MAX_PER_TICKET = 3
    for number in range(4):
        factories.EmployeeFactory(email=f"colleague{number}@example.org")
    client = client_for(requester)
    assert _add(client, open_ticket, "colleague0@example.org").status_code == 302
    assert _add(client, open_ticket, "colleague1@example.org").status_code == 302
    refused = _add(client, open_ticket, "colleague2@example.org")
    assert refused.status_code == 400 and "at most 2 colleagues" in refused.content.decode()
    staff = client_for(technician)
    assert _add(staff, open_ticket, "supplier@vendor.example").status_code == 302
    refused = _add(staff, open_ticket, "another@vendor.example")
    assert refused.status_code == 400 and "at most 3 watchers" in refused.content.decode()
    assert Watcher.objects.count() == 3


def test_watcher_additions_are_rate_limited(client_for, technician, open_ticket, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "watcher_add": "2/h"}
    client = client_for(technician)
    assert _add(client, open_ticket, "a@vendor.example").status_code == 302
    assert _add(client, open_ticket, "b@vendor.example").status_code == 302
    refused = _add(client, open_ticket, "c@vendor.example")
    assert refused.status_code == 429
    assert "many watchers in a short time" in refused.content.decode()
    assert Watcher.objects.count() == 2


def test_a_requester_sees_staff_watchers_by_name_only(client_for, requester, technician, open_ticket):
    Watcher.objects.create(ticket=open_ticket, user=technician, added_by=technician)
    page = client_for(requester).get(open_ticket.get_absolute_url()).content.decode()
    watchers = re.findall(r'data-testid="watcher">(.*?)</span>', page)
    assert watchers == [technician.first_name]
    assert technician.email not in page
    staff_page = client_for(technician).get(open_ticket.get_absolute_url()).content.decode()
    assert technician.email in staff_page


def test_an_outside_address_is_told_why_and_stops_with_one_click(client, client_for, technician, open_ticket):
    assert _add(client_for(technician), open_ticket, "supplier@vendor.example").status_code == 302
    watcher = Watcher.objects.get()
    notice = Notification.objects.get(email="supplier@vendor.example")
    assert notice.kind == NotificationKind.WATCHER_ADDED
    message = render_email(notice)
    assert "added you to the public updates" in message.body
    stop_url = re.search(r"Stop these messages: (\S+)", message.body).group(1)
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert open_ticket.get_absolute_url() not in message.body  # a page they could not open
    path = stop_url.removeprefix("http://127.0.0.1:8000")
    # Opening the link asks (mail systems' link checkers open links); the button, or the mail client's
    # one-click POST, stops.
    asked = client.get(path)
    assert asked.status_code == 200 and Watcher.objects.filter(pk=watcher.pk).exists()
    stopped = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200 and 'data-testid="watcher-stopped"' in stopped.content.decode()
    assert not Watcher.objects.exists()
    assert Event.objects.filter(ticket=open_ticket, action="unwatch", actor=None).exists()
    # No more mail to them.
    ticket_services.comment_add(ticket=open_ticket, by=technician, body="Update for everyone")
    assert not Notification.objects.filter(email="supplier@vendor.example", kind=NotificationKind.REPLY).exists()
    # The link again, and a forged one.
    assert client.post(path).status_code == 200
    assert client.get(path.replace(path.split("/")[-2], "1:forged")).status_code == 404


def test_every_message_to_a_watcher_carries_the_stop_link(technician, open_ticket):
    watcher = Watcher.objects.create(ticket=open_ticket, email="boss@vendor.example", added_by=technician)
    ticket_services.comment_add(ticket=open_ticket, by=technician, body="On it")
    row = Notification.objects.get(email="boss@vendor.example", kind=NotificationKind.REPLY)
    assert row.context["watcher_id"] == watcher.pk
    notification_services.notification_deliver(notification_id=row.pk)
    sent = mail.outbox[-1]
    assert "Stop these messages" in sent.body and "List-Unsubscribe" in sent.extra_headers


def test_a_stop_link_in_mail_sent_before_the_move_still_stops(client, open_ticket):
    """Stop links lived under /notifications/ until watchers moved to the tickets app; sent mail keeps them."""
    watcher = Watcher.objects.create(ticket=open_ticket, email="old.mail@vendor.example")
    old_path = f"/notifications/stop/{watcher_stop_token(watcher.pk)}/"
    assert client.get(old_path).status_code == 200 and Watcher.objects.filter(pk=watcher.pk).exists()
    assert client.post(old_path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Watcher.objects.exists()
