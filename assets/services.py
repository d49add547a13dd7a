"""Every write to assets goes through here: the pages, the CSV import and the management command.

Whoever changes who holds a device, the assignment history (DeviceAssignment) is written here, in the
same transaction: the open row is closed and a new one opened.

Every write takes the acting user as `by=` and asks assets.permissions.can first, like the ticket
services do: a role without the capability gets PermissionDenied, whoever calls.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assets import permissions
from assets.models import Department, Device, DeviceAssignment, DeviceStatus, Employee, Location
from core.days import day_of

# Fields a device page may change; `assigned_to` changes only through device_assign (history!) and
# "retired" only through device_retire.
DEVICE_EDITABLE_FIELDS = frozenset(
    {
        "asset_tag",
        "serial_number",
        "device_type",
        "manufacturer",
        "model",
        "operating_system",
        "purchase_date",
        "warranty_end",
        "status",
        "location",
        "notes",
    }
)
EMPLOYEE_EDITABLE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "employee_number",
        "phone",
        "job_title",
        "department",
        "location",
        "manager",
        "is_active",
        "user",
        "started_on",
        "left_on",
    }
)
# Rows per statement in bulk writes: large enough to be fast, small enough for bulk_update's CASE.
BULK_BATCH = 500


class AssetError(Exception):
    """A rule of the inventory was broken; the message is for the person who tried."""


def _require(by: User, action: str) -> None:
    """PermissionDenied unless `by` may take `action`: the actor of every write is checked here."""
    if not permissions.can(by, action):
        raise PermissionDenied


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")


def _assignment_close(device: Device, at: datetime) -> None:
    DeviceAssignment.objects.filter(device=device, ended_at__isnull=True).update(ended_at=at)


def _assignment_open(device: Device, employee: Employee, at: datetime, by: User) -> DeviceAssignment:
    return DeviceAssignment.objects.create(device=device, employee=employee, started_at=at, assigned_by=by)


def _status_for_holder(status: str, has_holder: bool) -> str:
    # In stock and in use follow the holder; in repair is kept either way (the holder gets it back).
    if has_holder and status == DeviceStatus.IN_STOCK:
        return DeviceStatus.IN_USE
    if not has_holder and status == DeviceStatus.IN_USE:
        return DeviceStatus.IN_STOCK
    return status


# --- devices --------------------------------------------------------------------------------------


@transaction.atomic
def device_create(*, by: User, asset_tag: str, assigned_to: Employee | None = None, **fields: Any) -> Device:
    """Add a device to the inventory, optionally handing it to an employee at once (with history)."""
    _require(by, "assets.manage")
    _check_fields(fields, DEVICE_EDITABLE_FIELDS)
    if fields.get("status") == DeviceStatus.RETIRED and assigned_to is not None:
        raise AssetError(_("A retired device cannot be assigned to anyone."))
    if assigned_to is not None and not assigned_to.is_active:
        raise AssetError(_("%(name)s has left: devices cannot be assigned to them.") % {"name": assigned_to})
    device = Device(asset_tag=asset_tag, assigned_to=assigned_to, **fields)
    device.status = _status_for_holder(device.status, assigned_to is not None)
    device.save()
    if assigned_to is not None:
        _assignment_open(device, assigned_to, timezone.now(), by)
    return device


@transaction.atomic
def device_update(*, device: Device, by: User, **fields: Any) -> Device:
    """Change a device's details. Its holder changes through device_assign, retirement through device_retire."""
    _require(by, "assets.update_device")
    _check_fields(fields, DEVICE_EDITABLE_FIELDS)
    new_status = fields.get("status", device.status)
    if new_status == DeviceStatus.RETIRED and device.status != DeviceStatus.RETIRED:
        raise AssetError(_("Retire a device with the Retire action, which also ends its assignment."))
    if device.assigned_to_id and new_status == DeviceStatus.IN_STOCK:
        raise AssetError(_("A device held by someone cannot be in stock: assign it back to stock instead."))
    for name, value in fields.items():
        setattr(device, name, value)
    device.save(update_fields=[*fields, "updated_at"])
    return device


