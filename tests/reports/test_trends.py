"""Problem trends against figures computed by hand: tickets made through the services under a frozen clock,
so the rollups are kept by the real path."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from reports.periods import Period
from reports.selectors.trends import is_rising, problem_trends
from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db

WEEK = Period(date(2026, 3, 2), date(2026, 3, 8))  # Monday to Sunday
PREVIOUS = Period(date(2026, 2, 23), date(2026, 3, 1))


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour - 1, tzinfo=UTC)  # Stockholm is UTC+1 in February and March


def _do(when: datetime, call, **kwargs):
    with time_machine.travel(when, tick=False):
        return call(now=when, **kwargs)


@pytest.fixture
def trends(coordinator, technician):
    """Printer: 2 tickets last week (Anna), 10 this week (Anna 3 on Monday, Bo 4 on Tuesday and 3 on
    Thursday). Email: 8 last week (Cy), 10 this week (Anna 5, Bo 5, on Wednesday). Anna and Cy work in
    Finance, Bo in Sales; each has a location of their own.
    Resolved: last week one of Anna's printer tickets (hardware_replaced); this week Bo's four Tuesday printer
    tickets on Wednesday (hardware_replaced) and one of Anna's email tickets on Friday (user_training)."""
    finance, sales = factories.DepartmentFactory(name="Finance"), factories.DepartmentFactory(name="Sales")
    anna = factories.EmployeeFactory(department=finance)
    bo = factories.EmployeeFactory(department=sales)
    cy = factories.EmployeeFactory(department=finance)
    printer = factories.CategoryFactory(name="Printer")
    email = factories.CategoryFactory(name="Email")

    def create(when, employee, category):
        return _do(when, services.ticket_create, by=coordinator, requester=employee, subject="Help",
                   category=category, impact=3, urgency=2)  # fmt: skip

    def resolve(when, ticket, code):
        ticket = _do(when, services.ticket_assign, ticket=ticket, by=coordinator, assignee=technician)
        return _do(when, services.ticket_resolve, ticket=ticket, by=technician, resolution_notes="Done.",
                   resolution_code=code)  # fmt: skip

    old_printer = [create(at(24, 9, 2), anna, printer), create(at(26, 9, 2), anna, printer)]
    resolve(at(25, 10, 2), old_printer[0], "hardware_replaced")
    for n in range(8):
        create(at(23 + n % 5, 10, 2), cy, email)
    for _ in range(3):
        create(at(2, 9), anna, printer)
    tuesday = [create(at(3, 9), bo, printer) for _ in range(4)]
    for _ in range(3):
        create(at(5, 9), bo, printer)
    anna_email = [create(at(4, 11), anna, email) for _ in range(5)]
    for _ in range(5):
        create(at(4, 11), bo, email)
    for ticket in tuesday:
        resolve(at(4, 14), ticket, "hardware_replaced")
    resolve(at(6, 10), anna_email[0], "user_training")
    return {"finance": finance, "sales": sales, "anna": anna, "bo": bo, "printer": printer, "email": email}


def test_the_rising_rule():
    # At least 10 now, up 25 %, and a rise of two Poisson standard deviations of the previous count.
    assert is_rising(10, 0)
    assert is_rising(10, 2)  # +8 >= 2 * sqrt(2) = 2.8
    assert not is_rising(9, 0)  # too few
    assert not is_rising(10, 8)  # +25 %, but +2 < 2 * sqrt(8) = 5.7: chance
    assert not is_rising(40, 33)  # +21 %
    assert is_rising(60, 40)  # +50 %, +20 >= 2 * sqrt(40) = 12.6
    assert not is_rising(10, 10)


