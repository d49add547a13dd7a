"""People, devices, projects and imports through the API: the forms' checks, the services' writes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets.imports import jobs
from assets.models import Device, Employee, ImportJob
from tests import factories
from tickets.models import Project

pytestmark = pytest.mark.django_db


def test_hr_sync_creates_and_updates_an_employee(api_for, coordinator):
    api = api_for(coordinator)
    made = api.post(
        "/api/employees/",
        {"employee_number": "E-77", "first_name": "Ada", "last_name": "Berg", "email": "ADA.BERG@example.org"},
        format="json",
    )
    assert made.status_code == 201, made.json()["errors"]
    employee = Employee.objects.get(employee_number="E-77")
    assert employee.email == "ada.berg@example.org"
    changed = api.patch(f"/api/employees/{employee.pk}/", {"job_title": "Chemist"}, format="json")
    assert changed.status_code == 200 and changed.json()["job_title"] == "Chemist"
    assert Employee.objects.get(pk=employee.pk).first_name == "Ada"  # untouched fields kept


def test_a_taken_employee_number_is_a_400_not_a_500(api_for, coordinator):
    factories.EmployeeFactory(employee_number="E-1")
    answer = api_for(coordinator).post(
        "/api/employees/",
        {"employee_number": "E-1", "first_name": "A", "last_name": "B", "email": "a@example.org"},
        format="json",
    )
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "employee_number"


def test_a_technician_may_not_write_employees(api_for, technician):
    answer = api_for(technician).post("/api/employees/", {"first_name": "x"}, format="json")
    assert answer.status_code == 403


def test_inventory_scripts_create_and_update_devices(api_for, coordinator, technician):
    made = api_for(coordinator).post("/api/devices/", {"asset_tag": "LT-9", "model": "X1"}, format="json")
    assert made.status_code == 201, made.json()["errors"]
    device = Device.objects.get(asset_tag="LT-9")
    changed = api_for(technician).patch(f"/api/devices/{device.pk}/", {"operating_system": "Windows 11"}, format="json")
    assert changed.status_code == 200 and changed.json()["operating_system"] == "Windows 11"
    assert api_for(technician).post("/api/devices/", {"asset_tag": "LT-10"}, format="json").status_code == 403


def test_a_requester_sees_only_their_devices(api_for, requester):
    own = factories.DeviceFactory(assigned_to=requester.employee, status="in_use")
    other = factories.DeviceFactory()
    api = api_for(requester)
    assert [row["id"] for row in api.get("/api/devices/").json()["results"]] == [own.pk]
    assert api.get(f"/api/devices/{other.pk}/").status_code == 404


def test_a_project_needs_its_manager(api_for, coordinator, requester):
    api = api_for(coordinator)
    answer = api.post("/api/projects/", {"name": "Move"}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "project_manager"
    answer = api.post(
        "/api/projects/", {"name": "Move", "project_manager": requester.employee.employee_number}, format="json"
    )
    assert answer.status_code == 201, answer.json()["errors"]
    assert Project.objects.get().project_manager == requester.employee


def test_a_csv_import_runs_as_a_job(api_for, coordinator, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(jobs.import_job_task, "delay", queued.append)
    api = api_for(coordinator)
    csv = b"asset_tag,device_type,model\nIMP-1,laptop,T14\nIMP-2,monitor,P24\n"
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            "/api/imports/",
            {"kind": "devices", "file": SimpleUploadedFile("d.csv", csv, "text/csv")},
            format="multipart",
        )
    assert started.status_code == 202, started.json()
    job = ImportJob.objects.get()
    assert queued == [job.pk] and started.json()["status"] == "queued"
    jobs.import_job_run(job_id=job.pk)
    assert jobs.import_job_run(job_id=job.pk) is None  # delivered twice, run once
    done = api.get(started["Location"]).json()
    assert done["status"] == "done" and done["result"]["created"] == 2
    assert set(Device.objects.values_list("asset_tag", flat=True)) == {"IMP-1", "IMP-2"}


def test_an_import_with_errors_writes_nothing_and_says_where(api_for, coordinator, monkeypatch):
    monkeypatch.setattr(jobs.import_job_task, "delay", lambda job_id: None)
    csv = b"asset_tag,device_type\nOK-1,laptop\nBAD-1,toaster\n"
    api = api_for(coordinator)
    started = api.post(
        "/api/imports/", {"kind": "devices", "file": SimpleUploadedFile("d.csv", csv, "text/csv")}, format="multipart"
    )
    jobs.import_job_run(job_id=started.json()["id"])
    done = api.get(started["Location"]).json()
    assert done["result"]["created"] == 0 and done["result"]["row_errors"][0]["line"] == 3
    assert not Device.objects.exists()


def test_someone_elses_import_is_a_404(api_for, coordinator, manager, monkeypatch):
    monkeypatch.setattr(jobs.import_job_task, "delay", lambda job_id: None)
    job = jobs.import_job_start(by=coordinator, kind="devices", data=b"asset_tag\nA-1\n")
    assert api_for(manager).get(f"/api/imports/{job.pk}/").status_code == 404
    assert api_for(coordinator).get(f"/api/imports/{job.pk}/").status_code == 200
