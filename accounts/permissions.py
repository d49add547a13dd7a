"""What each role may do: the one place that decides.

Views, templates (the `can` filter), the admin site and the REST API ask `can(user, action)`.
Rules about a particular object (may this requester see this ticket?) live in the owning app's
permissions module and start from these capabilities.
"""

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role, User

# Whoever may ask: a signed-in user, an anonymous visitor, or None (the system: a periodic task, no user).
Someone = User | AnonymousUser | None

# Actions are "<area>.<verb>". A role holds the actions listed for it; managers hold every action.
REQUESTER_ACTIONS = frozenset(
    {
        "tickets.submit",  # report a problem for themselves
        "tickets.view_own",  # their own tickets
        "assets.view_own",  # devices assigned to them
        "notifications.view_own",  # the bell
        "knowledge.read",  # published help articles written for requesters
        "training.attend",  # the training sessions they are invited to: answer, come, rate
    }
)
TECHNICIAN_ACTIONS = frozenset(
    {
        "tickets.view_all",
        "tickets.work",  # take, reply, note, log time, wait, resolve
        "tickets.queue",
        "assets.view",
        "assets.update_device",
        "staff.view",
        "notifications.view_own",
        "notifications.delivery_log",  # what was sent about a ticket, to whom, and what failed
        "projects.view",
        "accounts.two_factor",  # turn two-factor authentication on and off for themselves
        "reports.own_figures",  # their own row of the technicians report, beside their tier's medians
        "knowledge.read",
        "knowledge.read_all",  # every article: drafts, staff-only and retired ones
        "knowledge.write",  # write and edit articles, write up a solved ticket, link articles to tickets
        "knowledge.publish",  # publish and retire articles
        "knowledge.search",  # the header's search: tickets, articles, employees, devices
        "tickets.canned_replies",  # use the desk's canned replies, keep private ones of their own
        "tickets.day_plan",  # their visits of a day, in order, with the places
        "training.attend",
        "training.plan",  # plan training sessions, give them, record who came; see every session
    }
)
COORDINATOR_ACTIONS = TECHNICIAN_ACTIONS | {
    "tickets.log_call",  # a ticket on behalf of an employee
    "tickets.triage",  # category, impact, urgency, priority, tier
    "tickets.assign",
    "tickets.cancel",
    "tickets.dashboard",
    "tickets.bulk",  # bulk actions on the staff ticket list
    "tickets.export",  # CSV of the staff ticket list
    "projects.manage",  # create and edit projects, file tickets under them
    "assets.manage",  # create, assign, retire devices
    "assets.import",
    "staff.manage",
    "notifications.new_ticket_alerts",  # may ask to hear of every new ticket
    "notifications.breach_alerts",  # told when any ticket passes its due time
    "notifications.triage_alerts",  # told when a ticket waits in triage too long
    "reports.view",  # the Insight reports, every technician's row and the training needs
    "intake.held",  # mail from unknown addresses: open a ticket from it for an employee, or set it aside
    "tickets.canned_manage",  # the desk's shared canned replies
    "tickets.known_problems",  # tell the whole organisation of a problem on a parent ticket
    "tickets.recurring",  # recurring tickets and their schedules
    "training.manage",  # change, invite to and call off any training session, not only their own
    "training.effect",  # the measured effect of sessions, and each attendee's own figures
}
MANAGER_ACTIONS = COORDINATOR_ACTIONS | {
    "tickets.reopen_closed",
    "tickets.categories",  # categories and their automatic assignment
    "reports.setup",  # what counts as a question of knowing how
    "reports.monthly_summary",  # may ask for the monthly summary by mail
    "admin.access",
    "accounts.manage",
    "notifications.failed",  # see failed deliveries and send them again
    "notifications.webhooks",  # subscribe URLs to ticket events, read their delivery logs
}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.REQUESTER: REQUESTER_ACTIONS,
    Role.TECHNICIAN: TECHNICIAN_ACTIONS,
    Role.COORDINATOR: frozenset(COORDINATOR_ACTIONS),
    Role.MANAGER: frozenset(MANAGER_ACTIONS),
}

ALL_ACTIONS = frozenset().union(*ROLE_ACTIONS.values())


def can(user: Someone, action: str) -> TypeGuard[User]:
    """May `user` take `action`? Unknown actions are a programming error, never a silent False. Only an
    active, signed-in User may take any (so a True tells the type checker `user` is one)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"Unknown action {action!r}: add it to accounts.permissions.")
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def roles_with(action: str) -> list[str]:
    """The roles that hold `action`: for choosing people by capability in a query (role__in)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"Unknown action {action!r}: add it to accounts.permissions.")
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def require(user: Someone, action: str) -> None:
    """403 unless `user` may take `action`: the views' one way to refuse a role."""
    if not can(user, action):
        raise PermissionDenied


def is_staff_member(user: Someone) -> bool:
    """Technicians, coordinators and managers: the people who work tickets."""
    return can(user, "tickets.view_all")


def two_factor_required(user: Someone) -> bool:
    """Those who administer must log in with a second factor; other staff may choose to, requesters never see it."""
    return can(user, "admin.access")


def may_stay_signed_in(user: Someone) -> bool:
    """Only requesters may keep a session for days on their own device; staff sessions end after idle hours."""
    return user is not None and user.is_authenticated and not is_staff_member(user)


_HOME_BY_ROLE: dict[str, str] = {
    Role.REQUESTER: "tickets:mine",
    Role.TECHNICIAN: "tickets:queue",
    Role.COORDINATOR: "tickets:dashboard",
    Role.MANAGER: "tickets:dashboard",
}


def home_url_for(user: User) -> str:
    """Where a role's work is: the page it lands on after login."""
    role = Role.MANAGER if user.is_superuser else user.role
    return reverse(_HOME_BY_ROLE.get(role, "accounts:profile"))
