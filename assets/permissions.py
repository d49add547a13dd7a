"""Who may see and change which device and which employee: the object-level rules of assets.

Built on the role capabilities of accounts.permissions.can:

- technicians, coordinators and managers ("assets.view", "staff.view") see every device and employee;
- a requester ("assets.view_own") sees only the devices assigned to them and their own employee record;
  anything else answers 404, exactly like something that does not exist, so no one learns what exists;
- a role that may see a page but not take an action on it gets 403 (PermissionDenied).

`can(user, action, obj=None)` is the one entry point: without `obj` it is the role capability of
accounts.permissions; with a device it also asks whether the action still makes sense for that device.
The services in assets.services ask it for the actor of every write.
"""

from typing import TypeGuard

from django.http import Http404

from accounts import permissions as roles
from accounts.models import User
from accounts.permissions import Someone
from assets import selectors
from assets.models import Device, DeviceStatus, Employee

# Actions on one device that a retired device no longer allows.
_LIVE_DEVICE_ACTIONS = frozenset({"assets.assign", "assets.retire"})
# Per-device action -> the role capability it needs.
_DEVICE_ACTIONS = {"assets.assign": "assets.manage", "assets.retire": "assets.manage"}


def can(user: Someone, action: str, obj: Device | Employee | None = None) -> TypeGuard[User]:
    """May `user` take `action` (on `obj`, when given)? The one question every asset rule answers. Only an
    active, signed-in User may (as accounts.permissions.can)."""
    capability = _DEVICE_ACTIONS.get(action, action)
    if not roles.can(user, capability):
        return False
    if isinstance(obj, Device) and action in _LIVE_DEVICE_ACTIONS:
        return obj.status != DeviceStatus.RETIRED
    return True


def can_see_all_devices(user: Someone) -> bool:
    return can(user, "assets.view")


def can_see_all_staff(user: Someone) -> bool:
    return can(user, "staff.view")


def get_device_for(user: Someone, pk: int) -> Device:
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


def get_employee_for(user: Someone, pk: int) -> Employee:
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


def device_actions_for(user: Someone, device: Device) -> dict[str, bool]:
    """What the device page offers: the same answers the views enforce."""
    return {
        "edit": can(user, "assets.update_device"),
        "assign": can(user, "assets.assign", device),
        "retire": can(user, "assets.retire", device),
        "history": can_see_all_devices(user),
    }
