"""The desk report: created and resolved, the backlog, response and resolution times, service levels,
reopened, escalated and first-contact resolutions, by channel; this period beside the previous one."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from knowledge.selectors import problems_solved
from reports import links
from reports.models import DayFigures
from reports.periods import Period
from reports.selectors.figures import Slice, covering, days, histograms, percentiles, share, sum_before, total
from tickets.models import Channel


@dataclass(frozen=True)
class Figure:
    """One key figure in this period and the previous one. `unit`: "count", "percent" or "minutes";
    `rising_is_good` says which way is better (for the colour of the change)."""

    key: str
    label: str | Promise
    value: float | None
    previous: float | None
    unit: str
    link: str
    rising_is_good: bool

    @property
    def change(self) -> float | None:
        """The change against the previous period in per cent (None when there is nothing to compare)."""
        if self.value is None or not self.previous:
            return None
        return round(100 * (self.value - self.previous) / self.previous, 1)


@dataclass(frozen=True)
class Bucket:
    """A bar of the chart and a row of its table: a day or a week of the period."""

    first: date
    last: date
    created: int
    resolved: int
    backlog: int
    created_link: str
    resolved_link: str
    backlog_link: str


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    label: str | Promise
    created: int
    resolved: int
    first_contact: int
    created_link: str
    resolved_link: str
    first_contact_link: str


@dataclass(frozen=True)
class DeskReport:
    period: Period
    previous: Period
    by_week: bool
    figures: list[Figure]
    buckets: list[Bucket]
    channels: list[ChannelRow]  # empty when a filter is chosen: the rollups keep channels for the whole desk


def desk_report(period: Period, within: tuple[str, str] = ("", "")) -> DeskReport:
    """The desk's figures for `period` (within one filter's member, or whole). Six queries at most."""
    where: Slice = {"group_by": "", "member": "", "within": within[0], "within_member": within[1]}
    filters = {within[0]: within[1]} if within[0] else {}
    previous = period.previous()
    by_day = days(where, previous.first, period.last)
    now, before = total(by_day, period), total(by_day, previous)
    opening = sum_before(where, previous.first, "backlog")
    times = histograms(where, period)
    response, response_before = percentiles(times[(True, "response")]), percentiles(times[(False, "response")])
    resolution = percentiles(times[(True, "resolution")])
    resolution_before = percentiles(times[(False, "resolution")])
    backlog_end = opening + before["backlog"] + now["backlog"]
    backlog_start = opening + before["backlog"]

    def created(**more: object) -> str:
        return links.created(period.first, period.last, **filters, **more)

    def resolved(**more: object) -> str:
        return links.resolved(period.first, period.last, **filters, **more)

    figures = [
        Figure("created", _("Created"), now["created"], before["created"], "count", created(), False),
        Figure("resolved", _("Resolved"), now["resolved"], before["resolved"], "count", resolved(), True),
        Figure(
            "backlog",
            _("Open at the end"),
            backlog_end,
            backlog_start,
            "count",
            links.ticket_list(status="any", open_on=period.last.isoformat(), **filters),
            False,
        ),
        Figure("response_median", _("First response, median"), response[0], response_before[0], "minutes",
               created(responded="yes"), False),
        Figure("response_p90", _("First response, 90th percentile"), response[1], response_before[1], "minutes",
               created(responded="yes"), False),
        Figure("resolution_median", _("Resolution, median"), resolution[0], resolution_before[0], "minutes",
               resolved(), False),
        Figure("resolution_p90", _("Resolution, 90th percentile"), resolution[1], resolution_before[1], "minutes",
               resolved(), False),
        Figure("response_met", _("First response in time"), share(now["response_met"], now["responded"]),
               share(before["response_met"], before["responded"]), "percent", created(response_met="yes"), True),
        Figure("resolution_met", _("Resolved in time"), share(now["resolution_met"], now["resolution_measured"]),
               share(before["resolution_met"], before["resolution_measured"]), "percent",
               resolved(resolution_met="yes"), True),
        Figure("reopened", _("Reopened, of resolved"), share(now["reopened"], now["resolved"]),
               share(before["reopened"], before["resolved"]), "percent", resolved(reopened="yes"), False),
        Figure("escalated", _("Escalated, of created"), share(now["escalated"], now["created"]),
               share(before["escalated"], before["created"]), "percent", created(escalated="yes"), False),
        Figure("first_contact", _("Resolved at first contact"), share(now["first_contact"], now["resolved"]),
               share(before["first_contact"], before["resolved"]), "percent", resolved(first_contact="yes"), True),
    ]  # fmt: skip
    self_help = problems_solved(((period.first, period.last), (previous.first, previous.last)), within)
    if self_help is not None:
        # Not tickets: its link opens the articles that avoided most.
        figures.append(
            Figure("self_help", _("Solved without a ticket (help articles)"), self_help[0], self_help[1], "count",
                   f"{reverse('knowledge:index')}?order=avoided", True)
        )  # fmt: skip

    buckets, running = [], backlog_start
    starts = period.buckets()
    for index, start in enumerate(starts):
        first = max(start, period.first)
        last = min(starts[index + 1] - timedelta(days=1), period.last) if index + 1 < len(starts) else period.last
        created_n = resolved_n = 0
        day = first
        while day <= last:
            measures = by_day.get(day)
            if measures:
                created_n += measures["created"]
                resolved_n += measures["resolved"]
                running += measures["backlog"]
            day += timedelta(days=1)
        buckets.append(
            Bucket(
                first=first,
                last=last,
                created=created_n,
                resolved=resolved_n,
                backlog=running,
                created_link=links.created(first, last, **filters),
                resolved_link=links.resolved(first, last, **filters),
                backlog_link=links.ticket_list(status="any", open_on=last.isoformat(), **filters),
            )
        )

    channels = []
    if not within[0]:
        rows = (
            DayFigures.objects.filter(covering(period), group_by="", member="", within="channel")
            .values_list("within_member")
            .annotate(created=Sum("created"), resolved=Sum("resolved"), first_contact=Sum("first_contact"))
            .order_by()
        )
        found = {channel: (c, r, f) for channel, c, r, f in rows}
        for value, label in Channel.choices:
            c, r, f = found.get(value, (0, 0, 0))
            if value == Channel.EMAIL and not (c or r):
                continue  # no mail intake yet: no empty row for it
            channels.append(
                ChannelRow(
                    channel=value,
                    label=label,
                    created=c,
                    resolved=r,
                    first_contact=f,
                    created_link=links.created(period.first, period.last, channel=value),
                    resolved_link=links.resolved(period.first, period.last, channel=value),
                    first_contact_link=links.resolved(period.first, period.last, channel=value, first_contact="yes"),
                )
            )
    return DeskReport(period, previous, period.by_week(), figures, buckets, channels)
