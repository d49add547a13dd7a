"""The CSV import: every row checked first, nothing written unless asked, re-import updates."""

import datetime
import time

import pytest
from django.core.management import CommandError, call_command

from assets import imports, services
from assets.imports import ImportKind
from assets.models import Device, DeviceAssignment, DeviceStatus, DeviceType, Employee
from tests import factories

pytestmark = pytest.mark.django_db

EMPLOYEE_HEADER = "employee_number,first_name,last_name,email,phone,job_title,department,location,manager_number,active"
DEVICE_HEADER = (
    "asset_tag,serial_number,type,manufacturer,model,operating_system,purchase_date,warranty_end,status,"
    "assigned_to,location,notes"
)


def csv_bytes(*lines: str, bom: bool = False, separator: str = ",") -> bytes:
    text = "\n".join(line.replace(",", separator) for line in lines) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


@pytest.fixture
def places():
    finance = factories.DepartmentFactory(name="Finance")
    it = factories.DepartmentFactory(name="IT")
    hq = factories.LocationFactory(site="HQ", building="B", floor="2", room="214")
    return {"finance": finance, "it": it, "hq": hq}


# --- bad rows -----------------------------------------------------------------------------------------


def test_each_bad_employee_row_is_reported_with_its_line_and_reason(places):
    data = csv_bytes(
        EMPLOYEE_HEADER,
        "E1,Anna,Berg,anna@example.org,,Analyst,Finance,HQ / B / 2 / 214,,yes",
        "E2,Bo,Ek,,,,Finance,,,",  # missing email
        "E3,Cy,Dahl,cy@example.org,,,Marketing,,,",  # unknown department
        "E4,Di,Fors,not-an-email,,,IT,Mars / 1,,",  # bad email, unknown location
        "E5,Ed,Gran,ed@example.org,,,IT,,,maybe",  # bad active flag
        ",Fi,Holm,fi@example.org,,,,,,",  # missing number
    )
    preview = imports.validate(ImportKind.EMPLOYEES, data)

    assert preview.total_rows == 6
    assert preview.valid_count == 1
    reasons = {error.line: " | ".join(error.reasons) for error in preview.row_errors}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "email is missing" in reasons[3]
    assert 'Unknown department "Marketing"' in reasons[4]
    assert "not an email address" in reasons[5] and 'Unknown location "Mars / 1"' in reasons[5]
    assert "Active must be" in reasons[6]
    assert "employee number is missing" in reasons[7]
    assert Employee.objects.count() == 0  # validate never writes


def test_each_bad_device_row_is_reported_with_its_line_and_reason(places):
    factories.EmployeeFactory(employee_number="E1")
    factories.EmployeeFactory(employee_number="E9", is_active=False)
    data = csv_bytes(
        DEVICE_HEADER,
        "LT-1,S1,laptop,Lenovo,T14,Windows 11,2024-01-31,2027-01-30,,E1,HQ / B / 2 / 214,",
        "LT-2,S2,laptop,Lenovo,T14,,31/01/2024,,,,,",  # bad date
        "LT-1,S3,laptop,Dell,XPS,,,,,,,",  # duplicate asset tag (with line 2)
        "LT-4,S4,toaster,,,,,,,,,",  # unknown type
        "LT-5,S5,,,,,2024-05-01,2023-05-01,,,,",  # warranty before purchase
        "LT-6,S6,,,,,,,,E404,,",  # unknown holder
        "LT-7,S7,,,,,,,,E9,,",  # holder has left
        "LT-8,S8,,,,,,,retired,E1,,",  # retired and assigned
        "LT-9,S9,,,,,,,broken,,,",  # unknown status
    )
    preview = imports.validate(ImportKind.DEVICES, data)

    reasons = {error.line: " | ".join(error.reasons) for error in preview.row_errors}
    assert preview.valid_count == 0
    assert "Duplicate asset tag" in reasons[2] and "also on line 4" in reasons[2]
    assert "Bad date in purchase_date" in reasons[3] and "YYYY-MM-DD" in reasons[3]
    assert "also on line 2" in reasons[4]
    assert 'Unknown type "toaster"' in reasons[5]
    assert "warranty ends before the purchase date" in reasons[6]
    assert 'Unknown employee number "E404"' in reasons[7]
    assert "has left" in reasons[8]
    assert "retired device cannot be assigned" in reasons[9]
    assert 'Unknown status "broken"' in reasons[10]


