"""The technicians report: for each technician in the period, resolved, resolution times, service level met,
resolutions reopened, escalations sent and received, time logged, and open tickets now against capacity,
each beside the median of their tier.

A fair basis for comparing peers: the medians are of the technicians of the same tier, who take the same
kind of work. A technician is shown their own row and their tier's medians, never a colleague's row; the
medians are computed from every row of the tier all the same.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from accounts.models import User
from reports import durations, links
from reports.models import DayDurations, DayFigures
from reports.periods import Period
from reports.selectors.figures import covering_both, current_flag, share
from tickets.selectors import open_tickets_by_technician

# The figures of a row, in the order of the table's columns.
COLUMNS = (
    "resolved",
    "resolution_median",
    "resolution_p90",
    "resolution_met",
    "reopened_after",
    "escalations_sent",
    "escalations_received",
    "minutes_logged",
    "open_now",
)


@dataclass(frozen=True)
class TechnicianRow:
    user_id: int
    name: str
    tier: int
    capacity: int
    figures: dict[str, float | None]
    previous: dict[str, float | None]
    links: dict[str, str] = field(default_factory=dict)

    @property
    def load_percent(self) -> int:
        return round(100 * (self.figures["open_now"] or 0) / (self.capacity or 1))


@dataclass(frozen=True)
class TierMedians:
    tier: int
    technicians: int
    figures: dict[str, float | None]


@dataclass(frozen=True)
class TechniciansReport:
    period: Period
    previous: Period
    rows: list[TechnicianRow]  # only the viewer's own when they may not see every technician
    medians: list[TierMedians]


def _figures(sums: Counter[str], histogram: Counter[int]) -> dict[str, float | None]:
    return {
        "resolved": sums["resolved"],
        "resolution_median": durations.percentile(histogram, 0.5),
        "resolution_p90": durations.percentile(histogram, 0.9),
        "resolution_met": share(sums["resolution_met"], sums["resolution_measured"]),
        "reopened_after": sums["reopened_after"],
        "escalations_sent": sums["escalations_sent"],
        "escalations_received": sums["escalations_received"],
        "minutes_logged": sums["minutes_logged"],
    }


def technicians_report(period: Period, *, viewer: User, everyone: bool, tier: int | None = None) -> TechniciansReport:
    """The report as `viewer` may see it (`everyone`: every technician's row). Four queries."""
    previous = period.previous()
    technicians = list(
        User.objects.filter(technician_profile__isnull=False, is_active=True)
        .select_related("technician_profile")
        .order_by("technician_profile__tier", "first_name", "last_name", "pk")
    )
    if tier is not None:
        technicians = [user for user in technicians if user.technician_profile.tier == tier]
    current = current_flag(period)
    in_both = {"group_by": "technician", "within": "", "within_member": ""}
    sums: dict[tuple[bool, str], Counter[str]] = defaultdict(Counter)
    measures = ("resolved", "resolution_met", "resolution_measured", "reopened_after", "escalations_sent",
                "escalations_received", "minutes_logged")  # fmt: skip
    rows = (
        DayFigures.objects.filter(covering_both(period), **in_both)
        .annotate(current=current)
        .values_list("current", "member")
        .annotate(*[Sum(name) for name in measures])
        .order_by()
    )
    for is_current, member, *values in rows:
        sums[(is_current, member)].update(dict(zip(measures, values, strict=True)))
    histograms: dict[tuple[bool, str], Counter[int]] = defaultdict(Counter)
    # Whole months from the monthly rows, odd days from the daily ones (reports.selectors.figures).
    buckets = (
        DayDurations.objects.filter(
            covering_both(period), group_by="technician", within="", within_member="", measure="resolution"
        )
        .annotate(current=current)
        .values_list("current", "member", "bucket")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for is_current, member, bucket, n in buckets:
        histograms[(is_current, member)][bucket] += n
    open_now = {user_id: sum(by_priority.values()) for user_id, by_priority in open_tickets_by_technician().items()}

    rows_all = []
    for user in technicians:
        member = str(user.pk)
        figures = _figures(sums[(True, member)], histograms[(True, member)])
        figures["open_now"] = open_now.get(user.pk, 0)
        before = _figures(sums[(False, member)], histograms[(False, member)])
        before["open_now"] = None
        rows_all.append(
            TechnicianRow(
                user_id=user.pk,
                name=user.get_full_name() or user.email,
                tier=user.technician_profile.tier,
                capacity=user.technician_profile.capacity,
                figures=figures,
                previous=before,
                links=_links(user.pk, period.first, period.last),
            )
        )
    medians = []
    for tier_value in sorted({row.tier for row in rows_all}):
        peers = [row for row in rows_all if row.tier == tier_value]
        medians.append(TierMedians(tier_value, len(peers), {name: _median(peers, name) for name in COLUMNS}))
    shown = rows_all if everyone else [row for row in rows_all if row.user_id == viewer.pk]
    return TechniciansReport(period, previous, shown, medians)


def _median(rows: list[TechnicianRow], name: str) -> float | None:
    values = [row.figures[name] for row in rows if row.figures[name] is not None]
    return statistics.median(values) if values else None  # type: ignore[type-var]


def _links(user_id: int, first: date, last: date) -> dict[str, str]:
    resolved = links.resolved(first, last, assignee=user_id)
    return {
        "resolved": resolved,
        "resolution_median": resolved,
        "resolution_p90": resolved,
        "resolution_met": links.resolved(first, last, assignee=user_id, resolution_met="yes"),
        "reopened_after": links.activity("reopened_after", user_id, first, last),
        "escalations_sent": links.activity("escalations_sent", user_id, first, last),
        "escalations_received": links.activity("escalations_received", user_id, first, last),
        "minutes_logged": links.activity("time_logged", user_id, first, last),
        "open_now": links.ticket_list(status="open", assignee=user_id),
    }