@transaction.atomic
def device_set_in_repair(*, device: Device, by: User, in_repair: bool) -> Device:
    """A device sent to repair, or back from it (tickets.services.repairs): in repair while away; back, in
    use with its holder or in stock without one. A retired device is never sent."""
    _require(by, "assets.update_device")
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status == DeviceStatus.RETIRED:
        raise AssetError(_("%(tag)s is retired: it is not repaired.") % {"tag": device.asset_tag})
    if in_repair:
        device.status = DeviceStatus.IN_REPAIR
    else:
        device.status = DeviceStatus.IN_USE if device.assigned_to_id else DeviceStatus.IN_STOCK
    device.save(update_fields=["status", "updated_at"])
    return device


@transaction.atomic
def device_assign(*, device: Device, employee: Employee | None, by: User) -> Device:
    """Hand a device to `employee`, or back to stock with `employee=None`; the history follows."""
    _require(by, "assets.manage")
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status == DeviceStatus.RETIRED:
        raise AssetError(_("This device is retired: it cannot be assigned."))
    if employee is not None and not employee.is_active:
        raise AssetError(_("%(name)s has left: devices cannot be assigned to them.") % {"name": employee})
    if device.assigned_to_id == (employee.pk if employee else None):
        return device
    now = timezone.now()
    _assignment_close(device, now)
    if employee is not None:
        _assignment_open(device, employee, now, by)
    device.assigned_to = employee
    device.status = _status_for_holder(device.status, employee is not None)
    device.save(update_fields=["assigned_to", "status", "updated_at"])
    return device


@transaction.atomic
def device_retire(*, device: Device, by: User) -> Device:
    """Take a device out of service: its assignment ends and it can no longer be assigned."""
    _require(by, "assets.manage")
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status == DeviceStatus.RETIRED:
        return device
    _assignment_close(device, timezone.now())
    device.assigned_to = None
    device.status = DeviceStatus.RETIRED
    device.save(update_fields=["assigned_to", "status", "updated_at"])
    return device


# --- employees, departments, locations ------------------------------------------------------------


@transaction.atomic
def employee_create(*, by: User, employee_number: str, first_name: str, last_name: str, **fields: Any) -> Employee:
    """Add a member of staff."""
    _require(by, "staff.manage")
    _check_fields(fields, EMPLOYEE_EDITABLE_FIELDS)
    return Employee.objects.create(
        employee_number=employee_number, first_name=first_name, last_name=last_name, **fields
    )


@transaction.atomic
def employee_update(*, employee: Employee, by: User, **fields: Any) -> Employee:
    """Change a member of staff's details."""
    _require(by, "staff.manage")
    _check_fields(fields, EMPLOYEE_EDITABLE_FIELDS)
    if fields.get("manager") is not None and fields["manager"].pk == employee.pk:
        raise AssetError(_("Someone cannot be their own manager."))
    # As stored: a model form has already set its values on `employee`.
    was_active = Employee.objects.filter(pk=employee.pk).values_list("is_active", flat=True).get()
    if fields.get("is_active") is False and was_active and not fields.get("left_on", employee.left_on):
        # Leaving: the day is kept, so the figures per person count them only while they were here.
        fields["left_on"] = day_of(timezone.now())
    elif fields.get("is_active") is True and not was_active and "left_on" not in fields:
        fields["left_on"] = None
    started, left = fields.get("started_on", employee.started_on), fields.get("left_on", employee.left_on)
    if started and left and left < started:
        raise AssetError(_("Someone cannot leave before they joined."))
    for name, value in fields.items():
        setattr(employee, name, value)
    employee.save(update_fields=[*fields, "updated_at"])
    return employee


@transaction.atomic
def department_create(*, by: User, name: str, manager: Employee | None = None) -> Department:
    """Add a department."""
    _require(by, "staff.manage")
    return Department.objects.create(name=name, manager=manager)


@transaction.atomic
def location_create(*, by: User, site: str, building: str = "", floor: str = "", room: str = "") -> Location:
    """Add a location."""
    _require(by, "assets.manage")
    return Location.objects.create(site=site, building=building, floor=floor, room=room)


