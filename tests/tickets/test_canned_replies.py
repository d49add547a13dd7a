"""Canned replies: placeholders filled in each requester's language, shared and private replies, what a
reply brings (a status, minutes logged), its use counted, and the reply box that inserts it."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from tests import factories
from tickets import forms, services
from tickets.models import CannedReply, Comment, Event, EventKind, TicketStatus
from tickets.workflow import ActorNotAllowed

pytestmark = pytest.mark.django_db

# The same reply in every language the desk speaks, each with all four placeholders.
TEXTS = {
    "en": "Hello {first_name}, about {ticket} ({device}): please restart it and tell us. {technician}",
    "sv": "Hej {first_name}! Om {ticket} ({device}): starta om och berätta för oss. {technician}",
    "es": "Hola {first_name}, sobre {ticket} ({device}): reinícielo y díganos. {technician}",
    "nb": "Hei {first_name}, om {ticket} ({device}): start den på nytt og si fra. {technician}",
    "nl": "Hallo {first_name}, over {ticket} ({device}): herstart en laat het ons weten. {technician}",
    "pl": "Dzień dobry {first_name}, w sprawie {ticket} ({device}): proszę zrestartować i dać znać. {technician}",
}


@pytest.fixture
def restart(coordinator):
    return services.canned_reply_create(
        by=coordinator,
        shared=True,
        title="Restart and tell us",
        body=TEXTS["en"],
        bodies={code: text for code, text in TEXTS.items() if code != "en"},
        then="wait_on_requester",
        minutes=5,
    )


@pytest.fixture
def held(coordinator, technician, requester):
    device = factories.DeviceFactory(asset_tag="LT-0042", manufacturer="Lenovo", model="T14")
    ticket = services.ticket_create(
        by=coordinator, requester=requester.employee, subject="Wi-Fi drops", device=device, impact=3, urgency=2
    )
    ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    return services.ticket_start(ticket=ticket, by=technician)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_placeholders_are_filled_in_every_language(restart, technician, coordinator, language):
    user = factories.UserFactory(role=Role.REQUESTER, first_name="Åsa", language=language)
    employee = factories.EmployeeFactory(user=user, first_name="Åsa", email=user.email)
    device = factories.DeviceFactory(asset_tag="PR-7", manufacturer="HP", model="LaserJet")
    ticket = services.ticket_create(
        by=coordinator, requester=employee, subject="Printer", device=device, impact=3, urgency=2
    )
    ticket.language = ""  # as logged by phone: the requester's own language decides
    text = services.canned_reply_fill(restart, ticket=ticket, by=technician)
    expected = (
        TEXTS[language]
        .replace("{first_name}", "Åsa")
        .replace("{ticket}", ticket.reference)
        .replace("{device}", "PR-7 · HP LaserJet")
        .replace("{technician}", technician.get_full_name())
    )
    assert text == expected
    assert "{" not in text


def test_a_language_without_its_own_text_falls_back_and_nothing_else_is_substituted(coordinator, technician, held):
    reply = services.canned_reply_create(
        by=coordinator, shared=True, title="Braces", body="{first_name} {unknown} {ticket.requester.user}", bodies={}
    )
    text = services.canned_reply_fill(reply, ticket=held, by=technician)
    assert text == "Rita {unknown} {ticket.requester.user}"


def test_the_form_points_at_a_mistyped_placeholder():
    form = forms.CannedReplyForm({"title": "x", "body": "Hi {firstname}", "body_sv": "Hej {first_name}"})
    assert not form.is_valid()
    assert "No such placeholder: {firstname}" in form.errors["body"][0]
    assert "body_sv" not in form.errors


def test_shared_replies_are_the_coordinators_and_private_ones_their_owners(coordinator, technician, technician_t2):
    with pytest.raises(ActorNotAllowed):
        services.canned_reply_create(by=technician, shared=True, title="x", body="y")
    mine = services.canned_reply_create(by=technician, shared=False, title="Mine", body="Only me")
    assert mine.owner == technician
    shared = services.canned_reply_create(by=coordinator, shared=True, title="Ours", body="All of us")
    assert set(services.replies.canned_replies_for(technician)) == {mine, shared}
    assert set(services.replies.canned_replies_for(technician_t2)) == {shared}
    with pytest.raises(ActorNotAllowed):
        services.canned_reply_update(reply=shared, by=technician, title="Mine now", body="x")
    with pytest.raises(ActorNotAllowed):
        services.canned_reply_delete(reply=mine, by=technician_t2)


def test_a_canned_reply_brings_its_status_and_time_and_is_counted(restart, held, technician):
    services.reply_with_canned(
        ticket=held, by=technician, reply=restart, body="Please restart it.", then=restart.then, minutes=5
    )
    held.refresh_from_db()
    restart.refresh_from_db()
    assert held.status == TicketStatus.WAITING_REQUESTER
    assert held.time_spent_minutes == 5
    assert restart.use_count == 1
    assert Comment.objects.filter(ticket=held, body="Please restart it.", is_internal=False).exists()
    assert Event.objects.filter(ticket=held, kind=EventKind.TIME_LOGGED, note=restart.title).exists()


def test_an_assigned_ticket_is_started_before_it_waits(restart, coordinator, technician, requester):
    ticket = services.ticket_create(by=coordinator, requester=requester.employee, subject="x", impact=3, urgency=2)
    ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    services.reply_with_canned(ticket=ticket, by=technician, reply=restart, body="Restart.", then="wait_on_requester")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_REQUESTER


def test_the_reply_box_inserts_it_and_the_post_carries_what_follows(client_for, restart, held, technician):
    client = client_for(technician)
    page = client.get(held.get_absolute_url()).content.decode()
    assert 'data-testid="canned-insert"' in page and "Restart and tell us" in page
    filled = client.get(held.get_absolute_url(), {"canned": restart.pk}).content.decode()
    assert "Hello Rita, about " + held.reference in filled
    assert 'name="reply-then"' in filled and 'name="reply-canned"' in filled
    fill = client.get(reverse("tickets:canned_fill", args=[held.pk, restart.pk])).json()
    assert fill["then"] == "wait_on_requester" and fill["minutes"] == 5 and fill["text"].startswith("Hello Rita")
    response = client.post(
        reverse("tickets:reply", args=[held.pk]),
        {
            "reply-body": "Hello Rita, please restart.",
            "reply-canned": restart.pk,
            "reply-then": "",
            "reply-minutes": "3",
        },
    )
    assert response.status_code == 302
    held.refresh_from_db()
    restart.refresh_from_db()
    # The technician changed what follows: no status change, three minutes.
    assert held.status == TicketStatus.IN_PROGRESS and held.time_spent_minutes == 3
    assert restart.use_count == 1


def test_requesters_get_no_canned_replies_and_another_technicians_private_one_is_404(
    client_for, held, requester, technician, technician_t2
):
    private = services.canned_reply_create(by=technician_t2, shared=False, title="Tom's", body="x")
    assert 'data-testid="canned-insert"' not in client_for(requester).get(held.get_absolute_url()).content.decode()
    client = client_for(technician)
    assert client.get(reverse("tickets:canned_fill", args=[held.pk, private.pk])).status_code == 404
    assert client.get(reverse("tickets:canned_edit", args=[private.pk])).status_code == 404
    assert client_for(requester).get(reverse("tickets:canned_list")).status_code == 403


def test_the_pages_create_edit_and_list_with_usage(client_for, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    response = client.post(
        reverse("tickets:canned_create"),
        {
            "title": "Password reset",
            "body": "Hi {first_name}, done.",
            "body_sv": "Hej {first_name}, klart.",
            "shared": "on",
            "then": "",
            "minutes": "2",
        },
    )
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert reply.owner is None and reply.bodies == {"sv": "Hej {first_name}, klart."} and reply.minutes == 2
    bad = client.post(reverse("tickets:canned_edit", args=[reply.pk]), {"title": "Password reset", "body": "{oops}"})
    assert bad.status_code == 400 and "No such placeholder" in bad.content.decode()
    for index in range(5):
        CannedReply.objects.create(title=f"R{index}", body="x")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("tickets:canned_list"))
    assert page.content.decode().count('data-testid="canned-reply"') == 6
