"""The technicians: who may be assigned, their workload, and whom to suggest for a ticket."""

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import TechnicianProfile, User
from core.names import translated
from tickets import tally
from tickets.models import (
    OPEN_STATUSES,
    SOLVED_STATUSES,
    Category,
    Priority,
    Ticket,
    category_path,
)


def technicians_for_assignment() -> QuerySet[User]:
    """Active technicians with their profiles, by tier and name: the pickers' and the workload board's order."""
    return (
        User.objects.filter(is_active=True, technician_profile__isnull=False)
        .select_related("technician_profile")
        .order_by("technician_profile__tier", "first_name", "last_name", "pk")
    )


def _skills_prefetch(prefix: str = "technician_profile__skills") -> "Prefetch[str, QuerySet[Category], str]":
    return Prefetch(prefix, queryset=Category.objects.select_related("parent").order_by("parent__name", "name"))


@dataclass(frozen=True)
class Workload:
    """One technician's row of the workload board: their skills by name and their open tickets."""

    user: User
    skill_names: list[str]
    open_by_priority: list[tuple[int, int]]  # (priority, open tickets), every priority in order
    open_total: int
    load_percent: int  # of their capacity, at most 100
    is_full: bool


def technicians_workload(users: list[User] | None = None) -> list[Workload]:
    """Every active technician with tier, skills, availability, and open tickets by priority, as a Workload
    each. Three queries, two when `users` (a list of technicians_for_assignment) is given.

    The open tickets are counted by (assignee, priority) alone, index-only on the partial index ticket_open_queue,
    rather than joined to every ticket a technician ever held.
    """
    if users is None:
        users = list(technicians_for_assignment())
    # Skills as the names the table shows, in one query: hundreds of Category objects are not needed.
    skills: dict[int, list[str]] = {}
    links = (
        TechnicianProfile.skills.through.objects.filter(
            technicianprofile_id__in=[user.technician_profile.pk for user in users]
        )
        .order_by("category__parent__name", "category__name")
        .values_list(
            "technicianprofile_id",
            "category__name",
            "category__name_translations",
            "category__parent__name",
            "category__parent__name_translations",
        )
    )
    for profile_id, name, name_translations, parent, parent_translations in links:
        name = translated(name, name_translations)
        parent_name = translated(parent, parent_translations) if parent else None
        skills.setdefault(profile_id, []).append(category_path(name, parent_name))
    counts = open_tickets_by_technician()
    return [_workload(user, skills.get(user.technician_profile.pk, []), counts.get(user.pk, {})) for user in users]


def open_tickets_by_technician() -> dict[int, dict[int, int]]:
    """{technician id: {priority: open tickets}}, one query, index-only on the partial index ticket_open_queue
    (the workload board, the reports' "open now")."""
    counts: dict[int, dict[int, int]] = {}
    rows = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        .values_list("assignee_id", "priority")
        .annotate(n=Count("*"))
        .order_by()
    )
    for assignee_id, priority, n in rows:
        counts.setdefault(assignee_id, {})[priority] = n
    return counts


def _workload(user: User, skill_names: list[str], own: dict[int, int]) -> Workload:
    capacity = user.technician_profile.capacity or 1
    open_total = sum(own.values())
    return Workload(
        user=user,
        skill_names=skill_names,
        open_by_priority=[(priority, own.get(priority, 0)) for priority in Priority],
        open_total=open_total,
        load_percent=min(100, round(100 * open_total / capacity)),
        is_full=open_total >= capacity,
    )


# --- choosing the technician -------------------------------------------------------------------


@dataclass
class Suggestion:
    """One technician for one ticket, with what their rank rests on, said in words."""

    technician: User
    skill_match: bool
    skill_names: list[str]
    tier: int
    tier_ok: bool
    open_count: int
    capacity: int
    is_available: bool
    solved_like_this: int
    qualified: bool = False
    rank: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def has_room(self) -> bool:
        return self.open_count < self.capacity

    @property
    def summary(self) -> str:
        return " · ".join(self.reasons)