# --- bulk import ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated


def _chunks(items: Sequence, size: int = 5000) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


EMPLOYEE_IMPORT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "department_id",
    "location_id",
    "is_active",
)
DEVICE_IMPORT_FIELDS = (
    "serial_number",
    "device_type",
    "manufacturer",
    "model",
    "operating_system",
    "purchase_date",
    "warranty_end",
    "status",
    "assigned_to_id",
    "location_id",
    "notes",
)


def _bulk_update(model: Any, objs: list[Any], fields: Iterable[str]) -> None:
    """Write `fields` of many rows.

    Django's bulk_update builds a CASE with one branch per row for every field, which PostgreSQL
    evaluates row by row: 10,000 rows take about 20 s. On PostgreSQL one UPDATE ... FROM (VALUES ...)
    per batch joins on the primary key instead and takes well under a second.
    """
    if not objs:
        return
    model_fields = [model._meta.get_field(name.removesuffix("_id")) for name in fields]
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, [f.name for f in model_fields], batch_size=BULK_BATCH)
        return
    quote = connection.ops.quote_name
    pk_column = quote(model._meta.pk.column)
    columns = [quote(f.column) for f in model_fields]
    # NULL-only or text literals in VALUES are typed text: cast each one to its column's type.
    assignments = ", ".join(
        f"{column} = v.{column}::{f.db_type(connection)}" for column, f in zip(columns, model_fields, strict=True)
    )
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    sql_head = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names come from the model
        f"FROM (VALUES {{values}}) AS v({pk_column}, {', '.join(columns)}) WHERE t.{pk_column} = v.{pk_column}"
    )
    with connection.cursor() as cursor:
        for batch in _chunks(objs, 1000):
            params: list[Any] = []
            for obj in batch:
                params.append(obj.pk)
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields)
            cursor.execute(sql_head.format(values=", ".join([row_sql] * len(batch))), params)


@transaction.atomic
def employees_import(
    *, rows: Sequence[dict[str, Any]], fields: Sequence[str] = EMPLOYEE_IMPORT_FIELDS, by: User
) -> ImportResult:
    """Create or update employees from validated rows, matched on employee number.

    Each row holds `employee_number` and the `fields` (a subset of EMPLOYEE_IMPORT_FIELDS and
    "manager_number"; what the file had columns for: fields it lacks are left as they are). A
    `manager_number` names an employee already stored or one in the same rows. An employee without a
    login account is linked to the account with their email, when that one is free. All or nothing.
    """
    _require(by, "assets.import")
    now = timezone.now()
    with_manager = "manager_number" in fields
    fields = [name for name in fields if name != "manager_number"]
    existing: dict[str, Employee] = {}
    for chunk in _chunks([row["employee_number"] for row in rows]):
        existing.update({e.employee_number: e for e in Employee.objects.filter(employee_number__in=chunk)})

    to_create: list[Employee] = []
    to_update: dict[str, Employee] = {}
    by_number: dict[str, Employee] = {}
    for row in rows:
        number = row["employee_number"]
        employee = existing.get(number)
        if employee is None:
            employee = Employee(employee_number=number, created_at=now, updated_at=now)
            to_create.append(employee)
        elif any(getattr(employee, name) != row[name] for name in fields):
            to_update[number] = employee
        for name in fields:
            setattr(employee, name, row[name])
        by_number[number] = employee

    _employees_link_accounts(by_number.values(), to_update)
    Employee.objects.bulk_create(to_create, batch_size=BULK_BATCH)

    # Managers last: they may be among the rows created just now.
    manager_later: list[Employee] = []
    if with_manager:
        manager_ids = {number: employee.pk for number, employee in by_number.items()}
        wanted = {row["manager_number"] for row in rows if row["manager_number"]} - manager_ids.keys()
        for chunk in _chunks(sorted(wanted)):
            manager_ids.update(Employee.objects.filter(employee_number__in=chunk).values_list("employee_number", "pk"))
        created = {id(employee) for employee in to_create}
        for row in rows:
            employee = by_number[row["employee_number"]]
            manager_id = manager_ids[row["manager_number"]] if row["manager_number"] else None
            if employee.manager_id != manager_id:
                employee.manager_id = manager_id
                if id(employee) in created:
                    manager_later.append(employee)
                else:
                    to_update[employee.employee_number] = employee

    for employee in to_update.values():
        employee.updated_at = now
    _bulk_update(Employee, list(to_update.values()), [*fields, "manager_id", "user_id", "updated_at"])
    _bulk_update(Employee, manager_later, ["manager_id"])
    return ImportResult(
        created=len(to_create), updated=len(to_update), unchanged=len(rows) - len(to_create) - len(to_update)
    )


