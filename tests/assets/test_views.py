"""The staff and device pages: who may see and do what, search, filters, sort, export, import page."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assets.models import Device, DeviceAssignment, DeviceStatus, DeviceType, Employee
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = ["requester", "technician", "coordinator", "manager", "outsider"]


def _status_by_persona(request, client_for, method, url, data=None):
    statuses = {}
    for persona in PERSONAS:
        client = client_for(request.getfixturevalue(persona))
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        statuses[persona] = response.status_code
    return statuses


# --- permissions of each role ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("assets:employee_list", {"technician", "coordinator", "manager"}),
        ("assets:employee_export", {"technician", "coordinator", "manager"}),
        ("assets:device_list", {"technician", "coordinator", "manager"}),
        ("assets:device_export", {"technician", "coordinator", "manager"}),
        ("assets:device_create", {"coordinator", "manager"}),
        ("assets:employee_create", {"coordinator", "manager"}),
        ("assets:import", {"coordinator", "manager"}),
        ("assets:places", {"coordinator", "manager"}),
    ],
)
def test_pages_by_role(request, client_for, page, allowed):
    statuses = _status_by_persona(request, client_for, "get", reverse(page))
    assert statuses == {persona: 200 if persona in allowed else 403 for persona in PERSONAS}


def test_pages_need_login(client):
    for page in ("assets:employee_list", "assets:device_list", "assets:import"):
        response = client.get(reverse(page))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_requester_sees_their_own_device_and_record_and_nothing_else(client_for, requester, requester_2):
    mine = factories.DeviceFactory(assigned_to=requester.employee, status=DeviceStatus.IN_USE, notes="secret")
    theirs = factories.DeviceFactory(assigned_to=requester_2.employee)
    client = client_for(requester)

    response = client.get(reverse("assets:device_detail", args=[mine.pk]))
    assert response.status_code == 200
    assert mine.asset_tag in response.text
    assert "secret" not in response.text  # notes and history are for staff
    assert 'data-testid="assignment-history"' not in response.text
    assert client.get(reverse("assets:employee_detail", args=[requester.employee.pk])).status_code == 200

    # Someone else's device answers exactly like one that does not exist.
    assert client.get(reverse("assets:device_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("assets:device_detail", args=[999999])).status_code == 404
    assert client.get(reverse("assets:employee_detail", args=[requester_2.employee.pk])).status_code == 404
    # Changing even their own device is an action their role does not hold.
    assert client.get(reverse("assets:device_edit", args=[mine.pk])).status_code == 403
    assert client.post(reverse("assets:device_retire", args=[mine.pk])).status_code == 403


def test_an_outsider_without_an_employee_record_sees_no_device(client_for, outsider):
    device = factories.DeviceFactory()
    assert client_for(outsider).get(reverse("assets:device_detail", args=[device.pk])).status_code == 404


def test_device_actions_by_role(request, client_for, requester):
    device = factories.DeviceFactory(assigned_to=requester.employee)
    edit = _status_by_persona(request, client_for, "get", reverse("assets:device_edit", args=[device.pk]))
    assign = _status_by_persona(request, client_for, "get", reverse("assets:device_assign", args=[device.pk]))
    assert edit == {"requester": 403, "technician": 200, "coordinator": 200, "manager": 200, "outsider": 403}
    assert assign == {"requester": 403, "technician": 403, "coordinator": 200, "manager": 200, "outsider": 403}


def test_a_technician_may_update_a_device_but_not_assign_or_retire_it(client_for, technician):
    device = factories.DeviceFactory()
    client = client_for(technician)
    response = client.post(
        reverse("assets:device_edit", args=[device.pk]),
        {"asset_tag": device.asset_tag, "device_type": DeviceType.LAPTOP, "status": DeviceStatus.IN_REPAIR},
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_REPAIR
    assert client.post(reverse("assets:device_retire", args=[device.pk])).status_code == 403
    employee = factories.EmployeeFactory()
    response = client.post(reverse("assets:device_assign", args=[device.pk]), {"employee": employee.employee_number})
    assert response.status_code == 403
    assert not device.assignments.exists()
    assert client.get(reverse("assets:employee_edit", args=[employee.pk])).status_code == 403


def test_the_edit_form_does_not_offer_retirement(client_for, technician):
    device = factories.DeviceFactory()
    response = client_for(technician).post(
        reverse("assets:device_edit", args=[device.pk]),
        {"asset_tag": device.asset_tag, "device_type": DeviceType.LAPTOP, "status": DeviceStatus.RETIRED},
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_STOCK


# --- the coordinator's journey ------------------------------------------------------------------------


def test_coordinator_finds_a_laptop_by_asset_tag_sees_its_holder_and_history_and_reassigns_it(client_for, coordinator):
    anna = factories.EmployeeFactory(first_name="Anna", last_name="Berg")
    bo = factories.EmployeeFactory(first_name="Bo", last_name="Ek")
    client = client_for(coordinator)
    client.post(
        reverse("assets:device_create"),
        {"asset_tag": "LT-0042", "device_type": "laptop", "status": "in_stock", "assigned_to": anna.employee_number},
    )
    factories.DeviceFactory.create_batch(3)

    response = client.get(reverse("assets:device_list"), {"q": "lt-0042"})
    assert [d.asset_tag for d in response.context["page"].object_list] == ["LT-0042"]
    device = Device.objects.get(asset_tag="LT-0042")

    page = client.get(reverse("assets:device_detail", args=[device.pk]))
    assert "Anna Berg" in page.text
    assert [a.employee for a in page.context["assignments"]] == [anna]

    response = client.post(reverse("assets:device_assign", args=[device.pk]), {"employee": bo.employee_number})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.assigned_to == bo
    page = client.get(reverse("assets:device_detail", args=[device.pk]))
    assert [a.employee for a in page.context["assignments"]] == [bo, anna]
    assert page.context["assignments"][1].ended_at is not None


def test_assign_accepts_an_email_and_refuses_an_unknown_person(client_for, coordinator):
    device = factories.DeviceFactory()
    anna = factories.EmployeeFactory(email="anna.berg@example.org")
    client = client_for(coordinator)
    response = client.post(reverse("assets:device_assign", args=[device.pk]), {"employee": "nobody@example.org"})
    assert response.status_code == 200
    assert "employee" in response.context["form"].errors
    client.post(reverse("assets:device_assign", args=[device.pk]), {"employee": "Anna.Berg@example.org"})
    device.refresh_from_db()
    assert device.assigned_to == anna
    client.post(reverse("assets:device_assign", args=[device.pk]), {"employee": ""})
    device.refresh_from_db()
    assert (device.assigned_to, device.status) == (None, DeviceStatus.IN_STOCK)


def test_retire_is_a_post(client_for, coordinator):
    device = factories.DeviceFactory(assigned_to=factories.EmployeeFactory(), status=DeviceStatus.IN_USE)
    DeviceAssignment.objects.create(device=device, employee=device.assigned_to, started_at=device.created_at)
    client = client_for(coordinator)
    assert client.get(reverse("assets:device_retire", args=[device.pk])).status_code == 405
    assert client.post(reverse("assets:device_retire", args=[device.pk])).status_code == 302
    device.refresh_from_db()
    assert (device.status, device.assigned_to) == (DeviceStatus.RETIRED, None)
    assert device.assignments.get().ended_at is not None


def test_coordinator_creates_and_edits_an_employee(client_for, coordinator):
    department = factories.DepartmentFactory(name="Finance")
    boss = factories.EmployeeFactory()
    client = client_for(coordinator)
    data = {
        "first_name": "Łucja",
        "last_name": "Sørensen",
        "email": "Lucja@Example.org",
        "employee_number": "E777",
        "department": department.pk,
        "manager": boss.employee_number,
        "is_active": "on",
    }
    response = client.post(reverse("assets:employee_create"), data)
    employee = Employee.objects.get(employee_number="E777")
    assert response["Location"] == employee.get_absolute_url()
    assert (employee.email, employee.manager, employee.department) == ("lucja@example.org", boss, department)

    response = client.post(reverse("assets:employee_edit", args=[employee.pk]), {**data, "job_title": "Auditor"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.job_title == "Auditor"

    response = client.post(
        reverse("assets:employee_edit", args=[employee.pk]), {**data, "manager": employee.employee_number}
    )
    assert "manager" in response.context["form"].errors

    page = client.get(employee.get_absolute_url())
    assert "Finance" in page.text and str(boss) in page.text
    assert 'data-testid="tickets-section"' in page.text


def test_employee_numbers_are_unique_on_the_form(client_for, coordinator):
    factories.EmployeeFactory(employee_number="E1")
    response = client_for(coordinator).post(
        reverse("assets:employee_create"),
        {"first_name": "A", "last_name": "B", "email": "a@example.org", "employee_number": "E1"},
    )
    assert "employee_number" in response.context["form"].errors


def test_departments_and_locations_are_added_by_coordinators(client_for, coordinator, technician):
    client = client_for(coordinator)
    client.post(reverse("assets:department_create"), {"department-name": "Økonomi"})
    client.post(
        reverse("assets:location_create"),
        {"location-site": "HQ", "location-building": "B", "location-floor": "2", "location-room": "214"},
    )
    page = client.get(reverse("assets:places"))
    assert "Økonomi" in page.text and "HQ / B / 2 / 214" in page.text
    assert client_for(technician).post(reverse("assets:department_create"), {"department-name": "X"}).status_code == 403


def test_employee_lookup_suggests_active_staff(client_for, technician, requester):
    factories.EmployeeFactory(first_name="Åsa", last_name="Lind", employee_number="E55")
    factories.EmployeeFactory(first_name="Åsa", last_name="Gone", is_active=False)
    response = client_for(technician).get(reverse("assets:employee_lookup"), {"employee": "åsa"})
    assert 'value="E55"' in response.text
    assert "Gone" not in response.text
    assert client_for(requester).get(reverse("assets:employee_lookup"), {"q": "åsa"}).status_code == 403


# --- the list pages -----------------------------------------------------------------------------------


def _count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_device_list_runs_the_same_queries_for_3_rows_and_for_30(client_for, technician):
    client = client_for(technician)
    url = reverse("assets:device_list")
    department = factories.DepartmentFactory()

    def make(n):
        for _ in range(n):
            holder = factories.EmployeeFactory(department=department)
            factories.DeviceFactory(assigned_to=holder, location=holder.location, status=DeviceStatus.IN_USE)

    make(3)
    few = _count_queries(client, url)
    few_filtered = _count_queries(client, url, {"department": department.pk, "q": "AT", "sort": "-assigned"})
    make(27)
    assert _count_queries(client, url) == few
    assert _count_queries(client, url, {"department": department.pk, "q": "AT", "sort": "-assigned"}) == few_filtered
    assert few <= 8


def test_the_staff_list_runs_the_same_queries_for_3_rows_and_for_30(
    client_for, technician, django_assert_max_num_queries
):
    client = client_for(technician)
    url = reverse("assets:employee_list")
    boss = factories.EmployeeFactory()

    def make(n):
        for _ in range(n):
            employee = factories.EmployeeFactory(manager=boss)
            factories.DeviceFactory.create_batch(2, assigned_to=employee)

    make(3)
    few = _count_queries(client, url)
    make(27)
    with django_assert_max_num_queries(few):
        response = client.get(url, {"sort": "-devices"})
    assert len(response.context["page"].object_list) == 31
    assert _count_queries(client, url) == few


def test_lists_are_paginated_by_50(client_for, technician):
    factories.DeviceFactory.create_batch(51)
    client = client_for(technician)
    first = client.get(reverse("assets:device_list"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("assets:device_list"), {"page": 2})
    assert [d.asset_tag for d in second.context["page"].object_list] == [
        Device.objects.order_by("-asset_tag")[0].asset_tag
    ]


def test_staff_search_by_name_email_or_number_and_filters(client_for, technician):
    finance = factories.DepartmentFactory(name="Finance")
    anna = factories.EmployeeFactory(first_name="Anna", last_name="Żak", email="anna@example.org", department=finance)
    bo = factories.EmployeeFactory(first_name="Bo", last_name="Ek", employee_number="X-9", is_active=False)
    client = client_for(technician)

    def found(**params):
        return {e.pk for e in client.get(reverse("assets:employee_list"), params).context["page"].object_list}

    assert found(q="żak") == {anna.pk}
    assert found(q="anna@example") == {anna.pk}
    assert found(q="x-9") == {bo.pk}
    assert found(q="anna żak") == {anna.pk}
    assert found(department=finance.pk) == {anna.pk}
    assert found(location=bo.location.pk) == {bo.pk}
    assert found(active="left") == {bo.pk}
    assert found(sort="no-such-sort", active="active") == {anna.pk}  # a bad sort drops only itself


def test_device_search_and_filters(client_for, technician):
    anna = factories.EmployeeFactory(first_name="Anna", last_name="Berg")
    laptop = factories.DeviceFactory(serial_number="PF3ABC", model="T14", assigned_to=anna, status="in_use")
    monitor = factories.DeviceFactory(device_type=DeviceType.MONITOR, model="P27", location=anna.location)
    repair = factories.DeviceFactory(status=DeviceStatus.IN_REPAIR, model="T14")
    client = client_for(technician)

    def found(**params):
        return {d.pk for d in client.get(reverse("assets:device_list"), params).context["page"].object_list}

    assert found(q=laptop.asset_tag.lower()) == {laptop.pk}
    assert found(q="pf3abc") == {laptop.pk}
    assert found(q="anna berg") == {laptop.pk}
    assert found(device_type="monitor") == {monitor.pk}
    assert found(model="T14") == {laptop.pk, repair.pk}
    assert found(status="in_repair") == {repair.pk}
    assert found(location=anna.location.pk) == {monitor.pk}
    assert found(department=anna.department.pk) == {laptop.pk}


def test_the_warranty_filter_follows_the_calendar(client_for, technician):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        soon = factories.DeviceFactory(warranty_end=datetime.date(2026, 6, 20))
        later = factories.DeviceFactory(warranty_end=datetime.date(2026, 8, 15))
        expired = factories.DeviceFactory(warranty_end=datetime.date(2026, 5, 31))
        unknown = factories.DeviceFactory(warranty_end=None)
        client = client_for(technician)

        def found(value):
            response = client.get(reverse("assets:device_list"), {"warranty": value})
            return {d.pk for d in response.context["page"].object_list}

        assert found("30") == {soon.pk}
        assert found("90") == {soon.pk, later.pk}
        assert found("expired") == {expired.pk}
        assert found("none") == {unknown.pk}


def test_sorting_is_a_whitelist(client_for, technician):
    factories.DeviceFactory(asset_tag="B", warranty_end=datetime.date(2027, 1, 1))
    factories.DeviceFactory(asset_tag="A", warranty_end=datetime.date(2028, 1, 1))
    client = client_for(technician)

    def tags(sort):
        response = client.get(reverse("assets:device_list"), {"sort": sort})
        return [d.asset_tag for d in response.context["page"].object_list]

    assert tags("tag") == ["A", "B"]
    assert tags("-warranty") == ["A", "B"]
    assert tags("warranty") == ["B", "A"]
    assert tags("notes; drop table") == ["A", "B"]


def test_export_is_exactly_the_filtered_list_and_imports_back(client_for, coordinator):
    finance = factories.DepartmentFactory(name="Finance")
    anna = factories.EmployeeFactory(first_name="Åse", department=finance)
    factories.DeviceFactory(asset_tag="LT-1", assigned_to=anna, status="in_use", notes="a, b; c")
    factories.DeviceFactory(asset_tag="MN-1", device_type=DeviceType.MONITOR)
    client = client_for(coordinator)

    response = client.get(reverse("assets:device_export"), {"device_type": "laptop"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(row["asset_tag"], row["assigned_to"], row["notes"]) for row in rows] == [
        ("LT-1", anna.employee_number, "a, b; c")
    ]

    from assets import imports

    _preview, result = imports.run("devices", body.encode(), by=coordinator, skip_invalid=False)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)

    staff = client.get(reverse("assets:employee_export"), {"department": finance.pk})
    body = b"".join(staff.streaming_content).decode("utf-8-sig")
    assert [row["first_name"] for row in csv.DictReader(io.StringIO(body))] == ["Åse"]


def test_the_export_link_carries_the_filters(client_for, technician):
    response = client_for(technician).get(reverse("assets:device_list"), {"status": "in_use", "page": "1"})
    assert reverse("assets:device_export") + "?status=in_use" in response.text


# --- the import page ---------------------------------------------------------------------------------


@pytest.fixture
def finance():
    return factories.DepartmentFactory(name="Finance")


def _upload(client, kind, text):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = f"{kind}.csv"
    return client.post(reverse("assets:import"), {"kind": kind, "file": upload})


def test_the_import_page_previews_bad_rows_then_imports_the_valid_ones(client_for, coordinator, finance, settings):
    client = client_for(coordinator)
    response = _upload(
        client,
        "employees",
        "employee_number;first_name;last_name;email;department\n"
        "E1;Anna;Berg;anna@example.org;Finance\n"
        "E2;Bo;Ek;;Finance\n"
        "E3;Cy;Dahl;cy@example.org;Sales\n",
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.valid_count, preview.error_count) == (1, 2)
    assert 'data-line="3"' in response.text and "The email is missing." in response.text
    assert "Unknown department &quot;Sales&quot;" in response.text
    assert "Import the 1 valid row and skip the rest" in response.text
    assert Employee.objects.count() == 0
    # The file waits on disk, not in the session.
    stashed = list((settings.MEDIA_ROOT / "imports").iterdir())
    assert len(stashed) == 1 and stashed[0].name.startswith(f"{coordinator.pk}-")
    assert "E1;Anna" not in str(dict(client.session))

    token = response.context["token"]
    response = client.post(
        reverse("assets:import_confirm"), {"kind": "employees", "token": token, "skip_invalid": "on"}
    )
    assert response.status_code == 302
    assert list(Employee.objects.values_list("employee_number", flat=True)) == ["E1"]
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())


def test_confirming_without_skipping_writes_nothing_when_rows_are_bad(client_for, coordinator, finance):
    client = client_for(coordinator)
    response = _upload(client, "employees", "employee_number,first_name,last_name,email\nE1,A,B,\n")
    token = response.context["token"]
    assert token is None  # no valid row: nothing to confirm
    response = _upload(client, "employees", "employee_number,first_name,last_name,email\nE1,A,B,a@x.org\nE2,C,D,\n")
    response = client.post(reverse("assets:import_confirm"), {"kind": "employees", "token": response.context["token"]})
    assert response.status_code == 409
    assert Employee.objects.count() == 0


def test_a_clean_file_imports_whole_and_reimport_updates(client_for, coordinator, finance):
    client = client_for(coordinator)
    text = "employee_number,first_name,last_name,email,department\nE1,Anna,Berg,anna@example.org,finance\n"
    for expected in ("1 created, 0 updated", "0 created, 0 updated, 1 unchanged"):
        response = _upload(client, "employees", text)
        assert "Import the 1 row" in response.text
        response = client.post(
            reverse("assets:import_confirm"), {"kind": "employees", "token": response.context["token"]}, follow=True
        )
        assert expected in response.text
    assert Employee.objects.count() == 1


def test_someone_elses_import_token_is_refused(client_for, coordinator, manager, finance):
    response = _upload(
        client_for(coordinator), "employees", "employee_number,first_name,last_name,email\nE1,A,B,a@x.org\n"
    )
    other = client_for(manager).post(
        reverse("assets:import_confirm"), {"kind": "employees", "token": response.context["token"]}, follow=True
    )
    assert "no longer here" in other.text
    assert Employee.objects.count() == 0
    for bad in ("../../etc/passwd", "short"):
        reply = client_for(coordinator).post(reverse("assets:import_confirm"), {"kind": "employees", "token": bad})
        assert reply.status_code == 302


def test_a_full_disk_while_keeping_the_file_for_the_confirmation_is_a_form_error(full_disk, client_for, coordinator):
    from assets import imports
    from tests.fixtures.full_disk import bigger_than_free

    rows = len(bigger_than_free(full_disk)) // 30 + 1
    text = "employee_number,first_name,last_name,email\n" + "".join(
        f"E{n:05},Anna,Berg,anna{n:05}@example.org\n" for n in range(rows)
    )
    response = _upload(client_for(coordinator), "employees", text)
    assert response.status_code == 507
    message = str(imports.StashFailed.message)
    assert response.context["form"].errors["file"] == [message]
    assert "the server&#x27;s disk may be full" in response.text
    assert response.context["token"] is None  # nothing to confirm
    assert not [path for path in full_disk.rglob("*") if path.is_file()]  # the half-written copy is gone
    assert Employee.objects.count() == 0


def test_the_template_download_has_the_documented_header(client_for, coordinator):
    response = client_for(coordinator).get(reverse("assets:import_template", args=["devices"]))
    assert response["Content-Disposition"] == 'attachment; filename="devices-template.csv"'
    assert response.content.decode().splitlines()[0].startswith("asset_tag,serial_number,type,")
    assert client_for(coordinator).get(reverse("assets:import_template", args=["cats"])).status_code == 404


def test_confirm_is_a_post(client_for, coordinator):
    assert client_for(coordinator).get(reverse("assets:import_confirm")).status_code == 405


# --- the profile ----------------------------------------------------------------------------------------


def test_the_profile_lists_my_devices_and_only_mine(client_for, requester, requester_2):
    mine = factories.DeviceFactory(assigned_to=requester.employee, status=DeviceStatus.IN_USE)
    retired = factories.DeviceFactory(assigned_to=requester.employee, status=DeviceStatus.RETIRED)
    theirs = factories.DeviceFactory(assigned_to=requester_2.employee)
    response = client_for(requester).get(reverse("accounts:profile"))
    assert response.context["my_devices"] == [mine]
    assert mine.asset_tag in response.text
    assert theirs.asset_tag not in response.text and retired.asset_tag not in response.text


def test_the_profile_says_so_when_no_device_is_registered(client_for, outsider):
    response = client_for(outsider).get(reverse("accounts:profile"))
    assert 'data-testid="my-devices"' in response.text
    assert "No device is registered to you" in response.text


def test_leaving_keeps_the_day_and_a_day_before_joining_is_refused(client_for, coordinator):
    """The training effect counts each person for the days they were here: the desk keeps both days."""
    employee = factories.EmployeeFactory(employee_number="E900", started_on=datetime.date(2026, 3, 1))
    client = client_for(coordinator)
    data = {"first_name": employee.first_name, "last_name": employee.last_name, "email": employee.email,
            "employee_number": "E900", "started_on": "2026-03-01"}  # fmt: skip
    with time_machine.travel(datetime.datetime(2026, 9, 30, 12, tzinfo=datetime.UTC), tick=False):
        assert client.post(reverse("assets:employee_edit", args=[employee.pk]), data).status_code == 302
    employee.refresh_from_db()
    assert (employee.is_active, employee.left_on) == (False, datetime.date(2026, 9, 30))  # unticked: left today
    refused = client.post(
        reverse("assets:employee_edit", args=[employee.pk]), {**data, "is_active": "on", "left_on": "2026-02-01"}
    )
    assert refused.status_code == 200
    assert "before they joined" in str(refused.context["form"].errors["left_on"])
