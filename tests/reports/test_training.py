"""Training needs against figures computed by hand: questions of knowing how (by category, or by a user
guidance resolution code) made through the services under a frozen clock."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from reports.periods import Period
from reports.selectors.training import is_mostly, training_needs
from tests import factories
from tickets import services
from tickets.models import ReportAs

pytestmark = pytest.mark.django_db

WEEK = Period(date(2026, 3, 2), date(2026, 3, 8))
PREVIOUS = Period(date(2026, 2, 23), date(2026, 3, 1))


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour - 1, tzinfo=UTC)  # Stockholm is UTC+1 in February and March


def _do(when: datetime, call, **kwargs):
    with time_machine.travel(when, tick=False):
        return call(now=when, **kwargs)


@pytest.fixture
def asked(coordinator, technician):
    """This week: Anna (Finance) 4 Excel, 1 Outlook, 1 Printer; Cy (Finance) 3 Outlook, 3 Printer; Bo (Sales)
    4 Printer, one of them resolved with "user_training" (a question of knowing how by its code).
    Last week: Anna 1 Excel, 1 Printer. Excel and Outlook are categories of knowing how."""
    finance, sales = factories.DepartmentFactory(name="Finance"), factories.DepartmentFactory(name="Sales")
    anna = factories.EmployeeFactory(first_name="Anna", last_name="Berg", department=finance)
    cy = factories.EmployeeFactory(first_name="Cy", last_name="Dahl", department=finance)
    bo = factories.EmployeeFactory(first_name="Bo", last_name="Ek", department=sales)
    excel = factories.CategoryFactory(name="Excel", report_as=ReportAs.HOW_TO)
    outlook = factories.CategoryFactory(name="Outlook", report_as=ReportAs.HOW_TO)
    printer = factories.CategoryFactory(name="Printer")

    def ask(when, employee, category, n=1):
        return [
            _do(when, services.ticket_create, by=coordinator, requester=employee, subject="How?",
                category=category, impact=3, urgency=2)
            for _ in range(n)
        ]  # fmt: skip

    ask(at(24, 9, 2), anna, excel)
    ask(at(25, 9, 2), anna, printer)
    ask(at(2, 9), anna, excel, 4)
    ask(at(3, 9), anna, outlook)
    ask(at(3, 10), anna, printer)
    ask(at(4, 9), cy, outlook, 3)
    ask(at(4, 10), cy, printer, 3)
    (taught, *_rest) = ask(at(5, 9), bo, printer, 4)
    taught = _do(at(5, 10), services.ticket_assign, ticket=taught, by=coordinator, assignee=technician)
    _do(at(5, 11), services.ticket_resolve, ticket=taught, by=technician, resolution_notes="Showed how.",
        resolution_code="user_training")  # fmt: skip
    return {"anna": anna, "bo": bo, "cy": cy, "finance": finance, "sales": sales, "excel": excel,
            "outlook": outlook, "printer": printer}  # fmt: skip


def test_mostly_is_three_questions_and_half_the_tickets():
    assert is_mostly(3, 6)  # 50 %
    assert not is_mostly(2, 2)  # 100 %, but two questions are no pattern
    assert not is_mostly(3, 7)  # 42.9 %
    assert not is_mostly(0, 0)


def test_employees_and_departments_that_mostly_ask_how(asked, django_assert_num_queries):
    with time_machine.travel(at(9, 12), tick=False), django_assert_num_queries(8):
        report = training_needs(WEEK)
    anna, cy = asked["anna"], asked["cy"]
    # Anna: 6 tickets, 5 of knowing how (4 Excel + 1 Outlook): 83.3 %; last week 1 of 2: 50.0 %.
    # Cy: 6 tickets, 3 (Outlook): 50.0 %. Bo: 4 tickets, 1 (by its code): 25.0 %, and only one: not mostly.
    assert [(row.name, row.how_to, row.created, row.share, row.mostly) for row in report.employees] == [
        ("Anna Berg", 5, 6, 83.3, True),
        ("Cy Dahl", 3, 6, 50.0, True),
    ]
    first = report.employees[0]
    assert (first.previous_how_to, first.previous_created, first.previous_share) == (1, 2, 50.0)
    assert (first.kind, first.member_id, first.department) == ("employee", anna.pk, "Finance")
    # The topics come first, most asked first: Excel 4 (1 last week), Outlook 1.
    assert [(t.name, t.how_to, t.previous) for t in first.topics] == [("Excel", 4, 1), ("Outlook", 1, 0)]
    assert [(t.name, t.how_to) for t in report.employees[1].topics] == [("Outlook", 3)]
    assert first.filters == {
        "days": "desk", "status": "any", "created_from": "2026-03-02", "created_to": "2026-03-08",
        "how_to": "yes", "requester": anna.employee_number,
    }  # fmt: skip
    assert first.all_filters == {
        "days": "desk", "status": "any", "created_from": "2026-03-02", "created_to": "2026-03-08",
        "requester": anna.employee_number,
    }  # fmt: skip
    assert first.previous_filters["created_from"] == "2026-02-23"
    assert first.topics[0].filters == {**first.filters, "category": str(asked["excel"].pk)}
    assert report.employees[1].member_id == cy.pk

    # Finance: 12 tickets (Anna 6, Cy 6), 8 of knowing how: 66.7 %; last week 1 of 2: 50.0 %.
    # Its topics: Excel 4 and Outlook 4 (Anna 1 + Cy 3), as many: by name. Sales: 1 of 4, not mostly.
    assert [(row.name, row.how_to, row.created, row.share) for row in report.departments] == [("Finance", 8, 12, 66.7)]
    finance = report.departments[0]
    assert [(t.name, t.how_to, t.previous) for t in finance.topics] == [("Excel", 4, 1), ("Outlook", 4, 0)]
    assert (finance.previous_how_to, finance.previous_created, finance.previous_share) == (1, 2, 50.0)
    assert finance.filters["department"] == str(asked["finance"].pk) and finance.filters["how_to"] == "yes"


def test_everyone_who_asked_when_not_only_mostly(asked):
    with time_machine.travel(at(9, 12), tick=False):
        report = training_needs(WEEK, only_mostly=False)
    assert [(row.name, row.how_to, row.share, row.mostly) for row in report.employees] == [
        ("Anna Berg", 5, 83.3, True),
        ("Cy Dahl", 3, 50.0, True),
        ("Bo Ek", 1, 25.0, False),  # 1 of 4
    ]
    # Bo's one question is a printer ticket solved with "user_training".
    assert [(t.name, t.how_to) for t in report.employees[2].topics] == [("Printer", 1)]
    assert [(row.name, row.how_to, row.created, row.share) for row in report.departments] == [
        ("Finance", 8, 12, 66.7),
        ("Sales", 1, 4, 25.0),
    ]


def test_nobody_to_list(db, django_assert_num_queries):
    with django_assert_num_queries(2):  # the two rankings, nothing to look up
        report = training_needs(WEEK)
    assert report.employees == [] and report.departments == []
