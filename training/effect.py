"""The measured effect of a training session: the tickets on its topic per person per month, in the 90 days
before the session's day and the 90 days after it, for those who came, for those invited who did not come,
and for the whole organisation over the same days.

- A ticket is on the topic when its category is one of the session's, or its resolution code is; it counts
  on its day of creation (the desk's days), as the training-needs report counts.
- Each person counts only for the days they were here: from the day they joined (`Employee.started_on`)
  to the day they left (`left_on`), within the window. A person-month is 30 such days; a group's figure is
  its tickets over its person-months. "People" is how many were here at all in the window.
- The after-window ends yesterday until 90 days have passed: the figure so far, and the caution says so.
- Those who came and those invited are at most a few hundred people: their tickets are read from the
  ticket table by requester (an index). The whole organisation is read from the rollups (reports.rollups:
  the desk within each category, and each resolution code within each category), never from the tickets.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.utils.translation import gettext

from assets.models import Employee
from core.days import day_of, desk_zone
from reports.models import DayFigures
from reports.periods import Period
from reports.selectors.figures import covering_ranges
from tickets.models import ResolutionCode, Ticket
from training.models import Invitation, TrainingSession

WINDOW_DAYS = 90
MONTH_DAYS = 30
# Fewer people than this in a group, or fewer days than this after the session: no conclusion is drawn.
MIN_PEOPLE = 5
MIN_DAYS_AFTER = 30

FAR_PAST, FAR_FUTURE = date.min, date.max


@dataclass(frozen=True)
class Topic:
    key: str  # "all", "category:<id>", "code:<value>"
    name: str
    categories: frozenset[int]
    codes: frozenset[str]

    def holds(self, category_id: int | None, code: str) -> bool:
        return (category_id is not None and category_id in self.categories) or (bool(code) and code in self.codes)


@dataclass(frozen=True)
class Figure:
    tickets: int
    people: int
    person_days: int

    @property
    def per_person_month(self) -> float | None:
        if not self.person_days:
            return None
        return self.tickets * MONTH_DAYS / self.person_days


@dataclass(frozen=True)
class GroupFigures:
    key: str  # "attended", "absent", "everyone"
    label: str
    before: Figure
    after: Figure

    @property
    def change(self) -> float | None:
        before, after = self.before.per_person_month, self.after.per_person_month
        if before is None or after is None:
            return None
        return after - before

    @property
    def change_percent(self) -> float | None:
        before, after = self.before.per_person_month, self.after.per_person_month
        if not before or after is None:
            return None
        return 100 * (after - before) / before


@dataclass(frozen=True)
class TopicEffect:
    topic: Topic
    groups: list[GroupFigures]


@dataclass(frozen=True)
class PersonFigures:
    """One invited person's own tickets on the topic: for coordinators and managers only."""

    invitation_id: int
    name: str
    attended: bool | None
    before: int
    after: int
    days_before: int
    days_after: int


@dataclass
class Effect:
    session: TrainingSession
    before: Period
    after: Period | None  # None: not a whole day has passed since the session
    topics: list[TopicEffect] = field(default_factory=list)
    people: list[PersonFigures] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)

    @property
    def measured(self) -> bool:
        return self.after is not None and bool(self.topics)

    @property
    def conclusive(self) -> bool:
        return self.measured and not self.cautions


def windows(session_day: date, today: date) -> tuple[Period, Period | None]:
    """The 90 days before the session's day, and the days after it up to 90 or yesterday."""
    before = Period(session_day - timedelta(days=WINDOW_DAYS), session_day - timedelta(days=1))
    last = min(session_day + timedelta(days=WINDOW_DAYS), today - timedelta(days=1))
    first = session_day + timedelta(days=1)
    return before, (Period(first, last) if last >= first else None)


def presence(started: date | None, left: date | None, window: Period) -> int:
    """The days of `window` a person was here (joined on `started`, left on `left`, both days counted)."""
    first = max(started or FAR_PAST, window.first)
    last = min(left or FAR_FUTURE, window.last)
    return max((last - first).days + 1, 0)


