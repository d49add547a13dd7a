"""Who may see and change which device and which employee: the object-level rules of assets.

Built on the role capabilities of accounts.permissions.can:

- technicians, coordinators and managers ("assets.view", "staff.view") see every device and employee;
- a requester ("assets.view_own") sees only the devices assigned to them and their own employee record;
  anything else answers 404, exactly like something that does not exist, so no one learns what exists;
- a role that may see a page but not take an action on it gets 403 (PermissionDenied).
"""

from django.http import Http404

from accounts.permissions import can
from assets import selectors
from assets.models import Device, DeviceStatus, Employee


def can_see_all_devices(user) -> bool:
    return can(user, "assets.view")


def can_see_all_staff(user) -> bool:
    return can(user, "staff.view")


def get_device_for(user, pk: int) -> Device:
    """The device `pk` as `user` may see it; 404 when it does not exist or is not theirs to see."""
    qs = selectors.device_detail(pk)
    if not can_see_all_devices(user):
        if not can(user, "assets.view_own"):
            raise Http404
        qs = qs.filter(assigned_to__user=user)
    device = qs.first()
    if device is None:
        raise Http404
    return device


def get_employee_for(user, pk: int) -> Employee:
    """The employee `pk` as `user` may see them; 404 when missing or not the user's own record."""
    qs = selectors.employee_detail(pk)
    if not can_see_all_staff(user):
        if not can(user, "assets.view_own"):
            raise Http404
        qs = qs.filter(user=user)
    employee = qs.first()
    if employee is None:
        raise Http404
    return employee


def device_actions_for(user, device: Device) -> dict[str, bool]:
    """What the device page offers: the same answers the views enforce."""
    manage = can(user, "assets.manage")
    return {
        "edit": can(user, "assets.update_device"),
        "assign": manage and device.status != DeviceStatus.RETIRED,
        "retire": manage and device.status != DeviceStatus.RETIRED,
        "history": can_see_all_devices(user),
    }
