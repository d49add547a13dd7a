"""Every non-trivial read of assets: lists with their filters, search and sort, and detail pages.

List selectors return one queryset whose rows carry everything the page shows (select_related and
annotations), so a page of 50 rows costs the same number of queries as a page of 3.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.permissions import Someone
from assets.models import Department, Device, DeviceAssignment, DeviceStatus, Employee, Location

# --- sorting ------------------------------------------------------------------------------------
# The whitelist: what the page may ask for (?sort=...), mapped to an ordering that is always total
# (ends with the primary key) so pagination never shows a row twice or skips one.

EMPLOYEE_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "number": ("employee_number",),
    "-number": ("-employee_number",),
    "email": ("email", "pk"),
    "-email": ("-email", "-pk"),
    "department": ("department__name", "last_name", "first_name", "pk"),
    "-department": ("-department__name", "last_name", "first_name", "pk"),
    "devices": ("device_count", "last_name", "first_name", "pk"),
    "-devices": ("-device_count", "last_name", "first_name", "pk"),
}
DEVICE_SORTS: dict[str, tuple[str, ...]] = {
    "tag": ("asset_tag",),
    "-tag": ("-asset_tag",),
    "type": ("device_type", "asset_tag"),
    "-type": ("-device_type", "asset_tag"),
    "model": ("manufacturer", "model", "asset_tag"),
    "-model": ("-manufacturer", "-model", "asset_tag"),
    "status": ("status", "asset_tag"),
    "-status": ("-status", "asset_tag"),
    "assigned": ("assigned_to__last_name", "assigned_to__first_name", "asset_tag"),
    "-assigned": ("-assigned_to__last_name", "-assigned_to__first_name", "asset_tag"),
    "warranty": ("warranty_end", "asset_tag"),
    "-warranty": ("-warranty_end", "asset_tag"),
}
EMPLOYEE_DEFAULT_SORT = "name"
DEVICE_DEFAULT_SORT = "tag"


class WarrantyFilter:
    """Values of the device list's warranty filter."""

    EXPIRED = "expired"
    DAYS_30 = "30"
    DAYS_90 = "90"
    NONE = "none"


@dataclass(frozen=True)
class EmployeeFilters:
    query: str = ""
    department: Department | None = None
    location: Location | None = None
    active: str = ""  # "", "active", "left"
    sort: str = EMPLOYEE_DEFAULT_SORT


@dataclass(frozen=True)
class DeviceFilters:
    query: str = ""
    department: Department | None = None
    location: Location | None = None
    device_type: str = ""
    model: str = ""
    status: str = ""
    warranty: str = ""
    sort: str = DEVICE_DEFAULT_SORT


def employees_matching(qs: QuerySet[Employee], query: str) -> QuerySet[Employee]:
    """The employees of `qs` with every word of `query` in their name or email, or as their employee number:
    the staff directory's search and the staff search's (knowledge.search)."""
    for word in query.split()[:10]:
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(employee_number__iexact=word)
        )
    return qs


def devices_matching(qs: QuerySet[Device], query: str) -> QuerySet[Device]:
    """The devices of `qs` whose asset tag, serial number or model holds `query`, or whose holder is named by
    every word of it: the inventory's search and the staff search's (knowledge.search)."""
    query = query.strip()
    if not query:
        return qs
    named = Q()
    for word in query.split()[:10]:
        named &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    holders = Employee.objects.filter(named | Q(email__iexact=query)).order_by()
    held_by = list(holders.values_list("pk", flat=True)[:500])
    # The holders by number, not by a join: each condition is then on the devices' own columns, read from their
    # indexes (assets migration 0002), and only the devices found are joined.
    return qs.filter(
        Q(asset_tag__icontains=query)
        | Q(serial_number__icontains=query)
        | Q(model__icontains=query)
        | Q(assigned_to__in=held_by)
    )


def employees_search(filters: EmployeeFilters) -> QuerySet[Employee]:
    """The staff directory: search by name, email or employee number, filter, sort."""
    qs = employees_matching(
        Employee.objects.select_related("department", "location", "manager"), filters.query
    ).annotate(device_count=Count("devices", filter=~Q(devices__status=DeviceStatus.RETIRED)))
    if filters.department is not None:
        qs = qs.filter(department=filters.department)
    if filters.location is not None:
        qs = qs.filter(location=filters.location)
    if filters.active == "active":
        qs = qs.filter(is_active=True)
    elif filters.active == "left":
        qs = qs.filter(is_active=False)
    return qs.order_by(*EMPLOYEE_SORTS.get(filters.sort, EMPLOYEE_SORTS[EMPLOYEE_DEFAULT_SORT]))


