"""Recurring tickets: the schedule's days (monthly on the 31st, weekly, an end), each occurrence opened
exactly once however often beat runs or restarts, one ticket for a pause of several occurrences, and the
coordinators' pages."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tickets import services, tasks
from tickets.models import Channel, Event, EventKind, RecurringRun, RecurringTicket, RepeatUnit, Ticket
from tickets.services.recurring import next_occurrence, occurrence
from tickets.workflow import ActorNotAllowed

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()


def _at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


@pytest.fixture
def backup_check(coordinator, technician, requester):
    with time_machine.travel(_at(date(2026, 1, 2)), tick=False):
        return services.recurring_create(
            by=coordinator, subject="Monthly backup check", description="Restore one file from last night.",
            requester=requester.employee, category=None, tier=1, assignee=technician, device=None, location=None,
            every=1, unit=RepeatUnit.MONTHS, starts_on=date(2026, 1, 31), ends_on=None,
        )  # fmt: skip


def test_a_monthly_schedule_keeps_its_day_or_the_months_last():
    schedule = RecurringTicket(every=1, unit=RepeatUnit.MONTHS, starts_on=date(2026, 1, 31))
    assert [occurrence(schedule, i) for i in range(4)] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
    ]  # fmt: skip
    quarterly = RecurringTicket(every=3, unit=RepeatUnit.MONTHS, starts_on=date(2026, 11, 15))
    assert next_occurrence(quarterly, date(2026, 11, 15)) == date(2027, 2, 15)
    weekly = RecurringTicket(every=2, unit=RepeatUnit.WEEKS, starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 31))
    assert next_occurrence(weekly, date(2026, 12, 7)) == date(2026, 12, 21)
    assert next_occurrence(weekly, date(2026, 12, 21)) is None


def test_each_occurrence_opens_once_across_beat_runs_and_restarts(backup_check, technician):
    with time_machine.travel(_at(date(2026, 1, 30)), tick=False):
        assert tasks.recurring_tickets_open() == 0  # not yet
    with time_machine.travel(_at(date(2026, 1, 31)), tick=False):
        assert tasks.recurring_tickets_open() == 1
        assert tasks.recurring_tickets_open() == 0  # beat runs again in the same minute
    # Beat restarts later that day and runs its schedule at once: nothing more.
    with time_machine.travel(_at(date(2026, 1, 31), 18), tick=False):
        assert tasks.recurring_tickets_open() == 0
    ticket = Ticket.objects.get()
    assert ticket.subject == "Monthly backup check" and ticket.channel == Channel.SCHEDULE
    assert ticket.assignee == technician and ticket.status == "assigned"
    assert Event.objects.filter(ticket=ticket, kind=EventKind.RECURRING, new__due_on="2026-01-31").exists()
    backup_check.refresh_from_db()
    assert backup_check.next_on == date(2026, 2, 28)


def test_after_a_pause_only_the_latest_missed_occurrence_opens(backup_check):
    # Beat was down from January to the middle of April: February, March (and January) passed.
    with time_machine.travel(_at(date(2026, 4, 15)), tick=False):
        assert tasks.recurring_tickets_open() == 1
        assert tasks.recurring_tickets_open() == 0
    run = RecurringRun.objects.get()
    assert run.due_on == date(2026, 3, 31) and run.missed == 2
    event = Event.objects.get(kind=EventKind.RECURRING)
    assert event.new["missed"] == 2
    backup_check.refresh_from_db()
    assert backup_check.next_on == date(2026, 4, 30)
    with time_machine.travel(_at(date(2026, 4, 30)), tick=False):
        assert tasks.recurring_tickets_open() == 1
    assert RecurringRun.objects.filter(missed=0, due_on=date(2026, 4, 30)).exists()


def test_a_day_written_already_is_never_opened_again(backup_check):
    # Another beat, in another process, opened this day and committed while this one was reading.
    RecurringRun.objects.create(recurring=backup_check, due_on=date(2026, 1, 31))
    with time_machine.travel(_at(date(2026, 1, 31)), tick=False):
        assert tasks.recurring_tickets_open() == 0
    assert not Ticket.objects.exists()


def test_a_schedule_ends_and_a_paused_one_opens_nothing(coordinator, requester, backup_check):
    with time_machine.travel(_at(date(2026, 1, 2)), tick=False):
        weekly = services.recurring_create(
            by=coordinator, subject="Printer toner", description="", requester=requester.employee, category=None,
            tier=1, assignee=None, device=None, location=None, every=1, unit=RepeatUnit.WEEKS,
            starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 12),
        )  # fmt: skip
        services.recurring_set_active(schedule=backup_check, by=coordinator, active=False)
    for day in (date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 31)):
        with time_machine.travel(_at(day), tick=False):
            tasks.recurring_tickets_open()
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Printer toner", "Printer toner"]
    weekly.refresh_from_db()
    assert weekly.next_on is None


def test_only_coordinators_keep_schedules_and_the_page_lists_the_next_day(
    client_for, coordinator, technician, requester, django_assert_max_num_queries
):
    with pytest.raises(ActorNotAllowed):
        services.recurring_set_active(schedule=RecurringTicket(pk=1), by=technician, active=False)
    client = client_for(coordinator)
    assert client_for(technician).get(reverse("tickets:recurring_list")).status_code == 403
    bad = client.post(reverse("tickets:recurring_create"), {"subject": "Printer service", "requester": "nobody",
                                                            "tier": 1, "every": 3, "unit": "months",
                                                            "starts_on": "2027-01-10"})  # fmt: skip
    assert bad.status_code == 400 and "No current employee has this number." in bad.content.decode()
    good = client.post(reverse("tickets:recurring_create"), {
        "subject": "Printer service", "requester": requester.employee.employee_number, "tier": 1, "every": 3,
        "unit": "months", "starts_on": "2027-01-10",
    })  # fmt: skip
    assert good.status_code == 302
    for index in range(4):
        services.recurring_create(
            by=coordinator, subject=f"Check {index}", description="", requester=requester.employee, category=None,
            tier=1, assignee=None, device=None, location=None, every=1, unit="days", starts_on=date(2027, 1, 1),
            ends_on=None,
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        page = client.get(reverse("tickets:recurring_list")).content.decode()
    assert page.count('data-testid="recurring"') == 5
    assert "Printer service" in page and "2027" in page
    schedule = RecurringTicket.objects.get(subject="Printer service")
    client.post(reverse("tickets:recurring_toggle", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert not schedule.is_active


def test_open_recurring_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["tickets-open-recurring"]
    assert entry["task"] == "tickets.tasks.recurring_tickets_open"
    assert settings.CELERY_BEAT_SCHEDULE["tickets-remind-repairs"]["task"] == "tickets.tasks.repairs_remind_overdue"
    assert timedelta(seconds=entry["schedule"]) <= timedelta(minutes=15)