def topics_of(session: TrainingSession) -> list[Topic]:
    """The session's whole topic first, then each of its categories and resolution codes."""
    categories = sorted(session.categories.all(), key=str)
    codes = [code for code in ResolutionCode.values if code in set(session.resolution_codes or [])]
    category_ids = frozenset(c.pk for c in categories)
    topics = [Topic("all", gettext("All of its topics"), category_ids, frozenset(codes))]
    if len(categories) + len(codes) > 1:
        topics += [Topic(f"category:{c.pk}", str(c), frozenset([c.pk]), frozenset()) for c in categories]
        labels = dict(ResolutionCode.choices)
        topics += [Topic(f"code:{code}", str(labels[code]), frozenset(), frozenset([code])) for code in codes]
    return topics


def session_effect(
    session: TrainingSession, *, today: date, with_people: bool = False, invitations: list[Invitation] | None = None
) -> Effect:
    """The session's effect as of `today`; with each invited person's own counts when `with_people`.
    `invitations`: the session's, with their employees, when the caller has read them already."""
    zone = desk_zone()
    session_day = day_of(session.starts_at, zone)
    before, after = windows(session_day, today)
    effect = Effect(session=session, before=before, after=after)
    if after is None:
        effect.cautions.append(gettext("The session was less than a day ago: there is nothing to compare yet."))
        return effect
    topics = topics_of(session)
    if not topics[0].categories and not topics[0].codes:
        effect.cautions.append(gettext("The session names no category or resolution code: give it a topic."))
        return effect
    if session.attendance_recorded_at is None:
        effect.cautions.append(gettext("Attendance is not recorded yet: record who came to compare the groups."))

    if invitations is None:
        invitations = list(
            Invitation.objects.filter(session=session)
            .select_related("employee")
            .only("pk", "attended", "employee__first_name", "employee__last_name", "employee__started_on",
                  "employee__left_on")
        )  # fmt: skip
    by_employee = {invitation.employee_id: invitation for invitation in invitations}
    tickets = (
        Ticket.objects.filter(
            requester_id__in=list(by_employee),
            created_at__gte=_start(before.first, zone),
            created_at__lt=_start(after.last + timedelta(days=1), zone),
        )
        .filter(Q(category_id__in=topics[0].categories) | Q(resolution_code__in=topics[0].codes))
        .values_list("requester_id", "category_id", "resolution_code", "created_at")
        .order_by()
    )
    # (employee, topic key, "before" | "after") -> tickets
    counted: dict[tuple[int, str, str], int] = defaultdict(int)
    for requester_id, category_id, code, created_at in tickets:
        day = day_of(created_at, zone)
        employee = by_employee[requester_id].employee
        for name, window in (("before", before), ("after", after)):
            if window.first <= day <= window.last and presence(employee.started_on, employee.left_on, Period(day, day)):
                for topic in topics:
                    if topic.holds(category_id, code):
                        counted[(requester_id, topic.key, name)] += 1

    def group(key: str, label: str, members: list[Invitation], topic: Topic) -> GroupFigures:
        figures = {}
        for name, window in (("before", before), ("after", after)):
            days = [presence(i.employee.started_on, i.employee.left_on, window) for i in members]
            figures[name] = Figure(
                tickets=sum(counted[(i.employee_id, topic.key, name)] for i in members),
                people=sum(1 for d in days if d),
                person_days=sum(days),
            )
        return GroupFigures(key, label, figures["before"], figures["after"])

    attended = [i for i in invitations if i.attended]
    absent = [i for i in invitations if not i.attended]
    everyone = _organisation(topics, before, after)
    for topic in topics:
        effect.topics.append(
            TopicEffect(
                topic,
                [
                    group("attended", gettext("Came"), attended, topic),
                    group("absent", gettext("Invited, did not come"), absent, topic),
                    GroupFigures("everyone", gettext("Whole organisation"), *everyone[topic.key]),
                ],
            )
        )
    if with_people:
        effect.people = [
            PersonFigures(
                invitation_id=i.pk,
                name=i.employee.full_name,
                attended=i.attended,
                before=counted[(i.employee_id, "all", "before")],
                after=counted[(i.employee_id, "all", "after")],
                days_before=presence(i.employee.started_on, i.employee.left_on, before),
                days_after=presence(i.employee.started_on, i.employee.left_on, after),
            )
            for i in invitations
        ]
    effect.cautions += _cautions(effect)
    return effect


