"""Writes to the inventory: every change of holder leaves its history row."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assets import permissions, services
from assets.models import DeviceAssignment, DeviceStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_assigning_closes_the_previous_holder_and_opens_a_new_one(coordinator):
    anna, bo = factories.EmployeeFactory(), factories.EmployeeFactory()
    device = factories.DeviceFactory()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        services.device_assign(device=device, employee=anna, by=coordinator)
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC), tick=False):
        services.device_assign(device=device, employee=bo, by=coordinator)

    device.refresh_from_db()
    assert device.assigned_to == bo
    assert device.status == DeviceStatus.IN_USE
    first, second = device.assignments.order_by("started_at")
    assert (first.employee, first.ended_at) == (anna, datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC))
    assert (second.employee, second.ended_at, second.assigned_by) == (bo, None, coordinator)


def test_assigning_to_the_same_person_again_changes_nothing(coordinator):
    anna = factories.EmployeeFactory()
    device = factories.DeviceFactory()
    services.device_assign(device=device, employee=anna, by=coordinator)
    services.device_assign(device=device, employee=anna, by=coordinator)
    assert device.assignments.count() == 1


def test_back_to_stock_ends_the_assignment(coordinator):
    device = services.device_create(by=coordinator, asset_tag="LT-1", assigned_to=factories.EmployeeFactory())
    assert device.status == DeviceStatus.IN_USE
    services.device_assign(device=device, employee=None, by=coordinator)
    device.refresh_from_db()
    assert (device.assigned_to, device.status) == (None, DeviceStatus.IN_STOCK)
    assert not DeviceAssignment.objects.filter(ended_at__isnull=True).exists()


def test_a_device_in_repair_stays_in_repair_when_its_holder_changes(coordinator):
    device = factories.DeviceFactory(status=DeviceStatus.IN_REPAIR)
    services.device_assign(device=device, employee=factories.EmployeeFactory(), by=coordinator)
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_REPAIR


def test_retiring_ends_the_assignment_and_forbids_new_ones(coordinator):
    device = services.device_create(by=coordinator, asset_tag="LT-1", assigned_to=factories.EmployeeFactory())
    services.device_retire(device=device, by=coordinator)
    device.refresh_from_db()
    assert (device.assigned_to, device.status) == (None, DeviceStatus.RETIRED)
    assert device.assignments.get().ended_at is not None
    with pytest.raises(services.AssetError):
        services.device_assign(device=device, employee=factories.EmployeeFactory(), by=coordinator)


def test_devices_are_not_assigned_to_people_who_left(coordinator):
    with pytest.raises(services.AssetError):
        services.device_assign(
            device=factories.DeviceFactory(), employee=factories.EmployeeFactory(is_active=False), by=coordinator
        )


def test_update_refuses_to_retire_or_to_change_the_holder(technician):
    device = factories.DeviceFactory()
    with pytest.raises(services.AssetError):
        services.device_update(device=device, by=technician, status=DeviceStatus.RETIRED)
    with pytest.raises(TypeError):
        services.device_update(device=device, by=technician, assigned_to=factories.EmployeeFactory())
    before = timezone.now()
    services.device_update(device=device, by=technician, status=DeviceStatus.IN_REPAIR, notes="Fan noise")
    device.refresh_from_db()
    assert (device.status, device.notes) == (DeviceStatus.IN_REPAIR, "Fan noise")
    assert device.updated_at >= before


def test_someone_cannot_manage_themselves(coordinator):
    employee = factories.EmployeeFactory()
    with pytest.raises(services.AssetError):
        services.employee_update(employee=employee, by=coordinator, manager=employee)


# --- who may write: the capability table of accounts.permissions, checked by the services themselves ---


def _write_calls(device, employee) -> dict:
    """Each asset service with the smallest valid arguments, and the roles that may call it."""
    row = {"employee_number": "E9", "first_name": "Ida", "last_name": "Lund", "email": "ida@example.org"}
    return {
        "device_create": (lambda by: services.device_create(by=by, asset_tag="LT-9"), "coordinator"),
        "device_update": (lambda by: services.device_update(device=device, by=by, notes="x"), "technician"),
        "device_assign": (lambda by: services.device_assign(device=device, employee=employee, by=by), "coordinator"),
        "device_retire": (lambda by: services.device_retire(device=device, by=by), "coordinator"),
        "employee_create": (
            lambda by: services.employee_create(by=by, employee_number="E8", first_name="A", last_name="B"),
            "coordinator",
        ),
        "employee_update": (lambda by: services.employee_update(employee=employee, by=by, phone="1"), "coordinator"),
        "department_create": (lambda by: services.department_create(by=by, name="Legal"), "coordinator"),
        "location_create": (lambda by: services.location_create(by=by, site="Oslo"), "coordinator"),
        "employees_import": (
            lambda by: services.employees_import(rows=[row], fields=["first_name", "last_name", "email"], by=by),
            "coordinator",
        ),
        "devices_import": (
            lambda by: services.devices_import(rows=[{"asset_tag": "X-2"}], fields=[], by=by),
            "coordinator",
        ),
    }


@pytest.mark.parametrize("name", list(_write_calls(None, None)))
def test_every_asset_write_refuses_a_requester(name, requester):
    call, _least = _write_calls(factories.DeviceFactory(), factories.EmployeeFactory())[name]
    with pytest.raises(PermissionDenied):
        call(requester)


@pytest.mark.parametrize("name", list(_write_calls(None, None)))
def test_a_technician_may_only_update_device_details(name, technician, coordinator):
    call, least = _write_calls(factories.DeviceFactory(), factories.EmployeeFactory())[name]
    if least == "technician":
        call(technician)
    else:
        with pytest.raises(PermissionDenied):
            call(technician)
    call(coordinator)


def test_an_anonymous_actor_is_refused(coordinator):
    with pytest.raises(PermissionDenied):
        services.location_create(by=AnonymousUser(), site="Oslo")  # type: ignore[arg-type]


def test_assets_can_answers_capabilities_and_the_actions_a_device_still_allows(technician, coordinator):
    device = factories.DeviceFactory()
    assert permissions.can(technician, "assets.update_device")
    assert not permissions.can(technician, "assets.assign", device)
    assert permissions.can(coordinator, "assets.assign", device)
    device = services.device_retire(device=device, by=coordinator)
    assert not permissions.can(coordinator, "assets.retire", device)
    assert permissions.can(coordinator, "assets.manage")