def _employees_link_accounts(employees: Iterable[Employee], to_update: dict[str, Employee]) -> None:
    """Link employees without an account to the account with their email, when that one is free."""
    unlinked: dict[str, Employee] = {}
    for employee in employees:
        if employee.user_id is None and employee.email:
            unlinked.setdefault(employee.email.lower(), employee)
    if not unlinked:
        return
    users: dict[str, int] = {}
    for chunk in _chunks(sorted(unlinked)):
        users.update(User.objects.filter(email__in=chunk).values_list("email", "pk"))
    if not users:
        return
    taken = set(Employee.objects.filter(user_id__in=users.values()).values_list("user_id", flat=True))
    for email, user_id in users.items():
        candidate = unlinked.get(email.lower())
        if candidate is None or user_id in taken:
            continue
        candidate.user_id = user_id
        taken.add(user_id)
        if candidate.pk is not None:
            to_update[candidate.employee_number] = candidate


@transaction.atomic
def devices_import(
    *, rows: Sequence[dict[str, Any]], fields: Sequence[str] = DEVICE_IMPORT_FIELDS, by: User
) -> ImportResult:
    """Create or update devices from validated rows, matched on asset tag.

    Each row holds `asset_tag` and the `fields` (a subset of DEVICE_IMPORT_FIELDS: what the file had
    columns for; fields it lacks are left as they are). Where the holder changes, the open assignment
    is closed and a new one opened, as device_assign does. All or nothing: one transaction.
    """
    _require(by, "assets.import")
    now = timezone.now()
    follow_holder = "assigned_to_id" in fields and "status" not in fields
    existing: dict[str, Device] = {}
    for chunk in _chunks([row["asset_tag"] for row in rows]):
        existing.update({d.asset_tag: d for d in Device.objects.filter(asset_tag__in=chunk)})

    to_create: list[Device] = []
    to_update: list[Device] = []
    holder_changed: list[Device] = []
    for row in rows:
        device = existing.get(row["asset_tag"])
        is_new = device is None
        if device is None:
            device = Device(asset_tag=row["asset_tag"], created_at=now, updated_at=now)
        elif not any(getattr(device, name) != row[name] for name in fields):
            continue
        holder_moves = is_new or device.assigned_to_id != row["assigned_to_id"]
        if "assigned_to_id" in fields and holder_moves and (device.assigned_to_id or row["assigned_to_id"]):
            holder_changed.append(device)
        for name in fields:
            setattr(device, name, row[name])
        if follow_holder:
            device.status = _status_for_holder(device.status, device.assigned_to_id is not None)
        if is_new:
            to_create.append(device)
        else:
            device.updated_at = now
            to_update.append(device)

    Device.objects.bulk_create(to_create, batch_size=BULK_BATCH)
    status = ["status"] if follow_holder else []
    _bulk_update(Device, to_update, [*fields, *status, "updated_at"])

    for chunk in _chunks([device.pk for device in holder_changed]):
        DeviceAssignment.objects.filter(device_id__in=chunk, ended_at__isnull=True).update(ended_at=now)
    DeviceAssignment.objects.bulk_create(
        [
            DeviceAssignment(device=device, employee_id=device.assigned_to_id, started_at=now, assigned_by=by)
            for device in holder_changed
            if device.assigned_to_id
        ],
        batch_size=BULK_BATCH,
    )
    return ImportResult(
        created=len(to_create), updated=len(to_update), unchanged=len(rows) - len(to_create) - len(to_update)
    )
