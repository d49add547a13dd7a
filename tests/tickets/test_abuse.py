"""The desk is not a machine for making work: one ticket per form, and limits on what creates work or mail."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Comment, Event, EventKind, Ticket


def _submit(client, **extra):
    data = {"subject": "The screen flickers", "impact": 2, "urgency": 2, **extra}
    return client.post(reverse("tickets:submit"), data)


@pytest.mark.django_db
def test_the_same_form_posted_twice_makes_one_ticket(client_for, requester):
    client = client_for(requester)
    form = client.get(reverse("tickets:submit")).context["form"]
    key = form["submission"].value()
    assert len(key) >= 20
    assert client.get(reverse("tickets:submit")).context["form"]["submission"].value() != key  # new each time
    first = _submit(client, submission=key)
    again = _submit(client, submission=key)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    ticket = Ticket.objects.get()
    assert ticket.submission_key == key
    assert Event.objects.filter(ticket=ticket, kind=EventKind.CREATED).count() == 1
    # Another form is another ticket.
    _submit(client, submission="another-form-key-0123456789")
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_key_is_the_requesters_own(requester, requester_2):
    """Someone who learns another person's key only files a ticket of their own with it."""
    mine = services.ticket_create(
        by=requester, requester=requester.employee, subject="A", impact=2, urgency=2, submission_key="k" * 22
    )
    theirs = services.ticket_create(
        by=requester_2, requester=requester_2.employee, subject="B", impact=2, urgency=2, submission_key="k" * 22
    )
    assert mine.pk != theirs.pk
    assert theirs.requester == requester_2.employee


@pytest.mark.django_db
def test_a_call_logged_twice_is_logged_once(client_for, coordinator, requester):
    client = client_for(coordinator)
    data = {
        "requester": requester.employee.employee_number,
        "subject": "Outlook asks for the password",
        "impact": 3,
        "urgency": 2,
        "minutes": 7,
        "resolve_now": "on",
        "resolution_code": "fixed",
        "resolution_notes": "Cleared the stored credentials.",
        "submission": client.get(reverse("tickets:log_call")).context["form"]["submission"].value(),
    }
    assert client.post(reverse("tickets:log_call"), data).status_code == 302
    assert client.post(reverse("tickets:log_call"), data).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.time_spent_minutes == 7
    assert list(Event.objects.filter(ticket=ticket).values_list("kind", flat=True).order_by("pk")) == [
        EventKind.CREATED,
        EventKind.REPLIED,  # the call was the first response
        EventKind.TIME_LOGGED,
        EventKind.STATUS_CHANGED,
    ]


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_the_same_moment_make_one_ticket(requester):
    """The second insert waits on the first's unique key, then finds its ticket: a real race on PostgreSQL."""
    employee = requester.employee
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, int] = {}

    def first():
        try:
            with transaction.atomic():
                ticket = services.ticket_create(
                    by=requester, requester=employee, subject="Twice", impact=2, urgency=2, submission_key="same" * 6
                )
                inserted.set()
                release.wait(timeout=20)
            results["first"] = ticket.pk
        finally:
            connections.close_all()

    def second():
        try:
            inserted.wait(timeout=20)
            ticket = services.ticket_create(
                by=requester, requester=employee, subject="Twice", impact=2, urgency=2, submission_key="same" * 6
            )
            results["second"] = ticket.pk
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inserted.wait(timeout=20)
    _wait_until_a_backend_waits_on_a_lock()
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert results["first"] == results["second"]
    assert Ticket.objects.count() == 1


def _wait_until_a_backend_waits_on_a_lock():
    """Until the second insert is queued behind the first's row (bounded: a few seconds of short waits)."""
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            cursor.execute("SELECT pg_sleep(0.02)")  # a wait for another process, not for time to pass
    raise AssertionError("the second insert never waited on the first")


@pytest.mark.django_db
def test_a_requester_past_the_limit_is_told_and_loses_nothing(client_for, requester, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ticket_create": "2/h"}
    client = client_for(requester)
    assert _submit(client).status_code == 302
    assert _submit(client).status_code == 302
    refused = _submit(client, subject="A third problem", description="It beeps")
    assert refused.status_code == 429
    assert "many problems in a short time" in refused.content.decode()
    form = refused.context["form"]
    assert form.data["subject"] == "A third problem" and form.data["description"] == "It beeps"
    assert Ticket.objects.count() == 2
    # Forms that do not validate do not count against the limit.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ticket_create": "3/h"}
    assert _submit(client, subject="").status_code == 200
    assert _submit(client).status_code == 302


@pytest.mark.django_db
def test_replies_are_limited_per_person(client_for, requester, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment_add": "2/h"}
    ticket = factories.TicketFactory(requester=requester.employee)
    client = client_for(requester)
    url = reverse("tickets:reply", kwargs={"number": ticket.pk})
    assert client.post(url, {"body": "one"}).status_code == 302
    assert client.post(url, {"body": "two"}).status_code == 302
    refused = client.post(url, {"body": "three, and important"})
    assert refused.status_code == 429
    assert refused.context["comment_form"]["body"].value() == "three, and important"
    assert "many replies in a short time" in refused.content.decode()
    assert Comment.objects.filter(ticket=ticket).count() == 2