def devices_search(filters: DeviceFilters, *, today: datetime.date | None = None) -> QuerySet[Device]:
    """The device inventory: search by asset tag, serial number or holder, filter, sort."""
    today = today or timezone.localdate()
    qs = Device.objects.select_related("assigned_to", "assigned_to__department", "location")
    qs = devices_matching(qs, filters.query)
    if filters.department is not None:
        qs = qs.filter(assigned_to__department=filters.department)
    if filters.location is not None:
        qs = qs.filter(location=filters.location)
    if filters.device_type:
        qs = qs.filter(device_type=filters.device_type)
    if filters.model:
        qs = qs.filter(model=filters.model)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.warranty == WarrantyFilter.EXPIRED:
        qs = qs.filter(warranty_end__lt=today)
    elif filters.warranty in (WarrantyFilter.DAYS_30, WarrantyFilter.DAYS_90):
        days = int(filters.warranty)
        qs = qs.filter(warranty_end__gte=today, warranty_end__lte=today + datetime.timedelta(days=days))
    elif filters.warranty == WarrantyFilter.NONE:
        qs = qs.filter(warranty_end__isnull=True)
    return qs.order_by(*DEVICE_SORTS.get(filters.sort, DEVICE_SORTS[DEVICE_DEFAULT_SORT]))


def device_models() -> list[str]:
    """The distinct models in the inventory, for the model filter."""
    return list(
        Device.objects.exclude(model="").order_by(Lower("model"), "model").values_list("model", flat=True).distinct()
    )


def departments_all() -> QuerySet[Department]:
    return Department.objects.select_related("manager").order_by("name")


def locations_all() -> QuerySet[Location]:
    return Location.objects.order_by("site", "building", "floor", "room")


def device_detail(pk: int) -> QuerySet[Device]:
    """The device page's row, with its holder and place joined."""
    return Device.objects.select_related(
        "assigned_to", "assigned_to__department", "assigned_to__location", "location"
    ).filter(pk=pk)


def device_assignments(device: Device) -> QuerySet[DeviceAssignment]:
    """Who had the device from when to when, newest first."""
    return device.assignments.select_related("employee", "assigned_by").order_by("-started_at", "-pk")


def employee_detail(pk: int) -> QuerySet[Employee]:
    return Employee.objects.select_related("department", "department__manager", "location", "manager", "user").filter(
        pk=pk
    )


def employee_devices(employee: Employee) -> QuerySet[Device]:
    """The devices an employee holds now (retired ones are never held)."""
    return employee.devices.select_related("location").exclude(status=DeviceStatus.RETIRED).order_by("asset_tag")


def employee_past_assignments(employee: Employee) -> QuerySet[DeviceAssignment]:
    """Devices the employee held before, for the history on their page."""
    return (
        employee.device_assignments.filter(ended_at__isnull=False).select_related("device").order_by("-ended_at", "-pk")
    )


def devices_of_user(user: Someone) -> QuerySet[Device]:
    """The devices assigned to the employee linked to `user`: the profile card and the ticket form.

    Empty for anyone without an employee record. This is the only list of devices a requester sees.
    """
    if user is None or not user.is_authenticated:
        return Device.objects.none()
    return (
        Device.objects.filter(assigned_to__user=user)
        .exclude(status=DeviceStatus.RETIRED)
        .select_related("location")
        .order_by("asset_tag")
    )


def employee_of_user(user: Someone) -> Employee | None:
    """The employee record linked to a login, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Employee.objects.filter(user=user).first()


def employees_lookup(query: str, *, limit: int = 15) -> QuerySet[Employee]:
    """Active employees matching a few typed letters: the picker on the assign and edit forms."""
    query = query.strip()
    if len(query) < 2:
        return Employee.objects.none()
    qs = Employee.objects.filter(is_active=True).select_related("department")
    for word in query.split():
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(employee_number__istartswith=word)
        )
    return qs.order_by("last_name", "first_name", "pk")[:limit]
