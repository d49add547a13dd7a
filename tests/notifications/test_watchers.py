import pytest
from django.urls import reverse

from notifications.models import Watcher
from tests import factories
from tickets.models import Event, EventKind

pytestmark = pytest.mark.django_db


def test_a_requester_adds_a_colleague_who_then_hears_public_updates(client_for, requester, open_ticket):
    colleague = factories.UserFactory(email="colleague@example.org")
    response = client_for(requester).post(
        reverse("notifications:watcher_add", args=[open_ticket.pk]), {"email": "Colleague@Example.org"}
    )
    assert response.status_code == 302
    watcher = Watcher.objects.get(ticket=open_ticket)
    assert watcher.user == colleague
    assert Event.objects.filter(ticket=open_ticket, kind=EventKind.WATCHERS_CHANGED, is_public=False).exists()
    page = client_for(requester).get(open_ticket.get_absolute_url()).content.decode()
    assert "colleague@example.org" in page


def test_an_outside_address_can_watch(client_for, technician, open_ticket):
    client_for(technician).post(
        reverse("notifications:watcher_add", args=[open_ticket.pk]), {"email": "boss@vendor.example"}
    )
    assert Watcher.objects.get(ticket=open_ticket).email == "boss@vendor.example"


@pytest.mark.parametrize(
    ("email", "message"),
    [("not-an-address", "Enter a valid email address"), ("rita.requester@example.org", "hears of every update")],
)
def test_bad_watchers_get_a_message_beside_the_field(client_for, requester, open_ticket, email, message):
    response = client_for(requester).post(reverse("notifications:watcher_add", args=[open_ticket.pk]), {"email": email})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Watcher.objects.exists()


def test_a_twice_added_watcher_is_refused(client_for, technician, open_ticket):
    url = reverse("notifications:watcher_add", args=[open_ticket.pk])
    client_for(technician).post(url, {"email": "boss@vendor.example"})
    response = client_for(technician).post(url, {"email": "BOSS@vendor.example"})
    assert "already follows" in response.content.decode()
    assert Watcher.objects.count() == 1


def test_someone_elses_ticket_is_a_404_for_watchers(client_for, requester_2, open_ticket):
    response = client_for(requester_2).post(
        reverse("notifications:watcher_add", args=[open_ticket.pk]), {"email": "spy@example.org"}
    )
    assert response.status_code == 404
    watcher = Watcher.objects.create(ticket=open_ticket, email="x@example.org")
    assert client_for(requester_2).post(reverse("notifications:watcher_remove", args=[watcher.pk])).status_code == 404
    assert Watcher.objects.filter(pk=watcher.pk).exists()


def test_removing_a_watcher(client_for, requester, open_ticket):
    watcher = Watcher.objects.create(ticket=open_ticket, email="x@example.org")
    response = client_for(requester).post(reverse("notifications:watcher_remove", args=[watcher.pk]))
    assert response.status_code == 302
    assert not Watcher.objects.exists()
    assert Event.objects.filter(ticket=open_ticket, action="unwatch").exists()
