"""Machines that break often: devices and device models ranked by hardware faults ("failures": tickets of a
category reported as hardware, counted on their day of creation) per device-year in service, repeat
failures, age and warranty at each failure, and the devices worth replacing.

Time in service, kept simple:
- A device is in service from its purchase date (or, without one, the day it was entered) to the end of the
  period. A retired device's service ends on the day it was last changed (`updated_at`): no retirement date
  is kept, and retiring it is normally its last change.
- Its days in the period are the days of that span within the period, both ends included; a device-year is
  365.25 such days.
- A device's own rate divides by at least min(MIN_EXPOSURE_DAYS, the period's days), so one failure of a
  device bought last week does not top the ranking. A model's and the fleet's rates divide by the plain
  device-years of every device (an aggregate over the Device table, never the tickets).

A repeat failure is a failure that came at most REPEAT_DAYS after an earlier hardware ticket of the same
device was resolved (tickets.failures, which keeps the flag on each ticket): counted in the rollups like the
failures. The faults a device's row lists are its latest SHOWN_FAILURES of the period, read from the index
ticket_device_created alone: a bounded read, however many faults a device had.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from django.db.models import Case, Count, DateField, DurationField, F, IntegerField, Q, Sum, Value, When, Window
from django.db.models.functions import Cast, Coalesce, Greatest, Least, RowNumber, TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assets.models import Device, DeviceStatus
from core.days import day_of, desk_zone
from reports.links import Filters, created_filters
from reports.models import DayFigures
from reports.periods import Period
from reports.selectors.figures import covering, covering_both, current_flag
from tickets.models import ReportAs, Ticket

# What each reason to replace and each warranty state reads as.
REASONS = {
    "frequent": _("fails often"),
    "repeat": _("failed again within 30 days"),
    "out_of_warranty": _("failed out of warranty"),
}
WARRANTY = {
    "in": _("in warranty"),
    "out": _("out of warranty"),
    "unknown": _("warranty unknown"),
}

YEAR_DAYS = 365.25
MIN_EXPOSURE_DAYS = 90
# The faults a device's row lists, the latest; its count says how many there were.
SHOWN_FAILURES = 10
LIMIT = 50
# A candidate for replacement: this many failures per device-year or more (with at least two failures),
# a repeat failure, or a failure out of warranty.
REPLACE_RATE = 2.0

Warranty = Literal["in", "out", "unknown"]
Reason = Literal["frequent", "repeat", "out_of_warranty"]


def failure_filters(period: Period, **more: str) -> Filters:
    """The staff list's parameters for the hardware tickets created in `period`."""
    return created_filters(period.first, period.last, report_as=ReportAs.HARDWARE.value, **more)


def service_start(purchase_date: date | None, created_at: datetime) -> date:
    return purchase_date or day_of(created_at)


def service_days(
    purchase_date: date | None, created_at: datetime, status: str, updated_at: datetime, period: Period
) -> int:
    """The device's days in service within `period` (the rule of the module's docstring)."""
    first = max(service_start(purchase_date, created_at), period.first)
    last = min(day_of(updated_at), period.last) if status == DeviceStatus.RETIRED else period.last
    return max((last - first).days + 1, 0)


def rate(failures: int, days: int) -> float | None:
    """Failures per device-year, to two decimals; None without time in service."""
    return round(failures * YEAR_DAYS / days, 2) if days > 0 else None


def warranty_on(warranty_end: date | None, day: date) -> Warranty:
    if warranty_end is None:
        return "unknown"
    return "in" if day <= warranty_end else "out"


@dataclass(frozen=True)
class Failure:
    """One hardware ticket of a listed device in the period: the device's age and warranty on its day."""

    ticket_id: int
    reference: str
    url: str
    day: date
    age_days: int
    age_years: float
    warranty: Warranty
    repeat: bool


@dataclass(frozen=True)
class DeviceRow:
    device_id: int
    asset_tag: str
    label: str
    model: str
    status: str
    purchase_date: date | None
    warranty_end: date | None
    warranty_at_end: Warranty  # on the period's last day
    age_years_at_end: float  # from the start of service to the period's last day
    service_days: int  # in the period
    device_years: float
    failures: int
    previous_failures: int
    rate: float | None  # failures per device-year (with the least exposure of the module's docstring)
    previous_rate: float | None
    repeat_failures: int
    previous_repeat_failures: int
    repairs: int  # sent to repair in the period
    failure_list: list[Failure]  # this period's latest SHOWN_FAILURES, oldest first
    url: str  # the device's page
    filters: Filters  # its hardware tickets this period
    previous_filters: Filters
    reasons: tuple[Reason, ...]  # why it is a replacement candidate; empty when it is not