def test_the_categories_and_codes_of_the_week_against_the_last(trends, django_assert_num_queries):
    with time_machine.travel(at(9, 12), tick=False), django_assert_num_queries(6):
        report = problem_trends(WEEK)
    printer, email = trends["printer"], trends["email"]
    assert report.previous == PREVIOUS and not report.by_week
    rows = {row.label: row for row in report.categories}
    assert [row.label for row in report.categories] == [
        "Printer",
        "Email",
    ]  # 10 and 10: the larger rise (from 2, not 8) first
    # Printer: 10 against 2: +400 %; 10 >= 10, 10 >= 1.25 * 2, +8 >= 2 * sqrt(2) = 2.83: rising.
    assert (rows["Printer"].count, rows["Printer"].previous, rows["Printer"].change) == (10, 2, 400.0)
    assert rows["Printer"].rising
    # Email: 10 against 8: +25 %, but +2 < 2 * sqrt(8) = 5.66: not rising, and no drivers.
    assert (rows["Email"].count, rows["Email"].previous, rows["Email"].change) == (10, 8, 25.0)
    assert not rows["Email"].rising and rows["Email"].drivers == []
    # By day: Monday 3 (Anna), Tuesday 4 (Bo), Thursday 3 (Bo); Email all on Wednesday.
    assert [point.count for point in rows["Printer"].series] == [3, 4, 0, 3, 0, 0, 0]
    assert [point.count for point in rows["Email"].series] == [0, 0, 10, 0, 0, 0, 0]
    assert rows["Printer"].series[1].filters == {
        "days": "desk", "status": "any", "created_from": "2026-03-03", "created_to": "2026-03-03",
        "category": str(printer.pk),
    }  # fmt: skip
    assert rows["Printer"].filters == {
        "days": "desk", "status": "any", "created_from": "2026-03-02", "created_to": "2026-03-08",
        "category": str(printer.pk),
    }  # fmt: skip
    assert rows["Printer"].previous_filters["created_from"] == "2026-02-23"
    assert rows["Email"].member == str(email.pk)

    # Who drives the printer rise: Sales (and Bo's location) 7 against 0 = +7; Finance (Anna's location)
    # 3 against 2 = +1. Cy's location had no printer ticket: not listed.
    drivers = [(d.dimension, d.name, d.count, d.previous) for d in rows["Printer"].drivers]
    assert drivers == [
        ("department", "Sales", 7, 0),
        ("location", trends["bo"].location.path, 7, 0),
        ("department", "Finance", 3, 2),
        ("location", trends["anna"].location.path, 3, 2),
    ]
    assert rows["Printer"].drivers[0].filters == {
        "days": "desk", "status": "any", "created_from": "2026-03-02", "created_to": "2026-03-08",
        "category": str(printer.pk), "department": str(trends["sales"].pk),
    }  # fmt: skip
    assert report.rising == [rows["Printer"]]

    # Codes count on their day of resolution: hardware_replaced 4 (Wednesday) against 1: +300 %, too few to
    # be rising; user_training 1 against none: no change to show.
    codes = {row.member: row for row in report.resolution_codes}
    assert (codes["hardware_replaced"].count, codes["hardware_replaced"].previous) == (4, 1)
    assert codes["hardware_replaced"].change == 300.0 and not codes["hardware_replaced"].rising
    assert [point.count for point in codes["hardware_replaced"].series] == [0, 0, 4, 0, 0, 0, 0]
    assert (codes["user_training"].count, codes["user_training"].previous, codes["user_training"].change) == (
        1,
        0,
        None,
    )
    assert str(codes["user_training"].label) == "User training"
    assert codes["hardware_replaced"].filters == {
        "days": "desk", "status": "solved", "resolved_from": "2026-03-02", "resolved_to": "2026-03-08",
        "resolution_code": "hardware_replaced",
    }  # fmt: skip


def test_within_a_department(trends, django_assert_num_queries):
    finance = trends["finance"]
    with time_machine.travel(at(9, 12), tick=False), django_assert_num_queries(3):
        report = problem_trends(WEEK, within=("department", str(finance.pk)))
    # Finance: Email 5 (Anna) against 8 (Cy); Printer 3 (Anna) against 2 (Anna).
    rows = {row.label: (row.count, row.previous, row.change, row.rising) for row in report.categories}
    assert rows == {"Email": (5, 8, -37.5, False), "Printer": (3, 2, 50.0, False)}  # (5-8)/8, (3-2)/2
    codes = {row.member: (row.count, row.previous) for row in report.resolution_codes}
    assert codes == {"hardware_replaced": (0, 1), "user_training": (1, 0)}
    assert report.categories[0].filters["department"] == str(finance.pk)
    assert report.resolution_codes[0].filters["department"] == str(finance.pk)


def test_a_long_period_is_charted_by_week(trends):
    # 2026-01-05 (a Monday) to 2026-03-31: 86 days, by week; the bars start on Mondays, the last is
    # 30-31 March. The printer tickets fall in the weeks of 23 February (2) and 2 March (10).
    period = Period(date(2026, 1, 5), date(2026, 3, 31))
    with time_machine.travel(at(31, 12), tick=False):
        report = problem_trends(period)
    assert report.by_week
    printer = next(row for row in report.categories if row.label == "Printer")
    weeks = {point.first: point.count for point in printer.series}
    assert weeks[date(2026, 2, 23)] == 2 and weeks[date(2026, 3, 2)] == 10
    assert sum(weeks.values()) == 12 == printer.count
    assert printer.series[-1].first == date(2026, 3, 30) and printer.series[-1].last == date(2026, 3, 31)
    assert printer.series[-1].filters["created_to"] == "2026-03-31"


def test_no_tickets_no_topics(db, django_assert_num_queries):
    with django_assert_num_queries(2):  # the series and the totals: nothing rises, no name to look up
        report = problem_trends(WEEK)
    assert report.categories == [] and report.resolution_codes == [] and report.rising == []


def test_nothing_rises_from_a_period_before_the_first_tickets(coordinator):
    """Twelve printer tickets in March and none ever before: new, not rising (nothing to compare with)."""
    printers = factories.CategoryFactory(name="Printers")
    employee = factories.EmployeeFactory()
    for day in range(2, 14):
        when = datetime(2026, 3, day, 9, tzinfo=UTC)
        with time_machine.travel(when, tick=False):
            services.ticket_create(
                by=coordinator, requester=employee, subject="Jam", impact=3, urgency=2, category=printers, now=when
            )
    with time_machine.travel(datetime(2026, 4, 2, tzinfo=UTC), tick=False):
        report = problem_trends(Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert [row.count for row in report.categories] == [12]
    assert not report.comparable
    assert report.rising == [] and not report.categories[0].rising