def _open_count_subquery(outer: str = "pk") -> Coalesce:
    counts = (
        Ticket.objects.filter(assignee=OuterRef(outer), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _skill_categories(category: Category | None) -> list[int]:
    """A skill in the category or in its parent ("Hardware" covers "Hardware > Printer")."""
    if category is None:
        return []
    return [pk for pk in (category.pk, category.parent_id) if pk]


def _suggestion_reasons(s: Suggestion, ticket: Ticket, category: Category | None) -> list[str]:
    reasons = []
    if category is None:
        reasons.append(_("no category yet"))
    elif s.skill_match:
        reasons.append(_("skills: %(skills)s") % {"skills": ", ".join(s.skill_names)})
    else:
        reasons.append(_("no skill in %(category)s") % {"category": category.translated_name})
    if s.tier_ok:
        reasons.append(_("tier %(tier)s") % {"tier": s.tier})
    else:
        reasons.append(_("tier %(tier)s, below the ticket's tier %(needed)s") % {"tier": s.tier, "needed": ticket.tier})
    reasons.append(_("%(open)s of %(capacity)s open") % {"open": s.open_count, "capacity": s.capacity})
    if not s.has_room:
        reasons.append(_("at capacity"))
    if not s.is_available:
        reasons.append(_("away"))
    reasons.append(
        ngettext(
            "solved %(count)s like this in the last year",
            "solved %(count)s like this in the last year",
            s.solved_like_this,
        )
        % {"count": s.solved_like_this}
    )
    return reasons


def suggestion_order(s: Suggestion, ticket: Ticket) -> tuple[Any, ...]:
    """Qualified first; then skill, availability, tier, room; the closest tier (keep tier 3 for tier 3 work),
    the lightest load against capacity, the most solved like this; the id breaks the remaining ties."""
    return (
        not s.qualified,
        not s.skill_match,
        not s.is_available,
        not s.tier_ok,
        not s.has_room,
        s.tier - ticket.tier if s.tier_ok else 0,
        Fraction(s.open_count, max(s.capacity, 1)),
        -s.solved_like_this,
        s.technician.pk,
    )


def is_qualified(s: Suggestion, ticket: Ticket) -> bool:
    """May take this ticket now: skilled in its category (when it has one), of its tier or above, available,
    with room under their capacity."""
    skilled = s.skill_match or not ticket.category_id
    return skilled and s.tier_ok and s.is_available and s.has_room and s.technician.is_active


_AS_SAVED = object()


def _annotated(user: User, name: str) -> int:
    """A number technician_suggestions annotated on the row (annotate(**annotations)), which the stubs
    cannot see: read here alone, as the int it is."""
    return int(getattr(user, name))


def technician_suggestions(ticket: Ticket, *, category: Any = _AS_SAVED, tier: int | None = None) -> list[Suggestion]:
    """Every active technician ranked for `ticket`, best first, each with the reasons in words. Three queries
    (four when the ticket's category and device are not loaded), whatever the number of technicians.

    `category` and `tier` rank for a triage not saved yet (what a coordinator has chosen in a row);
    the ticket itself is not changed.
    """
    if category is not _AS_SAVED or tier is not None:
        preview = Ticket(pk=ticket.pk, device=ticket.device if ticket.device_id else None)
        preview.category = ticket.category if category is _AS_SAVED else category
        preview.tier = ticket.tier if tier is None else tier
        ticket = preview
    category = ticket.category if ticket.category_id else None
    skill_ids = _skill_categories(category)
    through = TechnicianProfile.skills.through
    annotations = {
        "open_count": _open_count_subquery(),
        "skill_match": Exists(
            through.objects.filter(technicianprofile_id=OuterRef("technician_profile__pk"), category_id__in=skill_ids)
        )
        if skill_ids
        else Value(False),
    }
    # The tally of solved tickets (tickets/tally.py), by this category or this device model: a few rows.
    model = ticket.device.model if ticket.device_id and ticket.device else ""
    solved = tally.solved_like(category_id=category.pk if category else None, device_model=model)
    if ticket.status in SOLVED_STATUSES and (own := tally.bucket_of(ticket)) and own.month >= tally.first_month():
        solved[own.technician_id] = max(0, solved.get(own.technician_id, 0) - 1)  # not "like itself"
    users = (
        User.objects.filter(is_active=True, technician_profile__isnull=False)
        .select_related("technician_profile")
        .prefetch_related(_skills_prefetch())
        .annotate(**annotations)
    )
    suggestions = []
    for user in users:
        profile = user.technician_profile
        suggestion = Suggestion(
            technician=user,
            skill_match=bool(_annotated(user, "skill_match")),
            skill_names=[
                skill.translated_name for skill in profile.skills.all() if not skill_ids or skill.pk in skill_ids
            ]
            or [skill.translated_name for skill in profile.skills.all()],
            tier=profile.tier,
            tier_ok=profile.tier >= ticket.tier,
            open_count=_annotated(user, "open_count"),
            capacity=profile.capacity,
            is_available=profile.is_available,
            solved_like_this=solved.get(user.pk, 0),
        )
        suggestion.qualified = is_qualified(suggestion, ticket)
        suggestion.reasons = _suggestion_reasons(suggestion, ticket, category)
        suggestions.append(suggestion)
    suggestions.sort(key=lambda s: suggestion_order(s, ticket))
    for rank, suggestion in enumerate(suggestions, start=1):
        suggestion.rank = rank
    return suggestions