@dataclass(frozen=True)
class ModelRow:
    model: str
    devices: int  # devices of the model in service at some time of the period
    device_years: float
    failures: int
    previous_failures: int
    rate: float | None
    previous_rate: float | None
    ratio_to_fleet: float | None  # the model's rate over the fleet's: 2.0 breaks twice as often
    filters: Filters
    previous_filters: Filters


@dataclass(frozen=True)
class MachinesReport:
    period: Period
    previous: Period
    devices: list[DeviceRow]  # the highest rates first, at most `limit`
    models: list[ModelRow]  # the highest rates first
    fleet_failures: int
    fleet_device_years: float
    fleet_rate: float | None
    previous_fleet_failures: int
    previous_fleet_device_years: float
    previous_fleet_rate: float | None


def _failures_by(group_by: str, period: Period, which: Q, **more: object) -> dict[str, list[int]]:
    """{member: [failures this period, before, repeat failures this period, before]} of a slice's rows
    `which` (this period's, the previous one's or both), one query. Named members (`member__in`) are read by
    the member index: devices and models are only ever counted whole (reports.rollups), so their rows need
    no `within` condition, and without one PostgreSQL does not scan every device's faults for fifty."""
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    whole = {} if "member__in" in more else {"within": "", "within_member": ""}
    rows = (
        DayFigures.objects.filter(which, group_by=group_by, **whole, **more)
        .annotate(current=current_flag(period))
        .values_list("member", "current")
        .annotate(n=Sum("failures"), repeats=Sum("repeat_failures"), repairs=Sum("repairs"))
        .order_by()
    )
    for member, is_current, n, repeats, repairs in rows:
        at = 0 if is_current else 1
        found[member][at] += n or 0
        found[member][at + 2] += repeats or 0
        found[member][at + 4] += repairs or 0
    return found


def _in_service(period: Period) -> tuple[Greatest, Case]:
    """The first and last day in service within `period` of each device, as expressions (the rule of the
    module's docstring, as service_days says it)."""
    zone = desk_zone()
    start = Greatest(Coalesce("purchase_date", TruncDate("created_at", tzinfo=zone)), Value(period.first))
    end = Case(
        When(status=DeviceStatus.RETIRED, then=Least(TruncDate("updated_at", tzinfo=zone), Value(period.last))),
        default=Value(period.last),
        output_field=DateField(),
    )
    return start, end


def fleet_service(period: Period) -> dict[str, tuple[int, int]]:
    """{model: (devices in service in the period, their days in service)}: one aggregate over the devices."""
    start, end = _in_service(period)
    rows = (
        Device.objects.annotate(start=start, end=end)
        .filter(start__lte=F("end"))
        .values_list("model")
        .annotate(devices=Count("pk"), span=Sum(F("end") - F("start"), output_field=DurationField()))
        .order_by()
    )
    # Each device's days are end - start + 1: the spans' sum plus one day a device.
    return {model: (devices, (span or timedelta()).days + devices) for model, devices, span in rows}


