"""Projects tickets are filed under, categories' automatic assignment, and the list's saved filters."""

from datetime import datetime

from accounts.models import User
from accounts.permissions import can
from tickets.models import (
    AutoAssign,
    Category,
    EventKind,
    Project,
    ReportAs,
    ResolutionCode,
    SavedFilter,
    Ticket,
    TrainingSetup,
)
from tickets.services._change import Change, Values, ticket_change
from tickets.workflow import ActorNotAllowed

PROJECT_FIELDS = (
    "name",
    "description",
    "project_manager",
    "facilities_contact",
    "location",
    "starts_on",
    "ends_on",
    "status",
)


def project_create(*, by: User, **values: object) -> Project:
    """A project tickets can be filed under."""
    if not can(by, "projects.manage"):
        raise ActorNotAllowed
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown project fields: {sorted(unknown)}")
    return Project.objects.create(created_by=by, **values)


def project_update(*, project: Project, by: User, **values: object) -> Project:
    if not can(by, "projects.manage"):
        raise ActorNotAllowed
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown project fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(project, name, value)
    project.save(update_fields=list(values))
    return project


def ticket_set_project(
    *,
    ticket: Ticket,
    by: User,
    project: Project | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """File the ticket under a project (or take it out of one)."""
    if not can(by, "projects.manage"):
        raise ActorNotAllowed

    def apply(locked: Ticket) -> Change | None:
        if locked.project_id == (project.pk if project else None):
            return None
        old: Values = {"project": locked.project_id}
        locked.project = project
        return Change(
            kind=EventKind.PROJECT_CHANGED,
            action="set_project",
            fields=["project"],
            old=old,
            new={"project": project.pk if project else None, "project_name": project.name if project else ""},
        )

    return ticket_change(ticket, by=by, apply=apply, expected_version=expected_version, now=now)


def category_set_auto_assign(*, category: Category, by: User, mode: str) -> Category:
    """A manager chooses how new tickets of `category` are assigned: by coordinators, or automatically."""
    if not can(by, "tickets.categories"):
        raise ActorNotAllowed
    if mode not in AutoAssign.values:
        raise ValueError(f"Unknown automatic assignment mode {mode!r}.")
    category.auto_assign = mode
    category.save(update_fields=["auto_assign"])
    return category


def categories_set_report_as(*, by: User, kinds: dict[int, str]) -> int:
    """A manager says what the reports make of each category's tickets (by category id: "", "hardware" or
    "how_to"). Returns how many categories changed. The reports' rollups must then be recounted."""
    if not can(by, "reports.setup"):
        raise ActorNotAllowed
    if set(kinds.values()) - set(ReportAs.values):
        raise ValueError(f"Unknown report kinds {set(kinds.values()) - set(ReportAs.values)!r}.")
    changed = [
        category
        for category in Category.objects.filter(pk__in=kinds).order_by("pk")
        if category.report_as != kinds[category.pk]
    ]
    for category in changed:
        category.report_as = kinds[category.pk]
    Category.objects.bulk_update(changed, ["report_as"])
    return len(changed)


def training_setup_update(*, by: User, how_to_codes: list[str]) -> TrainingSetup:
    """A manager chooses the resolution codes that mean the requester needed guidance."""
    if not can(by, "reports.setup"):
        raise ActorNotAllowed
    if set(how_to_codes) - set(ResolutionCode.values):
        raise ValueError(f"Unknown resolution codes {set(how_to_codes) - set(ResolutionCode.values)!r}.")
    setup = TrainingSetup.objects.order_by("pk").first() or TrainingSetup()
    setup.how_to_codes = sorted(set(how_to_codes))
    setup.save()
    return setup


def saved_filter_save(*, by: User, name: str, querystring: str) -> SavedFilter:
    """Keep the list's filters under a name; the same name again replaces them."""
    if not can(by, "tickets.view_all"):
        raise ActorNotAllowed
    saved, _created = SavedFilter.objects.update_or_create(
        user=by, name=name.strip()[:80], defaults={"querystring": querystring[:2000]}
    )
    return saved


def saved_filter_delete(*, by: User, saved: SavedFilter) -> None:
    if saved.user_id != by.pk:
        raise ActorNotAllowed
    saved.delete()
