"""Known problems: told to the organisation on its pages and beside the report form, "Me too" instead of a
new ticket (counted as a ticket avoided), every update to every follower, and down when resolved."""

import pytest
from django.urls import reverse

from accounts.models import Role
from notifications.models import Notification, NotificationChannel
from tests import factories
from tickets import services
from tickets.models import KnownProblem, Watcher
from tickets.notices.kinds import NotificationKind
from tickets.workflow import ActorNotAllowed, WorkflowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def outage(coordinator, technician, requester):
    mail = factories.CategoryFactory(name="Email")
    hq = factories.LocationFactory(site="HQ")
    ticket = services.ticket_create(
        by=coordinator, requester=requester.employee, subject="Mail is down", category=mail, impact=1, urgency=1
    )
    ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    problem = services.known_problem_publish(
        ticket=ticket, by=coordinator, public_text="Mail is down since 09:10; we are on it.", categories=[mail],
        locations=[hq],
    )  # fmt: skip
    return ticket, problem, mail, hq


def _colleague(location, first_name="Lena"):
    user = factories.UserFactory(role=Role.REQUESTER, first_name=first_name)
    factories.EmployeeFactory(user=user, first_name=first_name, email=user.email, location=location)
    return user


def test_only_coordinators_publish_and_the_timeline_says_so(outage, technician):
    ticket, problem, _mail, _hq = outage
    assert problem.is_showing and ticket.known_problem == problem
    with pytest.raises(ActorNotAllowed):
        services.known_problem_publish(ticket=ticket, by=technician, public_text="x")
    assert ticket.events.filter(kind="known_problem", action="publish", is_public=True).exists()


def test_the_people_of_its_location_read_it_and_say_me_too(client_for, outage):
    ticket, problem, _mail, hq = outage
    lena = _colleague(hq)
    elsewhere = _colleague(factories.LocationFactory(site="Depot"), "Olof")
    client = client_for(lena)
    for url in (reverse("tickets:mine"), reverse("tickets:submit")):
        page = client.get(url).content.decode()
        assert "Mail is down since 09:10; we are on it." in page and 'data-testid="me-too"' in page
    assert "Mail is down since" not in client_for(elsewhere).get(reverse("tickets:mine")).content.decode()
    response = client.post(reverse("tickets:me_too", args=[problem.pk]))
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert Watcher.objects.filter(ticket=ticket, user=lena).exists()
    problem.refresh_from_db()
    assert problem.me_too_count == 1
    client.post(reverse("tickets:me_too", args=[problem.pk]))  # twice is once
    problem.refresh_from_db()
    assert problem.me_too_count == 1
    # They follow it now: they read its public page, and their pages say so.
    assert client.get(ticket.get_absolute_url()).status_code == 200
    assert "You follow it" in client.get(reverse("tickets:mine")).content.decode()


def test_updates_reach_every_follower_and_resolving_tells_them_all_and_takes_it_down(outage, technician, requester):
    ticket, problem, _mail, hq = outage
    followers = [_colleague(hq, name) for name in ("Lena", "Lars", "Lisa")]
    for user in followers:
        services.known_problem_me_too(problem=problem, by=user)
    services.comment_add(ticket=ticket, by=technician, body="The mail server is restarting.")
    for user in followers:
        assert Notification.objects.filter(
            recipient=user, kind=NotificationKind.REPLY, channel=NotificationChannel.EMAIL
        ).exists()
    services.ticket_resolve(ticket=ticket, by=technician, resolution_notes="Mail is back.", resolution_code="fixed")
    for user in [*followers, requester]:
        assert Notification.objects.filter(recipient=user, kind=NotificationKind.RESOLVED).exists()
    problem.refresh_from_db()
    assert not problem.is_showing
    with pytest.raises(WorkflowError):
        services.known_problem_me_too(problem=problem, by=_colleague(hq, "Late"))


def test_the_report_form_marks_each_problem_with_its_categories(client_for, outage):
    _ticket, _problem, mail, hq = outage
    page = client_for(_colleague(hq)).get(reverse("tickets:submit")).content.decode()
    assert f'data-categories="{mail.pk} "' in page and "js/known-problems.js" in page


def test_the_desk_report_counts_tickets_avoided(client_for, outage, manager):
    _ticket, problem, _mail, hq = outage
    for name in ("A", "B"):
        services.known_problem_me_too(problem=problem, by=_colleague(hq, name))
    page = client_for(manager).get(reverse("reports:desk"), {"period": "this_week"}).content.decode()
    assert "Known problems saved 2 tickets" in page


def test_the_ticket_page_offers_publishing_to_coordinators_and_taking_it_down(client_for, outage, coordinator):
    ticket, problem, _mail, _hq = outage
    client = client_for(coordinator)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="known-problem"' in page and "Take it down" in page
    client.post(reverse("tickets:known_problem_take_down", args=[ticket.pk]))
    problem.refresh_from_db()
    assert not problem.is_showing
    form = client.get(reverse("tickets:known_problem", args=[ticket.pk]))
    assert form.status_code == 200
    empty = client.post(reverse("tickets:known_problem", args=[ticket.pk]), {"public_text": "  "})
    assert empty.status_code == 400
    again = client.post(reverse("tickets:known_problem", args=[ticket.pk]), {"public_text": "Still down."})
    assert again.status_code == 302
    assert KnownProblem.objects.get(pk=problem.pk).public_text == "Still down."