def _device_rows(period: Period, counts: dict[str, list[int]], ids: list[int]) -> list[DeviceRow]:
    """The rows of the devices `ids` (ranked as given): three queries, the devices, their figures in both
    periods and their latest faults."""
    if not ids:
        return []
    previous = period.previous()
    zone = desk_zone()
    devices = Device.objects.in_bulk(ids)
    figures = _failures_by("device", period, covering_both(period), member__in=[str(pk) for pk in ids])
    begin = datetime.combine(period.first, time.min, tzinfo=zone)
    end = datetime.combine(period.last + timedelta(days=1), time.min, tzinfo=zone)
    latest = (
        Ticket.objects.filter(
            device_id__in=ids, category__report_as=ReportAs.HARDWARE, created_at__gte=begin, created_at__lt=end
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("device_id")], order_by=[F("created_at").desc(), F("pk").desc()])
        )
        .filter(rank__lte=SHOWN_FAILURES)
        .order_by("device_id", "created_at", "pk")
        .values_list("device_id", "pk", "created_at", "repeat_failure")
    )
    shown: dict[int, list[tuple[int, datetime, bool]]] = defaultdict(list)
    for device_id, pk, created_at, repeat in latest:
        shown[device_id].append((pk, created_at, repeat))

    rows = []
    ticket_url = reverse("tickets:detail", kwargs={"number": 0}).removesuffix("0/")
    for pk in ids:
        device = devices.get(pk)
        if device is None:
            continue
        start = service_start(device.purchase_date, device.created_at)
        days = service_days(device.purchase_date, device.created_at, device.status, device.updated_at, period)
        days_before = service_days(device.purchase_date, device.created_at, device.status, device.updated_at, previous)
        failures: list[Failure] = []
        for ticket_id, created_at, repeat in shown.get(pk, []):
            day = day_of(created_at, zone)
            age = (day - start).days
            failures.append(
                Failure(
                    ticket_id=ticket_id,
                    reference=f"HD-{ticket_id}",
                    url=f"{ticket_url}{ticket_id}/",  # Ticket.get_absolute_url
                    day=day,
                    age_days=age,
                    age_years=round(age / YEAR_DAYS, 1),
                    warranty=warranty_on(device.warranty_end, day),
                    repeat=repeat,
                )
            )
        now = counts.get(str(pk), [0])[0]
        _now, before, repeats, repeats_before, repairs, _repairs_before = figures.get(str(pk), [0, 0, 0, 0, 0, 0])
        least = min(MIN_EXPOSURE_DAYS, period.days)
        device_rate = rate(now, max(days, least)) if days else None
        least_before = min(MIN_EXPOSURE_DAYS, previous.days)
        previous_rate = rate(before, max(days_before, least_before)) if days_before else None
        reasons: list[Reason] = []
        if device.status != DeviceStatus.RETIRED:
            if now >= 2 and device_rate is not None and device_rate >= REPLACE_RATE:
                reasons.append("frequent")
            if repeats:
                reasons.append("repeat")
            if any(failure.warranty == "out" for failure in failures):
                reasons.append("out_of_warranty")
        rows.append(
            DeviceRow(
                device_id=pk,
                asset_tag=device.asset_tag,
                label=str(device),
                model=device.model,
                status=device.status,
                purchase_date=device.purchase_date,
                warranty_end=device.warranty_end,
                warranty_at_end=warranty_on(device.warranty_end, period.last),
                age_years_at_end=round((period.last - start).days / YEAR_DAYS, 1),
                service_days=days,
                device_years=round(days / YEAR_DAYS, 3),
                failures=now,
                previous_failures=before,
                rate=device_rate,
                previous_rate=previous_rate,
                repeat_failures=repeats,
                previous_repeat_failures=repeats_before,
                repairs=repairs,
                failure_list=failures,
                url=device.get_absolute_url(),
                filters=failure_filters(period, device=str(pk)),
                previous_filters=failure_filters(previous, device=str(pk)),
                reasons=tuple(reasons),
            )
        )
    return rows


# Above this many candidates the ranking names them to the database by a join, not one by one.
NAMED_CANDIDATES = 2000


def _ranked_ids(period: Period, counts: dict[str, list[int]], limit: int) -> list[int]:
    """The devices that failed in the period, the highest rates first (one query: the candidates' days in
    service).

    Only devices that can reach the ranking are read: the `limit` devices with the most failures f each have
    a rate of at least f_limit * 365.25 / (the period's days), and no device's rate exceeds its failures *
    365.25 / MIN_EXPOSURE_DAYS, so a device with fewer than f_limit * MIN_EXPOSURE_DAYS / (the period's
    days) failures is strictly below the `limit`-th rate. At a desk where a few devices fail often, a few
    hundred of twenty thousand."""
    failing = sorted(
        ((figures[0], int(member)) for member, figures in counts.items() if figures[0] and member.isdigit()),
        reverse=True,
    )
    if not failing:
        return []
    least = min(MIN_EXPOSURE_DAYS, period.days)
    floor = failing[min(limit, len(failing)) - 1][0] * least / period.days
    candidates = [pk for failures, pk in failing if failures >= floor]
    devices = Device.objects.all()
    if len(candidates) <= NAMED_CANDIDATES:
        devices = devices.filter(pk__in=candidates)
    else:
        devices = devices.filter(
            pk__in=DayFigures.objects.filter(
                covering(period), group_by="device", within="", within_member="", failures__gt=0
            )
            .annotate(device_id=Cast("member", IntegerField()))
            .values("device_id")
        )
    start, end = _in_service(period)
    scored = []
    for pk, asset_tag, span in (
        devices.annotate(start=start, end=end)
        .annotate(span=Case(When(start__lte=F("end"), then=F("end") - F("start")), output_field=DurationField()))
        .values_list("pk", "asset_tag", "span")
    ):
        failures = counts.get(str(pk), [0])[0]
        days = span.days + 1 if span is not None else 0  # both ends included
        scored.append((-(failures * YEAR_DAYS / max(days, least)), -failures, asset_tag, pk))
    return [pk for *_key, pk in sorted(scored)[:limit]]


