"""Held mail: a message from an unknown address waits for a coordinator, who opens a ticket from it for an
employee or sets it aside; the page is for those who triage, and runs a fixed number of queries."""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.held import held_message_open
from intake.models import InboundMessage, InboundStatus
from intake.services import message_receive
from tests import factories
from tests.fixtures.html_ids import id_problems
from tests.intake.mail import raw
from tickets.models import Channel, Event, EventKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = "Help desk <helpdesk@localhost>"


def held_from(address: str, number: int = 1) -> InboundMessage:
    message = (
        raw("plain.eml")
        .replace(b"Rita Requester <Rita.Requester@Example.org>", address.encode())
        .replace(b"<plain-1@mail.example.org>", f"<held-{number}@mail.example.org>".encode())
    )
    row = message_receive(raw=message)
    assert row.status == InboundStatus.HELD, row.reason
    return row


@pytest.fixture
def employee(db):
    return factories.EmployeeFactory(first_name="Nils", last_name="Nyström", email="nils@example.org")


def test_a_held_message_keeps_what_a_coordinator_needs(db):
    row = held_from("someone@elsewhere.example")

    assert row.preview.startswith("Hello,\n\nthe printer next to the kitchen prints only blank pages")
    assert row.original.read() == raw("plain.eml").replace(
        b"Rita Requester <Rita.Requester@Example.org>", b"someone@elsewhere.example"
    ).replace(b"<plain-1@mail.example.org>", b"<held-1@mail.example.org>")


def test_a_coordinator_opens_a_ticket_from_it_for_the_employee(
    client_for, coordinator, employee, django_capture_on_commit_callbacks
):
    row = held_from("nils.private@elsewhere.example")
    stored = row.original.path

    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intake:held_open", args=[row.pk]), {f"held-{row.pk}-employee": employee.employee_number}
        )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel) == (employee, Channel.EMAIL)
    assert ticket.subject == "Printer on floor 3 prints blank pages"
    assert [a.original_name for a in ticket.attachments.all()] == ["original.eml"]
    assert Event.objects.get(ticket=ticket, kind=EventKind.CREATED).actor == coordinator
    row.refresh_from_db()
    assert (row.status, row.ticket, row.handled_by, row.original.name) == (
        InboundStatus.TICKET,
        ticket,
        coordinator,
        "",
    )
    assert f"opened {ticket.reference} from it for" in row.reason
    assert not os.path.exists(stored)  # the ticket keeps its copy; the waiting one is gone
    page = client.get(response["Location"])
    assert ticket.reference in page.content.decode()


def test_set_aside_keeps_the_row_and_opens_nothing(client_for, coordinator):
    row = held_from("newsletter@elsewhere.example")

    client_for(coordinator).post(reverse("intake:held_dismiss", args=[row.pk]))

    row.refresh_from_db()
    assert (row.status, row.handled_by) == (InboundStatus.IGNORED, coordinator)
    assert "Set aside by" in row.reason
    assert not Ticket.objects.exists()


def test_a_message_handled_by_another_coordinator_is_said_not_opened_twice(client_for, coordinator, employee):
    row = held_from("nils.private@elsewhere.example")
    other = factories.UserFactory(email="carl@example.org", first_name="Carl", last_name="C", role="coordinator")
    held_message_open(message_id=row.pk, employee=employee, by=other)

    response = client_for(coordinator).post(
        reverse("intake:held_open", args=[row.pk]), {f"held-{row.pk}-employee": employee.employee_number}, follow=True
    )

    assert "Carl C has already handled this message." in response.content.decode()
    assert Ticket.objects.count() == 1


def test_an_unknown_employee_is_said_beside_the_field_and_nothing_changes(client_for, coordinator):
    row = held_from("nils.private@elsewhere.example")

    response = client_for(coordinator).post(
        reverse("intake:held_open", args=[row.pk]), {f"held-{row.pk}-employee": "E-404"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "No active employee has the number or email" in html
    assert f'id="error_1_id_held-{row.pk}-employee"' in html or "is-invalid" in html
    assert id_problems(html) == []
    row.refresh_from_db()
    assert row.status == InboundStatus.HELD
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("who", ["requester", "technician"])
def test_only_those_who_triage_see_held_mail(client_for, request, who):
    row = held_from("nils.private@elsewhere.example")
    client = client_for(request.getfixturevalue(who))

    assert client.get(reverse("intake:held")).status_code == 403
    assert client.post(reverse("intake:held_dismiss", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.status == InboundStatus.HELD


def test_a_message_that_does_not_exist_is_404(client_for, coordinator):
    assert client_for(coordinator).post(reverse("intake:held_dismiss", args=[999999])).status_code == 404


def test_the_page_runs_the_same_queries_for_one_message_or_many(client_for, coordinator):
    client = client_for(coordinator)
    held_from("one@elsewhere.example", 1)
    client.get(reverse("intake:held"))  # the session and the caches warmed
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse("intake:held"))
    for number in range(2, 8):
        held_from(f"other-{number}@elsewhere.example", number)
    with CaptureQueriesContext(connection) as many:
        second = client.get(reverse("intake:held"))

    assert first.status_code == second.status_code == 200
    assert len(many) == len(one)
    html = second.content.decode()
    assert html.count('data-testid="held-message"') == 7
    assert id_problems(html) == []


def test_a_message_held_before_its_text_was_kept_is_said_not_a_500(client_for, coordinator, employee):
    row = held_from("nils.private@elsewhere.example")
    InboundMessage.objects.filter(pk=row.pk).update(original="")

    response = client_for(coordinator).post(
        reverse("intake:held_open", args=[row.pk]), {f"held-{row.pk}-employee": employee.employee_number}, follow=True
    )

    assert response.status_code == 200
    assert "did not keep this message" in response.content.decode()
    assert not Ticket.objects.exists()
    row.refresh_from_db()
    assert row.status == InboundStatus.HELD
