"""Automatic assignment: a new ticket of a category set to it goes to a qualified technician, or is flagged.

A manager chooses the mode per category (tickets.services.projects.category_set_auto_assign): the least loaded
qualified technician, or round-robin among the qualified. Qualified is what the ranking says
(tickets.selectors.is_qualified): skilled in the category, of the ticket's tier or above, available, with
room under their capacity. Nobody qualified: the ticket stays in triage with an ALERTED event, which the
dashboard shows; it is never given to someone at random.

Capacity holds under concurrency: the candidates' TechnicianProfile rows are locked (in id order, so two
assignments never wait on each other in a circle) before their open tickets are counted, so two tickets
created at once cannot both take a technician's last slot.
"""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TechnicianProfile
from tickets import selectors
from tickets.models import OPEN_STATUSES, AutoAssign, Category, Ticket, TicketStatus
from tickets.services.assign import ticket_assign
from tickets.services.flags import ticket_flag
from tickets.workflow import WorkflowError


@dataclass(frozen=True)
class Candidate:
    """A qualified technician's profile, with the open tickets they hold now."""

    profile: TechnicianProfile
    open_count: int


def _qualified(ticket: Ticket, category: Category) -> list[Candidate]:
    """The profiles that may take `ticket` by skill, tier, availability and room under their capacity,
    locked, with their open count."""
    skill_ids = selectors._skill_categories(category)
    skilled = TechnicianProfile.skills.through.objects.filter(category_id__in=skill_ids).values("technicianprofile_id")
    profiles = list(
        TechnicianProfile.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=skilled, is_available=True, tier__gte=ticket.tier, user__is_active=True)
        .order_by("pk")
    )
    counts: dict[int, int] = dict(
        Ticket.objects.filter(assignee_id__in=[p.user_id for p in profiles], status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    candidates = [Candidate(profile, counts.get(profile.user_id, 0)) for profile in profiles]
    # Never above capacity.
    return [candidate for candidate in candidates if candidate.open_count < candidate.profile.capacity]


def _least_loaded(candidates: list[Candidate], ticket: Ticket) -> TechnicianProfile:
    def load(candidate: Candidate) -> tuple[Fraction, int, int, int]:
        profile = candidate.profile
        share = Fraction(candidate.open_count, max(profile.capacity, 1))
        return (share, candidate.open_count, profile.tier - ticket.tier, profile.user_id)

    return min(candidates, key=load).profile


def _next_in_turn(candidates: list[Candidate], last_user_id: int | None) -> TechnicianProfile:
    ordered = sorted((candidate.profile for candidate in candidates), key=lambda p: p.user_id)
    if last_user_id is not None:
        for profile in ordered:
            if profile.user_id > last_user_id:
                return profile
    return ordered[0]


def ticket_auto_assign(*, ticket: Ticket, now: datetime | None = None) -> Ticket | None:
    """Assign `ticket` by its category's rule. Returns the assigned ticket, or None when the category does
    not assign automatically, the ticket is no longer new and unassigned, or nobody qualifies (flagged)."""
    if not ticket.category_id:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        # Lock order everywhere here: category, technician profiles, then the ticket (in ticket_assign).
        category = Category.objects.select_for_update(of=("self",)).select_related("parent").get(pk=ticket.category_id)
        if category.auto_assign == AutoAssign.NONE:
            return None
        current = Ticket.objects.only("status", "assignee", "tier", "category").get(pk=ticket.pk)
        if current.status != TicketStatus.NEW or current.assignee_id or current.category_id != category.pk:
            return None
        candidates = _qualified(current, category)
        if not candidates:
            ticket_flag(
                ticket=current,
                action=selectors.ALERT_NO_TECHNICIAN,
                note=_("No qualified technician for automatic assignment: the ticket stays in triage."),
                now=now,
            )
            return None
        round_robin = category.auto_assign == AutoAssign.ROUND_ROBIN
        if round_robin:
            chosen = _next_in_turn(candidates, category.auto_assign_last_id)
        else:
            chosen = _least_loaded(candidates, current)
        try:
            assigned = ticket_assign(
                ticket=current,
                by=None,
                assignee=chosen.user,
                note=str(category.get_auto_assign_display()),
                now=now,
            )
        except WorkflowError:
            return None  # changed meanwhile: a coordinator got there first
        if round_robin:
            Category.objects.filter(pk=category.pk).update(auto_assign_last=chosen.user_id)
        return assigned
