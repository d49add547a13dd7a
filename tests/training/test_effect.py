"""The measured effect of a session, computed by hand on a small organisation under frozen time: people who
joined or left within the windows count only for their days, a ticket of a topic category resolved with a
topic code counts once, and the whole organisation is read from the rollups."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from reports.recount import recount
from tests import factories
from tickets.models import ResolutionCode, TicketStatus
from training import effect as effects
from training.models import Answer, Invitation, TrainingSession

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
SESSION_DAY = date(2026, 6, 10)  # the windows: 12 Mar - 9 Jun, and 11 Jun - 8 Sep
TODAY = date(2026, 9, 20)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def _ticket(employee, day: date, category, code: str = "") -> None:
    factories.TicketFactory(
        requester=employee,
        category=category,
        created_at=_at(day),
        **({"status": TicketStatus.RESOLVED, "resolved_at": _at(day, 15), "resolution_code": code} if code else {}),
    )


@pytest.fixture
def organisation(technician, manager):
    """Six people here, one who joined after the session, one long gone; the tickets of each."""
    excel = factories.CategoryFactory(name="Excel")
    printer = factories.CategoryFactory(name="Printer")
    finance = factories.DepartmentFactory(name="Finance")
    person = lambda name, **dates: factories.EmployeeFactory(first_name=name, department=finance, **dates)  # noqa: E731
    people = {
        "a1": person("Anna"),
        "a2": person("Bo", started_on=date(2026, 4, 11)),  # 60 days before the session
        "a3": person("Cleo", left_on=date(2026, 7, 26), is_active=False),  # 46 days after it
        "n1": person("Dag"),
        "n2": person("Eva"),
        "o1": person("Finn"),
        "o2": person("Gus", started_on=date(2026, 8, 1)),  # 39 days after, none before
        "o3": person("Hal", left_on=date(2026, 1, 1), is_active=False),  # gone before both windows
    }
    before, after = date(2026, 4, 20), date(2026, 7, 1)
    for _ in range(3):
        _ticket(people["a1"], before, excel)
    _ticket(people["a1"], after, excel)
    _ticket(people["a1"], SESSION_DAY, excel)  # the session's own day: in neither window
    _ticket(people["a1"], SESSION_DAY - timedelta(days=91), excel)  # before the window
    _ticket(people["a2"], before, excel)
    _ticket(people["a2"], before, excel, ResolutionCode.USER_TRAINING)
    _ticket(people["a3"], before, excel)
    _ticket(people["a3"], before, printer)  # another topic
    _ticket(people["a3"], date(2026, 7, 20), printer, ResolutionCode.USER_TRAINING)  # on topic by its code
    _ticket(people["n1"], before, excel)
    _ticket(people["n1"], date(2026, 3, 12), excel)  # the window's first day
    _ticket(people["n1"], after, excel)
    _ticket(people["n1"], date(2026, 9, 8), excel, ResolutionCode.USER_TRAINING)  # the last day; counted once
    _ticket(people["n2"], after, excel)
    _ticket(people["o1"], before, excel)
    _ticket(people["o2"], date(2026, 8, 15), excel)
    recount()  # the rollups, as the nightly recount keeps them
    with time_machine.travel(_at(SESSION_DAY, 8), tick=False):
        session = TrainingSession.objects.create(
            title="Excel for Finance", trainer=technician, planned_by=manager, capacity=10, place="Room 4",
            starts_at=_at(SESSION_DAY), ends_at=_at(SESSION_DAY, 12), resolution_codes=["user_training"],
        )  # fmt: skip
    session.categories.set([excel])
    for key in ("a1", "a2", "a3"):
        Invitation.objects.create(session=session, employee=people[key], answer=Answer.ACCEPTED, attended=True)
    Invitation.objects.create(session=session, employee=people["n1"], answer=Answer.DECLINED, attended=False)
    Invitation.objects.create(session=session, employee=people["n2"], attended=False)
    session.attendance_recorded_at = _at(SESSION_DAY, 13)
    session.save()
    return session, people, excel


def _groups(effect, key: str) -> dict[str, effects.GroupFigures]:
    topic = next(t for t in effect.topics if t.topic.key == key)
    return {group.key: group for group in topic.groups}


def test_the_whole_topic_per_person_per_month_by_hand(organisation):
    session, _people, _excel = organisation
    effect = effects.session_effect(session, today=TODAY)
    assert (effect.before.first, effect.before.last) == (date(2026, 3, 12), date(2026, 6, 9))
    assert (effect.after.first, effect.after.last) == (date(2026, 6, 11), date(2026, 9, 8))
    groups = _groups(effect, "all")

    came = groups["attended"]
    # Before: Anna 90 days, Bo 60 (joined 11 Apr), Cleo 90; 3 + 2 + 1 tickets.
    assert (came.before.people, came.before.person_days, came.before.tickets) == (3, 240, 6)
    assert came.before.per_person_month == pytest.approx(6 * 30 / 240)  # 0.75
    # After: Anna 90, Bo 90, Cleo 46 (left 26 Jul); Anna's one and Cleo's printer resolved as user training.
    assert (came.after.people, came.after.person_days, came.after.tickets) == (3, 226, 2)
    assert came.after.per_person_month == pytest.approx(2 * 30 / 226)
    assert came.change_percent == pytest.approx(100 * (2 * 30 / 226 - 0.75) / 0.75)

    absent = groups["absent"]
    assert (absent.before.people, absent.before.person_days, absent.before.tickets) == (2, 180, 2)
    assert (absent.after.people, absent.after.person_days, absent.after.tickets) == (2, 180, 3)
    assert absent.after.per_person_month == pytest.approx(0.5)

    everyone = groups["everyone"]
    # Before: the six here (Gus not yet, Hal long gone): 90 * 5 + 60 days; 6 + 2 + 1 tickets.
    assert (everyone.before.people, everyone.before.person_days, everyone.before.tickets) == (6, 510, 9)
    # After: seven (Gus from 1 Aug: 39 days; Cleo 46): 90 * 5 + 46 + 39; 2 + 3 + Gus's 1.
    assert (everyone.after.people, everyone.after.person_days, everyone.after.tickets) == (7, 535, 6)
    assert everyone.after.per_person_month == pytest.approx(6 * 30 / 535)


def test_each_category_and_code_of_the_topic_on_its_own(organisation):
    session, _people, excel = organisation
    effect = effects.session_effect(session, today=TODAY)
    assert [t.topic.key for t in effect.topics] == ["all", f"category:{excel.pk}", "code:user_training"]
    by_category = _groups(effect, f"category:{excel.pk}")
    assert (by_category["attended"].before.tickets, by_category["attended"].after.tickets) == (6, 1)
    assert (by_category["absent"].before.tickets, by_category["absent"].after.tickets) == (2, 3)
    assert (by_category["everyone"].before.tickets, by_category["everyone"].after.tickets) == (9, 5)
    by_code = _groups(effect, "code:user_training")
    assert (by_code["attended"].before.tickets, by_code["attended"].after.tickets) == (1, 1)
    assert (by_code["absent"].before.tickets, by_code["absent"].after.tickets) == (0, 1)
    assert (by_code["everyone"].before.tickets, by_code["everyone"].after.tickets) == (1, 2)


def test_each_person_s_own_counts_and_days(organisation):
    session, _people, _excel = organisation
    effect = effects.session_effect(session, today=TODAY, with_people=True)
    own = {row.name.split()[0]: (row.before, row.after, row.days_before, row.days_after) for row in effect.people}
    assert own == {
        "Anna": (3, 1, 90, 90),
        "Bo": (2, 0, 60, 90),
        "Cleo": (1, 1, 90, 46),
        "Dag": (2, 2, 90, 90),
        "Eva": (0, 1, 90, 90),
    }
    assert effects.session_effect(session, today=TODAY).people == []


def test_small_groups_and_a_short_window_carry_a_plain_caution(organisation):
    session, _people, _excel = organisation
    cautions = effects.session_effect(session, today=TODAY).cautions
    assert any("Fewer than 5 people came" in text for text in cautions)
    assert any("Fewer than 5 of those invited did not come" in text for text in cautions)
    soon = effects.session_effect(session, today=SESSION_DAY + timedelta(days=11))
    assert soon.after.last == SESSION_DAY + timedelta(days=10)
    assert any("Only 10 days have passed" in text for text in soon.cautions)
    # Anna's one ticket after, on 1 July, is not in these ten days.
    assert _groups(soon, "all")["attended"].after.tickets == 0
    none_yet = effects.session_effect(session, today=SESSION_DAY + timedelta(days=1))
    assert none_yet.after is None and not none_yet.measured


def test_the_figures_follow_every_ticket_change_not_only_the_recount(organisation, coordinator, technician):
    """A new ticket of the topic, made and resolved through the services, is in the organisation's figure at once."""
    session, people, excel = organisation
    from tickets import services

    with time_machine.travel(_at(date(2026, 8, 20)), tick=False):
        services.ticket_create(
            by=coordinator, requester=people["o1"], subject="Pivot tables", category=excel, impact=3, urgency=2
        )
        # A printer ticket resolved as user training: on the topic by its code, from its resolution on.
        printed = services.ticket_create(by=coordinator, requester=people["o1"], subject="Duplex?", impact=3,
                                         urgency=2)  # fmt: skip
        printed = services.ticket_assign(ticket=printed, by=coordinator, assignee=technician)
        services.ticket_resolve(ticket=printed, by=technician, resolution_notes="Showed the menu.",
                                resolution_code=ResolutionCode.USER_TRAINING)  # fmt: skip
    measured = effects.session_effect(session, today=TODAY)
    assert _groups(measured, "all")["everyone"].after.tickets == 8
    assert _groups(measured, "code:user_training")["everyone"].after.tickets == 3