def _cautions(effect: Effect) -> list[str]:
    notes = []
    assert effect.after is not None
    whole = effect.topics[0].groups
    came, absent = whole[0], whole[1]
    if effect.after.days < MIN_DAYS_AFTER:
        notes.append(
            gettext("Only %(days)s days have passed since the session: too soon to tell.") % {"days": effect.after.days}
        )
    elif effect.after.days < WINDOW_DAYS:
        notes.append(
            gettext("The figures after the session cover %(days)s days of 90 so far.") % {"days": effect.after.days}
        )
    if min(came.before.people, came.after.people) < MIN_PEOPLE:
        notes.append(
            gettext(
                "Fewer than %(min)s people came: a figure of so few people can move by chance alone. Read it as a "
                "hint, not a conclusion."
            )
            % {"min": MIN_PEOPLE}
        )
    if min(absent.before.people, absent.after.people) < MIN_PEOPLE:
        notes.append(
            gettext("Fewer than %(min)s of those invited did not come: the comparison with them says little.")
            % {"min": MIN_PEOPLE}
        )
    return notes


def _start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _organisation(topics: list[Topic], before: Period, after: Period) -> dict[str, tuple[Figure, Figure]]:
    """The whole organisation's tickets on each topic and its people, both windows: two queries on the
    employees and one on the rollups."""
    whole = topics[0]
    categories = [str(pk) for pk in sorted(whole.categories)]
    codes = sorted(whole.codes)
    # Each branch names its whole slice and one range of days, so each reads one range of an index: the desk
    # within the categories by the slices' index, each code by the members' (day_figures_member).
    which = Q()
    for window in (before, after):
        for grain, first, last in covering_ranges(window):
            days = {"grain": grain, "day__gte": first, "day__lte": last}
            if categories:
                which |= Q(**days, group_by="", member="", within="category", within_member__in=categories)
            for code in codes:
                which |= Q(**days, group_by="code_created", member=code, within="category")
    rows = (
        DayFigures.objects.filter(which)
        .values_list("group_by", "member", "within_member", "day")
        .annotate(created=Sum("created"))
        .order_by()
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for group_by, member, category, day, created in rows:
        name = "after" if day >= after.first else "before"
        category_id = int(category) if category.isdigit() else None
        code = member if group_by == "code_created" else ""
        for topic in topics:
            # A ticket of a category of the topic counts by its category; by its code only when its category
            # is not one of the topic's (it is counted there already).
            if group_by == "":
                if category_id in topic.categories:
                    counts[(topic.key, name)] += created or 0
            elif code in topic.codes and category_id not in topic.categories:
                counts[(topic.key, name)] += created or 0
    people = {name: _people(window) for name, window in (("before", before), ("after", after))}
    return {
        topic.key: (
            Figure(counts[(topic.key, "before")], *people["before"]),
            Figure(counts[(topic.key, "after")], *people["after"]),
        )
        for topic in topics
    }


def _people(window: Period) -> tuple[int, int]:
    """(people here at all, person-days) of the whole organisation in `window`: those here throughout are
    counted in the database; the few who joined or left within it are read one by one."""
    here = Q(started_on__isnull=True) | Q(started_on__lte=window.last)
    not_gone = Q(left_on__isnull=True) | Q(left_on__gte=window.first)
    throughout = (Q(started_on__isnull=True) | Q(started_on__lte=window.first)) & (
        Q(left_on__isnull=True) | Q(left_on__gte=window.last)
    )
    present = Employee.objects.filter(here, not_gone)
    full = present.filter(throughout).count()
    partial = [
        presence(joined, left, window)
        for joined, left in present.exclude(throughout).values_list("started_on", "left_on")
    ]
    return full + len(partial), full * window.days + sum(partial)
