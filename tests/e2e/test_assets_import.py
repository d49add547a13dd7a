"""A coordinator imports staff and devices in Chromium, finds a laptop by its tag and reassigns it."""

import pytest

from assets.models import Device, Employee
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_CSV = (
    "\ufeffemployee_number;first_name;last_name;email;department;location;manager_number\n"
    "E1000;Małgorzata;Wójcik;m.wojcik@example.org;Finance;HQ / B / 2 / 214;\n"
    "E1001;Bjørn;Ødegård;b.odegard@example.org;Finance;HQ / B / 2 / 214;E1000\n"
    "E1002;Åsa;Öberg;;Finance;;E1000\n"
    "E1003;Nils;Holm;n.holm@example.org;Marketing;;\n"
)
DEVICE_CSV = (
    "asset_tag,serial_number,type,manufacturer,model,purchase_date,warranty_end,assigned_to,location\n"
    "LT-0042,PF3ABC12,laptop,Lenovo,ThinkPad T14,2024-03-18,2027-03-17,E1001,HQ / B / 2 / 214\n"
    "MN-0007,CN0X1,monitor,Dell,P2723,2024-03-18,2027-03-17,,HQ / B / 2 / 214\n"
)


def _upload(page, kind_label, name, text):
    page.goto("/assets/import/")
    page.get_by_label(kind_label, exact=True).check()
    page.get_by_label("CSV file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    page.get_by_test_id("upload").click()
    page.wait_for_load_state()


def test_coordinator_imports_staff_and_devices_then_reassigns_a_laptop(browser_page, login, password, coordinator):
    factories.DepartmentFactory(name="Finance")
    factories.LocationFactory(site="HQ", building="B", floor="2", room="214")
    page = browser_page
    login(page, coordinator.email, password)

    # Staff: two bad rows are shown with their line numbers; the valid ones are imported on request.
    _upload(page, "Staff", "staff.csv", STAFF_CSV)
    summary = " ".join(page.get_by_test_id("import-summary").inner_text().split())
    assert summary.startswith("4 rows: 2 valid, 2 with errors.")
    errors = page.get_by_test_id("row-errors")
    assert "The email is missing." in errors.locator('tr[data-line="4"]').inner_text()
    assert 'Unknown department "Marketing"' in errors.locator('tr[data-line="5"]').inner_text()
    assert Employee.objects.count() == 0
    page.get_by_role("button", name="Import the 2 valid rows and skip the rest").click()
    page.wait_for_url("**/assets/staff/")
    assert "2 created" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("link", name="Bjørn Ødegård").is_visible()

    # Devices: a clean file imports whole.
    _upload(page, "Devices", "devices.csv", DEVICE_CSV)
    page.get_by_role("button", name="Import the 2 rows").click()
    page.wait_for_url("**/assets/devices/")

    # Find the laptop by its tag, see who has it and its history, reassign it.
    page.get_by_role("textbox", name="Search").fill("lt-0042")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="LT-0042").click()
    assert "Bjørn Ødegård" in page.get_by_test_id("holder").inner_text()
    assert "Bjørn Ødegård" in page.get_by_test_id("assignment-history").inner_text()
    page.get_by_role("link", name="Reassign").click()
    page.get_by_role("combobox", name="Employee").fill("E1000")
    page.get_by_role("button", name="Save assignment").click()
    page.wait_for_url("**/assets/devices/*/")
    assert "Małgorzata Wójcik" in page.get_by_test_id("holder").inner_text()
    history = page.get_by_test_id("assignment-history").locator("li")
    assert history.count() == 2
    assert "Małgorzata Wójcik" in history.nth(0).inner_text()
    assert "Bjørn Ødegård" in history.nth(1).inner_text()
    assert Device.objects.get(asset_tag="LT-0042").assigned_to.employee_number == "E1000"
