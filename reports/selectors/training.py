"""Training needs: the departments that ask how to do things and the employees whose tickets mostly do, with the
topics they ask about, so the next training can be planned around the topics (never around the people).

A ticket is a question of knowing how when its category is reported as one, or it was solved with a
resolution code that means user guidance (tickets.models.TrainingSetup); it counts on its day of creation
(reports.rollups). A person is listed when their tickets are "mostly" such questions: at least MIN_HOW_TO in
the period and at least MOSTLY per cent of all the tickets they opened. A department is listed with at least
MIN_HOW_TO, whatever their share (its `mostly` says whether they are also most of its tickets). Rows are
ranked by the number of such tickets, then by their share; each row names its topics first (the categories
asked about, most first).
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q, Sum
from django.utils.translation import gettext

from assets.models import Department, Employee
from reports.links import Filters, created_filters
from reports.models import DayFigures
from reports.periods import Period
from reports.selectors.figures import covering, covering_both, current_flag, share
from tickets.models import Category

Kind = Literal["employee", "department"]

MIN_HOW_TO = 3
MOSTLY = 50.0  # per cent
TOPICS = 3  # the topics a row names
LIMIT = 50


@dataclass(frozen=True)
class Topic:
    """A category asked about: how many questions of knowing how this period and before."""

    category_id: int | None  # None: questions without a category
    name: str
    how_to: int
    previous: int
    filters: Filters


@dataclass(frozen=True)
class NeedRow:
    """An employee's or a department's questions of knowing how, the topics first."""

    topics: list[Topic]  # at most TOPICS, most asked first
    kind: Kind
    member_id: int
    name: str
    department: str  # the employee's department now ("" for a department row)
    how_to: int
    created: int
    share: float | None  # how_to of created, in per cent
    mostly: bool
    previous_how_to: int
    previous_created: int
    previous_share: float | None
    filters: Filters  # the questions of knowing how this period
    previous_filters: Filters
    all_filters: Filters  # every ticket this period (the share's whole)


@dataclass(frozen=True)
class TrainingReport:
    period: Period
    previous: Period
    employees: list[NeedRow]
    departments: list[NeedRow]


def is_mostly(how_to: int, created: int) -> bool:
    return how_to >= MIN_HOW_TO and created > 0 and 100 * how_to / created >= MOSTLY


def _sums(period: Period, which: Q, **where: object) -> dict[str, list[int]]:
    """{member or within_member: [created, how_to, created before, how_to before]} of the rows `which` of a
    slice (this period's, the previous one's or both), one query."""
    key = "within_member" if where.get("group_by") == "" else "member"
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows = (
        DayFigures.objects.filter(which, **where)
        .annotate(current=current_flag(period))
        .values_list(key, "current")
        .annotate(created=Sum("created"), how_to=Sum("how_to"))
        .order_by()
    )
    for member, is_current, created, how_to in rows:
        at = 0 if is_current else 2
        found[member][at] += created or 0
        found[member][at + 1] += how_to or 0
    return found


def _topics(group_by: str, members: list[str], period: Period) -> dict[str, dict[str, list[int]]]:
    """{member: {category: [how_to, how_to before]}} of the listed members, one query (index day_figures_member)."""
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = (
        DayFigures.objects.filter(covering_both(period), group_by=group_by, member__in=members, within="topic")
        .annotate(current=current_flag(period))
        .values_list("member", "within_member", "current")
        .annotate(how_to=Sum("how_to"))
        .order_by()
    )
    for member, category, is_current, how_to in rows:
        found[member][category][0 if is_current else 1] += how_to or 0
    return found


def _ranked(sums: dict[str, list[int]], only_mostly: bool, limit: int, minimum: int = 1) -> list[tuple[str, list[int]]]:
    kept = [
        (member, figures)
        for member, figures in sums.items()
        if member.isdigit() and figures[1] >= minimum and (is_mostly(figures[1], figures[0]) or not only_mostly)
    ]
    kept.sort(key=lambda pair: (-pair[1][1], -(pair[1][1] / (pair[1][0] or 1)), int(pair[0])))
    return kept[:limit]


def training_needs(period: Period, *, only_mostly: bool = True, limit: int = LIMIT) -> TrainingReport:
    """Employees whose tickets are mostly questions of knowing how, and departments that asked at least
    MIN_HOW_TO (at most `limit` each; not `only_mostly`: everyone who asked any), with their topics.

    Eight queries when any are listed (employees' sums this period, the listed employees' the period before,
    departments' sums, the listed employees, their topics, the listed departments' topics, the departments'
    and categories' names); two when nobody asked. The employees are ranked on this period alone: ten
    thousand employees' year is read once, from an index alone (day_figures_employee_how_to).
    """
    previous = period.previous()
    everyone = {"group_by": "employee", "within": "", "within_member": ""}
    people = _ranked(_sums(period, covering(period), **everyone), only_mostly, limit)
    if people:
        before = _sums(period, covering(previous), **everyone, member__in=[member for member, _f in people])
        for member, figures in people:
            figures[2:] = before[member][2:] if member in before else [0, 0]
    # A department is listed by how many questions it asks, whatever their share: a class is planned for the
    # many questions of a large department as much as for a small one that asks little else.
    departments = _ranked(
        _sums(period, covering_both(period), group_by="", member="", within="department"),
        False,
        limit,
        minimum=MIN_HOW_TO if only_mostly else 1,
    )
    employees = (
        Employee.objects.select_related("department").in_bulk([int(member) for member, _f in people]) if people else {}
    )
    people_topics = _topics("employee", [member for member, _f in people], period) if people else {}
    department_topics = _topics("department", [member for member, _f in departments], period) if departments else {}
    department_ids = [int(member) for member, _f in departments]
    department_names = (
        {pk: d.translated_name for pk, d in Department.objects.in_bulk(department_ids).items()} if departments else {}
    )
    category_ids = {
        int(category)
        for topics in (*people_topics.values(), *department_topics.values())
        for category in topics
        if category.isdigit()
    }
    categories = {pk: str(c) for pk, c in Category.objects.select_related("parent").in_bulk(category_ids).items()}

    def topics_of(found: dict[str, list[int]], more: dict[str, str]) -> list[Topic]:
        rows = [
            Topic(
                category_id=int(category) if category.isdigit() else None,
                name=categories.get(int(category), category) if category.isdigit() else gettext("No category"),
                how_to=now,
                previous=before,
                filters=created_filters(
                    period.first, period.last, how_to="yes", **more, **({"category": category} if category else {})
                ),
            )
            for category, (now, before) in found.items()
            if now
        ]
        rows.sort(key=lambda topic: (-topic.how_to, topic.category_id is None, topic.name))
        return rows[:TOPICS]

    def row(kind: Kind, member: str, figures: list[int], name: str, department: str, more: dict[str, str],
            found: dict[str, list[int]]) -> NeedRow:  # fmt: skip
        created, how_to, created_before, how_to_before = figures
        return NeedRow(
            topics=topics_of(found, more),
            kind=kind,
            member_id=int(member),
            name=name,
            department=department,
            how_to=how_to,
            created=created,
            share=share(how_to, created),
            mostly=is_mostly(how_to, created),
            previous_how_to=how_to_before,
            previous_created=created_before,
            previous_share=share(how_to_before, created_before),
            filters=created_filters(period.first, period.last, how_to="yes", **more),
            previous_filters=created_filters(previous.first, previous.last, how_to="yes", **more),
            all_filters=created_filters(period.first, period.last, **more),
        )

    employee_rows = []
    for member, figures in people:
        employee = employees.get(int(member))
        if employee is None:
            continue
        requester = employee.employee_number or employee.email
        employee_rows.append(
            row(
                "employee",
                member,
                figures,
                employee.full_name,
                employee.department.translated_name if employee.department else "",
                {"requester": requester},
                people_topics.get(member, {}),
            )
        )
    department_rows = [
        row(
            "department",
            member,
            figures,
            department_names.get(int(member), member),
            "",
            {"department": member},
            department_topics.get(member, {}),
        )
        for member, figures in departments
    ]
    return TrainingReport(period=period, previous=previous, employees=employee_rows, departments=department_rows)
