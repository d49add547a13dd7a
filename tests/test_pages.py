"""Styled error pages, the health check and the demo organisation."""

import pytest
from django.core.management import call_command
from django.urls import path

from accounts.models import Role, User
from assets.models import Device, DeviceAssignment, Employee
from helpdesk.management.commands.demo_load import DEMO_PASSWORD


def broken_view(request):
    raise RuntimeError("secret traceback detail")


urlpatterns = [path("broken/", broken_view)]


@pytest.mark.django_db
def test_unknown_url_gives_the_styled_404_page(client_for, requester):
    response = client_for(requester).get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.test_pages")
def test_an_error_gives_the_styled_500_page_without_a_traceback(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret traceback detail" not in body
    assert "Traceback" not in body


@pytest.mark.django_db
def test_health_check_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.content == b"ok"


@pytest.mark.django_db
def test_demo_organisation_loads_once_with_every_role():
    call_command("demo_load")
    users = User.objects.count()
    call_command("demo_load")
    assert User.objects.count() == users
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {Role.REQUESTER, Role.TECHNICIAN, Role.COORDINATOR, Role.MANAGER}
    assert User.objects.filter(role=Role.TECHNICIAN).count() == 6
    assert set(User.objects.filter(role=Role.TECHNICIAN).values_list("technician_profile__tier", flat=True)) == {
        1,
        2,
        3,
    }
    assert Employee.objects.count() == 30
    assert Device.objects.count() == 40
    assert (
        DeviceAssignment.objects.filter(ended_at__isnull=True).count()
        == Device.objects.filter(assigned_to__isnull=False).count()
    )
    assert User.objects.get(email="cora@demo.example").check_password(DEMO_PASSWORD)
    from notifications.models import Notification
    from tickets.models import Ticket, TicketStatus

    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses == set(TicketStatus.values)
    assert Ticket.objects.count() >= 30
    assert not Notification.objects.exclude(status="sent").exists()  # history, not news


@pytest.mark.django_db
def test_demo_organisation_scales_with_size():
    call_command("demo_load", size=5)
    assert Employee.objects.count() == 150
    assert Device.objects.count() == 200


@pytest.mark.django_db
def test_the_quick_start_runs_every_periodic_job_in_process():
    from io import StringIO

    out = StringIO()
    call_command("periodic_run", once=True, stdout=out)
    assert "tickets-close-resolved" in out.getvalue()
    assert "notifications-requeue-stuck" in out.getvalue()
    assert "attachments-remove-orphans" in out.getvalue()


def test_the_quick_starts_periodic_jobs_find_their_tasks_in_a_fresh_process(tmp_path):
    """As `make run` starts it: its own process, SQLite, no worker ever imported the tasks."""
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="helpdesk.settings")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    done = subprocess.run(
        [*manage, "periodic_run", "--once"], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    assert "tickets-check-sla" in done.stdout
    assert "failed" not in done.stderr and "NotRegistered" not in done.stderr
