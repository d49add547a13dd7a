"""Projects: the list, a project's progress and its tickets."""

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Tier
from tickets.models import (
    OPEN_STATUSES,
    Project,
    Ticket,
    TicketStatus,
)
from tickets.selectors.lists import tickets_for_list

# --- projects ----------------------------------------------------------------------------------


def projects_for_list() -> QuerySet[Project]:
    open_q = Q(tickets__status__in=OPEN_STATUSES)
    return (
        Project.objects.select_related("project_manager", "facilities_contact", "location")
        .annotate(open_count=Count("tickets", filter=open_q), ticket_count=Count("tickets"))
        .order_by("-created_at", "-pk")
    )


def project_progress(project: Project) -> dict[str, Any]:
    """Open and finished tickets of a project by status and by tier, and the time spent. One query."""
    tickets = Ticket.objects.filter(project=project)
    aggregates = {"total": Count("pk"), "minutes": Coalesce(Sum("time_spent_minutes"), 0)}
    for status in TicketStatus:
        aggregates[f"status_{status.value}"] = Count("pk", filter=Q(status=status))
    for tier in Tier:
        aggregates[f"tier_{tier.value}_open"] = Count("pk", filter=Q(tier=tier, status__in=OPEN_STATUSES))
        aggregates[f"tier_{tier.value}_done"] = Count(
            "pk", filter=Q(tier=tier, status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
        )
    totals = tickets.aggregate(**aggregates)
    by_status = [(status, status.label, totals[f"status_{status.value}"]) for status in TicketStatus]
    open_count = sum(count for status, _label, count in by_status if status in OPEN_STATUSES)
    resolved = totals[f"status_{TicketStatus.RESOLVED.value}"] + totals[f"status_{TicketStatus.CLOSED.value}"]
    counted = open_count + resolved  # cancelled tickets do not count towards progress
    return {
        "total": totals["total"],
        "open": open_count,
        "resolved": resolved,
        "percent_done": round(100 * resolved / counted) if counted else 0,
        "by_status": [row for row in by_status if row[2]],
        "by_tier": [
            (tier, tier.label, totals[f"tier_{tier.value}_open"], totals[f"tier_{tier.value}_done"]) for tier in Tier
        ],
        "minutes": totals["minutes"],
    }


def tickets_of_project(project: Project) -> QuerySet[Ticket]:
    return tickets_for_list(Ticket.objects.filter(project=project)).order_by("status", "priority", "pk")
