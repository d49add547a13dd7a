"""Who sees which report: the one place that decides, built on accounts.permissions.

- Coordinators and managers ("reports.view") see every report whole, the training needs included.
- A technician ("reports.own_figures") sees the technicians report with their own row beside the medians
  of their tier, never a colleague's row, and no other report.
- Anyone else (a requester, someone signed out) is answered 404, exactly like a page that does not exist.
"""

from typing import TypeGuard

from django.http import Http404

from accounts import permissions as roles
from accounts.models import User
from accounts.permissions import Someone

# Report -> the capabilities that open it (any one).
REPORTS: dict[str, tuple[str, ...]] = {
    "desk": ("reports.view",),
    "technicians": ("reports.view", "reports.own_figures"),
    "trends": ("reports.view",),
    "machines": ("reports.view",),
    "training": ("reports.view",),
}


def can(user: Someone, action: str) -> TypeGuard[User]:
    """May `user` take `action` ("reports.view", "reports.setup", ...)? As accounts.permissions.can."""
    return roles.can(user, action)


def may_see(user: Someone, report: str) -> TypeGuard[User]:
    return any(roles.can(user, capability) for capability in REPORTS[report])


def get_report_for(user: Someone, report: str) -> User:
    """The viewer, when they may see `report`; 404 otherwise (a requester learns nothing of the reports)."""
    if not may_see(user, report):
        raise Http404
    assert isinstance(user, User)
    return user


def sees_every_technician(user: Someone) -> bool:
    """Coordinators and managers see each technician's row; a technician sees only their own."""
    return roles.can(user, "reports.view")


def reports_offered(user: Someone) -> list[str]:
    """The reports `user` may open, in the order of the navigation."""
    return [report for report in REPORTS if may_see(user, report)]
