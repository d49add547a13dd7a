"""Projects and facilities work: a coordinator creates a project, files tickets under it, and follows it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Event, EventKind, Project, Ticket
from tickets.workflow import ActorNotAllowed

pytestmark = pytest.mark.django_db


def test_coordinator_creates_a_project_and_files_tickets(client_for, coordinator, requester):
    pm = factories.EmployeeFactory(employee_number="E-PM1")
    facilities = factories.EmployeeFactory(email="fred.facilities@example.org")
    building_c = factories.LocationFactory(building="C")
    client = client_for(coordinator)
    response = client.post(
        reverse("tickets:project_create"),
        {
            "name": "Move to building C: network cabling for 40 desks",
            "project_manager": "e-pm1",
            "facilities_contact": "Fred.Facilities@example.org",
            "location": building_c.pk,
            "starts_on": "2026-04-01",
            "ends_on": "2026-04-30",
            "status": "active",
        },
    )
    project = Project.objects.get()
    assert response["Location"] == project.get_absolute_url()
    assert (project.project_manager, project.facilities_contact, project.created_by) == (pm, facilities, coordinator)
    tickets = [factories.TicketFactory(requester=requester.employee) for _index in range(2)]
    response = client.post(
        reverse("tickets:project_file_tickets", args=[project.pk]),
        {"numbers": f"HD-{tickets[0].pk}, {tickets[1].pk}"},
        follow=True,
    )
    assert f"Filed under this project: HD-{tickets[0].pk}, HD-{tickets[1].pk}." in [
        str(m) for m in response.context["messages"]
    ]
    assert set(project.tickets.values_list("pk", flat=True)) == {t.pk for t in tickets}
    event = Event.objects.filter(kind=EventKind.PROJECT_CHANGED).first()
    assert event.actor == coordinator and not event.is_public
    page = client.get(tickets[0].get_absolute_url()).content.decode()
    assert "filed the ticket under the project Move to building C" in page


def test_project_form_rejects_unknown_people_and_backwards_dates(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("tickets:project_create"),
        {
            "name": "X",
            "project_manager": "nobody",
            "starts_on": "2026-04-30",
            "ends_on": "2026-04-01",
            "status": "active",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "No employee has the number or email “nobody”." in body
    assert not Project.objects.exists()


def test_filing_unknown_tickets_files_nothing(client_for, coordinator):
    project = factories.ProjectFactory()
    ticket = factories.TicketFactory()
    response = client_for(coordinator).post(
        reverse("tickets:project_file_tickets", args=[project.pk]),
        {"numbers": f"HD-{ticket.pk} HD-999999"},
        follow=True,
    )
    assert "There are no tickets HD-999999." in [str(m) for m in response.context["messages"]]
    ticket.refresh_from_db()
    assert ticket.project is None


def test_progress_by_status_and_tier_and_time_spent(client_for, technician):
    project = factories.ProjectFactory()
    factories.TicketFactory(project=project, status="new", tier=1, time_spent_minutes=0)
    factories.TicketFactory(project=project, status="in_progress", tier=2, assignee=technician, time_spent_minutes=30)
    factories.TicketFactory(project=project, status="resolved", tier=2, time_spent_minutes=45)
    factories.TicketFactory(project=project, status="closed", tier=1, time_spent_minutes=15)
    factories.TicketFactory(project=project, status="cancelled", tier=1)
    factories.TicketFactory(status="new")  # another project's, or none
    response = client_for(technician).get(project.get_absolute_url())
    progress = response.context["progress"]
    assert (progress["total"], progress["open"], progress["resolved"], progress["percent_done"]) == (5, 2, 2, 50)
    assert progress["minutes"] == 90
    assert [(tier, open_, done) for tier, _label, open_, done in progress["by_tier"]] == [
        (1, 1, 1),
        (2, 1, 1),
        (3, 0, 0),
    ]
    body = response.content.decode()
    assert "2 open, 2 resolved, 5 in all." in body
    assert "Time spent so far: 90 minutes." in body
    # The bar's width is a class (the Content-Security-Policy refuses style=""); the figure stays exact.
    assert '<div class="progress-bar bg-success w-pct-50">50%</div>' in body
    assert response.context["file_form"] is None  # technicians follow projects, coordinators run them


def test_who_may_see_and_manage_projects(client_for, requester, technician, coordinator):
    project = factories.ProjectFactory()
    for url in (reverse("tickets:project_list"), project.get_absolute_url()):
        assert client_for(requester).get(url).status_code == 403
        assert client_for(technician).get(url).status_code == 200
    assert client_for(technician).get(reverse("tickets:project_create")).status_code == 403
    assert client_for(technician).get(reverse("tickets:project_edit", args=[project.pk])).status_code == 403
    assert client_for(coordinator).get(reverse("tickets:project_edit", args=[project.pk])).status_code == 200
    with pytest.raises(ActorNotAllowed):
        services.ticket_set_project(ticket=factories.TicketFactory(), by=technician, project=project)


def test_edit_a_project(client_for, coordinator):
    project = factories.ProjectFactory(name="Old name")
    client_for(coordinator).post(
        reverse("tickets:project_edit", args=[project.pk]),
        {"name": "New name", "project_manager": project.project_manager.employee_number, "status": "done"},
    )
    project.refresh_from_db()
    assert (project.name, project.status) == ("New name", "done")


@pytest.mark.parametrize("page", ["detail", "list"])
def test_project_pages_run_a_fixed_number_of_queries(
    client_for, coordinator, technician, django_assert_num_queries, page
):
    project = factories.ProjectFactory()
    category = factories.CategoryFactory(parent=factories.CategoryFactory())

    def fill(count):
        factories.ProjectFactory()
        for _index in range(count):
            factories.TicketFactory(project=project, category=category, assignee=technician, status="in_progress")
            factories.TicketFactory(project=project, device=factories.DeviceFactory(), status="resolved")

    url = project.get_absolute_url() if page == "detail" else reverse("tickets:project_list")
    client = client_for(coordinator)
    fill(3)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    fill(27)
    with django_assert_num_queries(len(small)):
        client.get(url)
    assert Ticket.objects.filter(project=project).count() == 60


def test_the_project_form_suggests_people_and_takes_a_suggestion(client_for, coordinator):
    """The project manager and facilities contact are the staff pickers of the asset pages: suggestions as one
    types (employee_lookup into the field's own datalist), and a picked suggestion is taken."""
    project = factories.ProjectFactory(name="Cabling")
    client = client_for(coordinator)
    form = client.get(reverse("tickets:project_edit", args=[project.pk])).content.decode()
    assert 'list="project_manager-options"' in form and '<datalist id="project_manager-options"></datalist>' in form
    assert f'data-hx-get="{reverse("assets:employee_lookup")}"' in form
    assert f'value="{project.project_manager.employee_number}"' in form  # the saved person, by number
    anna = factories.EmployeeFactory(employee_number="E1001", first_name="Anna", last_name="Berg")
    suggestions = client.get(reverse("assets:employee_lookup"), {"project_manager": "Anna"}).content.decode()
    assert '<option value="E1001">Anna Berg' in suggestions  # picking it puts the number in the field
    client.post(
        reverse("tickets:project_edit", args=[project.pk]),
        {"name": "Cabling", "project_manager": "E1001", "status": "active"},
    )
    project.refresh_from_db()
    assert project.project_manager == anna
    # Someone who has left can still be named, by number (the suggestions offer current staff only).
    left = factories.EmployeeFactory(employee_number="E1002", is_active=False)
    client.post(
        reverse("tickets:project_edit", args=[project.pk]),
        {"name": "Cabling", "project_manager": "e1002", "status": "active"},
    )
    project.refresh_from_db()
    assert project.project_manager == left