def test_line_numbers_count_physical_lines_of_quoted_multiline_values(places):
    data = csv_bytes(
        DEVICE_HEADER,
        'LT-1,S1,laptop,,,,,,,,,"first line',
        'second line"',
        "LT-2,S2,laptop,,,,2024-13-01,,,,,",
    )
    preview = imports.validate(ImportKind.DEVICES, data)
    assert [error.line for error in preview.row_errors] == [4]
    assert preview.valid_rows[0]["notes"] == "first line\nsecond line"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"asset_tag;colour\nLT-1;red\n", "Unknown columns: colour"),
        (b"serial_number,model\nS1,T14\n", "Required columns are missing: asset_tag"),
        ("asset_tag\nLT-\xe9\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(data, message):
    preview = imports.validate(ImportKind.DEVICES, data)
    assert message in " ".join(preview.file_errors)
    assert not preview.can_import


def test_a_manager_row_with_errors_makes_its_reports_wait_too(places):
    data = csv_bytes(
        EMPLOYEE_HEADER,
        "M1,Maja,Lind,,,,,,,",  # bad: missing email
        "E1,Anna,Berg,anna@example.org,,,,,M1,",
        "E2,Bo,Ek,bo@example.org,,,,,E1,",
        "E3,Cy,Dahl,cy@example.org,,,,,X9,",
    )
    preview = imports.validate(ImportKind.EMPLOYEES, data)
    reasons = {error.line: " | ".join(error.reasons) for error in preview.row_errors}
    assert "line 2, which has errors" in reasons[3]
    assert "line 3, which has errors" in reasons[4]
    assert 'Unknown manager employee number "X9"' in reasons[5]


# --- nothing written unless asked ---------------------------------------------------------------------


def test_with_bad_rows_nothing_is_written_unless_the_valid_rows_are_chosen(places, coordinator):
    data = csv_bytes(
        EMPLOYEE_HEADER,
        "E1,Anna,Berg,anna@example.org,,,Finance,,,",
        "E2,Bo,Ek,bo@example.org,,,Nowhere,,,",
    )
    preview, result = imports.run(ImportKind.EMPLOYEES, data, by=coordinator, skip_invalid=False)
    assert result is None
    assert preview.error_count == 1
    assert Employee.objects.count() == 0

    preview, result = imports.run(ImportKind.EMPLOYEES, data, by=coordinator, skip_invalid=True)
    assert result.created == 1
    assert list(Employee.objects.values_list("employee_number", flat=True)) == ["E1"]


def test_a_failure_half_way_writes_nothing(places, monkeypatch, coordinator):
    holder = factories.EmployeeFactory(employee_number="E1")
    data = csv_bytes(DEVICE_HEADER, "LT-1,S1,laptop,,,,,,,E1,,", "LT-2,S2,laptop,,,,,,,,,")

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    # The devices are inserted, then writing the assignment history fails.
    monkeypatch.setattr(DeviceAssignment.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        imports.run(ImportKind.DEVICES, data, by=coordinator, skip_invalid=False)
    assert Device.objects.count() == 0
    assert not holder.devices.exists()


# --- re-import ----------------------------------------------------------------------------------------


def test_reimporting_the_same_file_updates_the_same_records(places, coordinator):
    factories.EmployeeFactory(employee_number="E1")
    factories.EmployeeFactory(employee_number="E2")
    first = csv_bytes(
        DEVICE_HEADER,
        "LT-1,S1,laptop,Lenovo,T14,Windows 11,2024-01-31,2027-01-30,,E1,HQ / B / 2 / 214,",
        "LT-2,S2,desktop,HP,Z2,Windows 11,,,,,,",
    )
    _preview, result = imports.run(ImportKind.DEVICES, first, by=coordinator, skip_invalid=False)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    ids = dict(Device.objects.values_list("asset_tag", "pk"))

    _preview, again = imports.run(ImportKind.DEVICES, first, by=coordinator, skip_invalid=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Device.objects.count() == 2
    assert DeviceAssignment.objects.count() == 1

    changed = csv_bytes(
        DEVICE_HEADER,
        "LT-1,S1,laptop,Lenovo,T14,Windows 11,2024-01-31,2027-01-30,,E2,HQ / B / 2 / 214,moved",
        "LT-2,S2,desktop,HP,Z2,Windows 11,,,in_repair,,,",
    )
    _preview, third = imports.run(ImportKind.DEVICES, changed, by=coordinator, skip_invalid=False)
    assert (third.created, third.updated, third.unchanged) == (0, 2, 0)
    assert dict(Device.objects.values_list("asset_tag", "pk")) == ids
    laptop = Device.objects.get(asset_tag="LT-1")
    assert laptop.assigned_to.employee_number == "E2"
    assert laptop.notes == "moved"
    assert laptop.status == DeviceStatus.IN_USE
    assert Device.objects.get(asset_tag="LT-2").status == DeviceStatus.IN_REPAIR
    history = list(laptop.assignments.order_by("pk").values_list("employee__employee_number", "ended_at"))
    assert history[0][0] == "E1" and history[0][1] is not None
    assert history[1] == ("E2", None)
    assert laptop.assignments.get(ended_at__isnull=True).assigned_by == coordinator


def test_reimporting_staff_updates_them_and_links_managers_in_the_same_file(places, coordinator):
    data = csv_bytes(
        EMPLOYEE_HEADER,
        "E2,Bo,Ek,bo@example.org,,Clerk,Finance,,E1,yes",
        "E1,Anna,Berg,anna@example.org,+46 8 123,Head,Finance,HQ / B / 2 / 214,,yes",
    )
    _preview, result = imports.run(ImportKind.EMPLOYEES, data, by=coordinator, skip_invalid=False)
    assert result.created == 2
    bo = Employee.objects.get(employee_number="E2")
    assert bo.manager.employee_number == "E1"
    assert bo.department == places["finance"]
    assert Employee.objects.get(employee_number="E1").location == places["hq"]

    data = csv_bytes(
        EMPLOYEE_HEADER,
        "E2,Bo,Ek,bo@example.org,,Senior clerk,it,,,no",
        "E1,Anna,Berg,anna@example.org,+46 8 123,Head,Finance,HQ / B / 2 / 214,,yes",
    )
    _preview, result = imports.run(ImportKind.EMPLOYEES, data, by=coordinator, skip_invalid=False)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    bo.refresh_from_db()
    assert (bo.job_title, bo.department, bo.manager, bo.is_active) == ("Senior clerk", places["it"], None, False)
    assert Employee.objects.count() == 2


def test_a_column_left_out_of_the_file_leaves_that_field_alone(places, coordinator):
    employee = factories.EmployeeFactory(employee_number="E1", phone="+47 1", job_title="Pilot")
    data = csv_bytes("employee_number,first_name,last_name,email", "E1,Anna,Berg,anna@example.org")
    imports.run(ImportKind.EMPLOYEES, data, by=coordinator, skip_invalid=False)
    employee.refresh_from_db()
    assert (employee.first_name, employee.phone, employee.job_title) == ("Anna", "+47 1", "Pilot")


def test_an_employee_is_linked_to_the_login_with_their_email(places, coordinator):
    user = factories.UserFactory(email="anna@example.org")
    data = csv_bytes("employee_number,first_name,last_name,email", "E1,Anna,Berg,Anna@Example.org")
    imports.run(ImportKind.EMPLOYEES, data, by=coordinator, skip_invalid=False)
    assert Employee.objects.get(employee_number="E1").user == user


# --- encodings, separators, scripts -------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("separator", [",", ";"])
def test_utf8_with_or_without_bom_and_either_separator_and_any_script(places, bom, separator, coordinator):
    names = [
        ("P1", "Małgorzata", "Wójcik-Żółć"),
        ("S1", "Åsa", "Öberg"),
        ("N1", "Bjørn", "Æsøy"),
        ("G1", "Σοφία", "Παπαδοπούλου"),
        ("C1", "Анна", "Иванова"),
    ]
    lines = [EMPLOYEE_HEADER] + [
        f"{number},{first},{last},{number.lower()}@example.org,,,Finance,HQ / B / 2 / 214,,"
        for number, first, last in names
    ]
    preview, result = imports.run(
        ImportKind.EMPLOYEES, csv_bytes(*lines, bom=bom, separator=separator), by=coordinator, skip_invalid=False
    )
    assert preview.is_clean, preview.row_errors
    assert result.created == 5
    stored = set(Employee.objects.values_list("employee_number", "first_name", "last_name"))
    assert stored == set(names)


def test_decomposed_letters_are_stored_composed(coordinator):
    data = ("employee_number,first_name,last_name,email\nE1,A\u030asa,Berg,asa@example.org\n").encode()
    imports.run(ImportKind.EMPLOYEES, data, by=coordinator, skip_invalid=False)
    assert Employee.objects.get().first_name == "\u00c5sa"


def test_type_and_status_may_be_written_as_their_labels_in_any_case(places, coordinator):
    data = csv_bytes("asset_tag,type,status", "LT-1,Desktop,In repair", "LT-2,MONITOR,in stock")
    _preview, result = imports.run(ImportKind.DEVICES, data, by=coordinator, skip_invalid=False)
    assert result.created == 2
    assert Device.objects.get(asset_tag="LT-1").device_type == DeviceType.DESKTOP
    assert Device.objects.get(asset_tag="LT-1").status == DeviceStatus.IN_REPAIR
    assert Device.objects.get(asset_tag="LT-2").status == DeviceStatus.IN_STOCK


def test_the_template_is_a_valid_file_with_the_documented_header(places):
    for kind in ImportKind.values:
        text = imports.template_csv(kind)
        assert text.splitlines()[0] == ",".join(imports.header_for(kind))
    preview = imports.validate(ImportKind.EMPLOYEES, imports.template_csv(ImportKind.EMPLOYEES).encode())
    # The example names a manager that does not exist yet; everything else is well-formed.
    assert [r for e in preview.row_errors for r in e.reasons] == ['Unknown manager employee number "E1000".']


# --- the management command -------------------------------------------------------------------------


def test_the_command_lists_bad_rows_and_writes_nothing(places, tmp_path, capsys, coordinator):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(EMPLOYEE_HEADER, "E1,Anna,Berg,anna@example.org,,,Finance,,,", "E2,Bo,Ek,,,,Finance,,,"))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("assets_import", "employees", str(path), "--by", coordinator.email)
    assert f"{path}:3: The email is missing." in capsys.readouterr().err
    assert Employee.objects.count() == 0

    call_command("assets_import", "employees", str(path), "--skip-invalid", "--by", coordinator.email)
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert Employee.objects.count() == 1


def test_the_command_imports_devices(places, tmp_path, capsys, coordinator):
    factories.EmployeeFactory(employee_number="E1")
    path = tmp_path / "devices.csv"
    path.write_bytes(csv_bytes(DEVICE_HEADER, "LT-1,S1,laptop,Lenovo,T14,,,,,E1,,"))
    call_command("assets_import", "devices", str(path), "--by", coordinator.email)
    assert "1 created, 0 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out
    assert Device.objects.get().assigned_to.employee_number == "E1"


# --- speed ---------------------------------------------------------------------------------------------


def test_ten_thousand_rows_import_in_well_under_ten_seconds(places, capsys, coordinator):
    employees = [EMPLOYEE_HEADER] + [
        f"E{n:05d},Zoë{n},Ødegård-Łukasiewicz,e{n}@example.org,+46 8 {n},Analyst,Finance,HQ / B / 2 / 214,"
        f"{'E00000' if n else ''},yes"
        for n in range(10_000)
    ]
    warranty = datetime.date(2027, 1, 1)
    devices = [DEVICE_HEADER] + [
        f"AT-{n:05d},SN{n:08d},laptop,Lenovo,T14 Gen {n % 5},Windows 11,2024-01-01,{warranty},,E{n:05d},"
        "HQ / B / 2 / 214,"
        for n in range(10_000)
    ]
    timings = {}
    for kind, lines in ((ImportKind.EMPLOYEES, employees), (ImportKind.DEVICES, devices)):
        started = time.perf_counter()
        preview, result = imports.run(kind, csv_bytes(*lines), by=coordinator, skip_invalid=False)
        timings[kind] = time.perf_counter() - started
        assert preview.is_clean, preview.row_errors[:3]
        assert result.created == 10_000

    # Re-import with every device handed to someone else: 10,000 updates and history rows.
    moved = [DEVICE_HEADER] + [
        line.replace(f",E{n:05d},", f",E{(n + 1) % 10_000:05d},") for n, line in enumerate(devices[1:])
    ]
    started = time.perf_counter()
    _preview, result = imports.run(ImportKind.DEVICES, csv_bytes(*moved), by=coordinator, skip_invalid=False)
    timings["devices re-import"] = time.perf_counter() - started
    assert result.updated == 10_000

    assert Employee.objects.count() == 10_000
    assert Device.objects.count() == 10_000
    assert DeviceAssignment.objects.count() == 20_000
    with capsys.disabled():
        print("\n10,000-row import: " + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in timings.items()))
    assert max(timings.values()) < 10


def test_the_bulk_services_can_be_called_with_rows_directly(places, coordinator):
    result = services.devices_import(
        rows=[
            {
                "asset_tag": "X-1",
                "serial_number": "",
                "device_type": DeviceType.PHONE,
                "manufacturer": "",
                "model": "",
                "operating_system": "",
                "purchase_date": None,
                "warranty_end": None,
                "status": DeviceStatus.IN_STOCK,
                "assigned_to_id": None,
                "location_id": None,
                "notes": "",
            }
        ],
        by=coordinator,
    )
    assert result.created == 1


@pytest.mark.parametrize("by", [None, "nobody@example.org", "requester", "technician"])
def test_the_command_refuses_without_an_actor_who_may_import(by, places, tmp_path, request):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(EMPLOYEE_HEADER, "E1,Anna,Berg,anna@example.org,,,Finance,,,"))
    args = ["assets_import", "employees", str(path)]
    if by in ("requester", "technician"):
        by = request.getfixturevalue(by).email
    if by is not None:
        args += ["--by", by]
    with pytest.raises(CommandError, match=r"--by EMAIL|No active user|may not import"):
        call_command(*args)
    assert not Employee.objects.filter(employee_number="E1").exists()
