"""Machines that break often, against figures computed by hand: devices with known purchase and warranty
dates, hardware tickets made through the services under a frozen clock."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from assets.models import DeviceStatus
from reports.periods import Period
from reports.selectors.machines import machines_report, replacement_candidates, service_days
from tests import factories
from tickets import services
from tickets.models import ReportAs

pytestmark = pytest.mark.django_db

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))  # 31 days
PREVIOUS = Period(date(2026, 2, 1), date(2026, 2, 28))  # the month before: 28 days


def at(day: int, hour: int, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour - 1, tzinfo=UTC)  # Stockholm is UTC+1 from November to March


def _do(when: datetime, call, **kwargs):
    with time_machine.travel(when, tick=False):
        return call(now=when, **kwargs)


@pytest.fixture
def fleet(coordinator, technician):
    """Two ThinkPads and two OptiPlexes in service, one ThinkPad bought after March.

    D1 ThinkPad, bought 2023-03-16, warranty to 2026-03-15: failed 2 February (resolved the 3rd), 10 March
      (resolved the 11th) and 25 March (14 days after a resolution: a repeat, and out of warranty); a
      software ticket on 12 March is no failure.
    D2 ThinkPad, bought 2026-03-17, warranty to 2029-03-16: failed 20 March.
    D3 OptiPlex, no purchase date, entered 2025-06-01, no warranty known: failed 5 March.
    D4 OptiPlex, bought 2020-01-01, retired on 11 March (its last change): never failed.
    D5 ThinkPad, bought 2026-04-10: not yet in service in March.
    """
    hardware = factories.CategoryFactory(name="Hardware", report_as=ReportAs.HARDWARE)
    software = factories.CategoryFactory(name="Software")
    anna = factories.EmployeeFactory()

    def device(tag, model, **fields):
        return factories.DeviceFactory(asset_tag=tag, model=model, status=DeviceStatus.IN_USE, **fields)

    with time_machine.travel(at(1, 12, 6, 2025), tick=False):
        d1 = device("AT-1", "ThinkPad T14", purchase_date=date(2023, 3, 16), warranty_end=date(2026, 3, 15))
        d2 = device("AT-2", "ThinkPad T14", purchase_date=date(2026, 3, 17), warranty_end=date(2029, 3, 16))
        d3 = device("AT-3", "OptiPlex 7090")
        d4 = device("AT-4", "OptiPlex 7090", purchase_date=date(2020, 1, 1))
        device("AT-5", "ThinkPad T14", purchase_date=date(2026, 4, 10))
    with time_machine.travel(at(11, 12), tick=False):
        d4.status = DeviceStatus.RETIRED
        d4.save()

    def fail(when, on, category=hardware):
        return _do(when, services.ticket_create, by=coordinator, requester=anna, subject="Broken",
                   category=category, device=on, impact=3, urgency=2)  # fmt: skip

    def resolve(when, ticket):
        ticket = _do(when, services.ticket_assign, ticket=ticket, by=coordinator, assignee=technician)
        return _do(when, services.ticket_resolve, ticket=ticket, by=technician, resolution_notes="Done.",
                   resolution_code="fixed")  # fmt: skip

    resolve(at(3, 10, 2), fail(at(2, 9, 2), d1))
    first = fail(at(10, 9), d1)
    resolve(at(11, 9), first)
    fail(at(12, 9), d1, software)
    second = fail(at(25, 9), d1)
    fail(at(20, 9), d2)
    fail(at(5, 9), d3)
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "first": first, "second": second}


def test_days_in_service_within_a_period(fleet):
    d1, d2, d4 = fleet["d1"], fleet["d2"], fleet["d4"]

    def days(device, period):
        return service_days(device.purchase_date, device.created_at, device.status, device.updated_at, period)

    assert days(d1, MARCH) == 31
    assert days(d2, MARCH) == 15  # 17 to 31 March
    assert days(d2, PREVIOUS) == 0
    assert days(d4, MARCH) == 11  # retired on the 11th: 1 to 11 March
    assert days(d4, PREVIOUS) == 28


def test_devices_ranked_by_failures_per_device_year(fleet, django_assert_num_queries):
    with time_machine.travel(at(31, 20), tick=False), django_assert_num_queries(8):
        report = machines_report(MARCH)
    d1, d2, d3 = fleet["d1"], fleet["d2"], fleet["d3"]
    # Each divides by at least min(90, 31) = 31 days:
    # D1 2 * 365.25 / 31 = 23.56; D2 1 * 365.25 / max(15, 31) = 11.78; D3 1 * 365.25 / 31 = 11.78 (the
    # tie of rate and failures goes by asset tag).
    assert [row.device_id for row in report.devices] == [d1.pk, d2.pk, d3.pk]
    one, two, three = report.devices
    # The month before (February, 28 days): D1's one failure * 365.25 / 28 = 13.04.
    assert (one.failures, one.previous_failures, one.rate, one.previous_rate) == (2, 1, 23.56, 13.04)
    assert (two.failures, two.previous_failures, two.rate, two.previous_rate) == (1, 0, 11.78, None)
    assert (three.failures, three.previous_failures, three.rate, three.previous_rate) == (1, 0, 11.78, 0.0)
    assert (one.service_days, one.device_years) == (31, 0.085)  # 31 / 365.25 = 0.0849
    assert (two.service_days, two.device_years) == (15, 0.041)  # 15 / 365.25 = 0.0411

    # D1's failures: 10 March is 1090 days after 16 March 2023 (1096 days to 16 March 2026, less 6),
    # 2.98 -> 3.0 years, in warranty (to the 15th); 25 March is 1105 days, 3.03 -> 3.0 years, out of
    # warranty, and came 14 days after the resolution of 11 March: a repeat. The 2 February failure was
    # resolved on the 3rd, 35 days before 10 March: that one is no repeat.
    assert [(f.ticket_id, f.day, f.age_days, f.age_years, f.warranty, f.repeat) for f in one.failure_list] == [
        (fleet["first"].pk, date(2026, 3, 10), 1090, 3.0, "in", False),
        (fleet["second"].pk, date(2026, 3, 25), 1105, 3.0, "out", True),
    ]
    assert (one.repeat_failures, one.previous_repeat_failures) == (1, 0)
    assert one.warranty_at_end == "out" and one.age_years_at_end == 3.0  # 1111 days = 3.04 years
    assert one.failure_list[0].url == fleet["first"].get_absolute_url()
    assert one.failure_list[0].reference == f"HD-{fleet['first'].pk}"
    # D2: 3 days old on 20 March, in warranty. D3: entered 1 June 2025, 277 days before 5 March 2026
    # (273 to 1 March, then 4): 0.76 -> 0.8 years, warranty unknown.
    assert [(f.age_days, f.age_years, f.warranty) for f in two.failure_list] == [(3, 0.0, "in")]
    assert [(f.age_days, f.age_years, f.warranty) for f in three.failure_list] == [(277, 0.8, "unknown")]
    assert three.purchase_date is None and three.warranty_at_end == "unknown"

    assert one.url == d1.get_absolute_url()
    assert one.filters == {
        "days": "desk", "status": "any", "created_from": "2026-03-01", "created_to": "2026-03-31",
        "report_as": "hardware", "device": str(d1.pk),
    }  # fmt: skip
    assert one.previous_filters["created_from"] == "2026-02-01" and one.previous_filters["created_to"] == "2026-02-28"
    # Replacement: D1 fails often (2 failures, 23.56 >= 2 a year), again within 30 days, and out of
    # warranty. D2 and D3 failed once, in (or without) warranty, never again.
    assert one.reasons == ("frequent", "repeat", "out_of_warranty")
    assert two.reasons == () and three.reasons == ()


def test_models_against_the_fleet(fleet):
    with time_machine.travel(at(31, 20), tick=False):
        report = machines_report(MARCH)
    # Device-days in March: ThinkPad D1 31 + D2 15 (D5 not yet bought) = 46 of 2 devices;
    # OptiPlex D3 31 + D4 11 (retired on the 11th) = 42 of 2 devices; the fleet 88.
    # Failures: ThinkPad 3 (D1 twice, D2), OptiPlex 1 (D3); the fleet 4.
    # Rates: ThinkPad 3 * 365.25 / 46 = 23.82; OptiPlex 365.25 / 42 = 8.70; fleet 4 * 365.25 / 88 = 16.60.
    # Against the fleet: 23.82 / 16.6 = 1.43; 8.7 / 16.6 = 0.52.
    models = {row.model: row for row in report.models}
    assert [row.model for row in report.models] == ["ThinkPad T14", "OptiPlex 7090"]
    thinkpad, optiplex = models["ThinkPad T14"], models["OptiPlex 7090"]
    assert (thinkpad.devices, thinkpad.device_years, thinkpad.failures, thinkpad.rate) == (2, 0.126, 3, 23.82)
    assert (optiplex.devices, optiplex.device_years, optiplex.failures, optiplex.rate) == (2, 0.115, 1, 8.7)
    assert (report.fleet_failures, report.fleet_device_years, report.fleet_rate) == (4, 0.241, 16.6)
    assert (thinkpad.ratio_to_fleet, optiplex.ratio_to_fleet) == (1.43, 0.52)
    # The month before (1 to 28 February): D1, D3 and D4 in service all 28 days, D2 and D5 not yet.
    # ThinkPad 1 failure * 365.25 / 28 = 13.04; OptiPlex 0 / 56 = 0.0; the fleet 1 failure in
    # 28 + 56 = 84 days: 365.25 / 84 = 4.35.
    assert (thinkpad.previous_failures, thinkpad.previous_rate) == (1, 13.04)
    assert (optiplex.previous_failures, optiplex.previous_rate) == (0, 0.0)
    assert (report.previous_fleet_failures, report.previous_fleet_device_years) == (1, 0.23)  # 84 / 365.25 = 0.2300
    assert report.previous_fleet_rate == 4.35
    assert thinkpad.filters == {
        "days": "desk", "status": "any", "created_from": "2026-03-01", "created_to": "2026-03-31",
        "report_as": "hardware", "device_model": "ThinkPad T14",
    }  # fmt: skip


def test_replacement_candidates_and_a_bounded_list(fleet, django_assert_num_queries):
    with time_machine.travel(at(31, 20), tick=False), django_assert_num_queries(5):
        candidates = replacement_candidates(MARCH)
    assert [(row.device_id, row.reasons) for row in candidates] == [
        (fleet["d1"].pk, ("frequent", "repeat", "out_of_warranty"))
    ]
    with time_machine.travel(at(31, 20), tick=False), django_assert_num_queries(8):
        report = machines_report(MARCH, limit=1)
    assert [row.device_id for row in report.devices] == [fleet["d1"].pk]


def test_the_same_queries_without_any_failure(db, django_assert_num_queries):
    with django_assert_num_queries(4):
        report = machines_report(MARCH)
    assert report.devices == [] and report.models == [] and report.fleet_rate is None