def machines_report(period: Period, *, limit: int = LIMIT) -> MachinesReport:
    """The devices (at most `limit`) and models that fail most per device-year in `period`, beside the fleet.

    Eight queries when any device failed (devices' failures this period, the failing devices' days in
    service, the listed devices, their figures in both periods, their latest faults, models' failures, the
    fleet in both periods); four when none did. Only the listed devices' figures of the period before are
    read: every device's year is read once, from an index alone (day_figures_device_faults).
    """
    previous = period.previous()
    counts = _failures_by("device", period, covering(period))
    ids = _ranked_ids(period, counts, limit)
    devices = _device_rows(period, counts, ids)

    model_counts = _failures_by("device_model", period, covering_both(period))
    fleet_now, fleet_before = fleet_service(period), fleet_service(previous)
    models = []
    for model in sorted(set(model_counts) | set(fleet_now)):
        now, before, *_repeats = model_counts.get(model, [0, 0, 0, 0])
        if not model or not (now or before):
            continue  # a device without a model is counted in the fleet, never a row of its own
        devices_in, days = fleet_now.get(model, (0, 0))
        _devices_before, days_before = fleet_before.get(model, (0, 0))
        models.append((model, devices_in, days, now, before, rate(now, days), rate(before, days_before)))
    total_now = sum(figures[0] for figures in model_counts.values())
    total_before = sum(figures[1] for figures in model_counts.values())
    days_now = sum(days for _devices, days in fleet_now.values())
    days_before = sum(days for _devices, days in fleet_before.values())
    fleet_rate, previous_fleet_rate = rate(total_now, days_now), rate(total_before, days_before)
    model_rows = [
        ModelRow(
            model=model,
            devices=devices_in,
            device_years=round(days / YEAR_DAYS, 3),
            failures=now,
            previous_failures=before,
            rate=model_rate,
            previous_rate=model_previous_rate,
            ratio_to_fleet=round(model_rate / fleet_rate, 2) if model_rate is not None and fleet_rate else None,
            filters=failure_filters(period, device_model=model),
            previous_filters=failure_filters(previous, device_model=model),
        )
        for model, devices_in, days, now, before, model_rate, model_previous_rate in models
    ]
    model_rows.sort(key=lambda row: (row.rate is None, -(row.rate or 0), -row.failures, row.model))
    return MachinesReport(
        period=period,
        previous=previous,
        devices=devices,
        models=model_rows,
        fleet_failures=total_now,
        fleet_device_years=round(days_now / YEAR_DAYS, 3),
        fleet_rate=fleet_rate,
        previous_fleet_failures=total_before,
        previous_fleet_device_years=round(days_before / YEAR_DAYS, 3),
        previous_fleet_rate=previous_fleet_rate,
    )


def replacement_candidates(period: Period, *, limit: int = 500) -> list[DeviceRow]:
    """The devices in service worth replacing, for the CSV export: REPLACE_RATE failures per device-year or
    more (at least two failures), a repeat failure, or a failure out of warranty. Read from the `limit`
    devices with the highest rates in the period (five queries at most); each row's `reasons` say why."""
    counts = _failures_by("device", period, covering(period))
    rows = _device_rows(period, counts, _ranked_ids(period, counts, limit))
    return [row for row in rows if row.reasons]
