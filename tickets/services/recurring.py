"""Recurring work: coordinators keep schedules of tickets (preventive maintenance, the monthly backup check),
and Celery beat opens each occurrence exactly once, catching up after a pause without a flood."""

import calendar as month_days
import contextlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets.models import Channel, EventKind, Impact, RecurringRun, RecurringTicket, RepeatUnit, Ticket, Urgency
from tickets.services._change import record
from tickets.services.assign import ticket_assign
from tickets.services.intake import ticket_create
from tickets.services.triage import ticket_triage
from tickets.workflow import ActorNotAllowed, MissingFields, WorkflowError

RECURRING_FIELDS = (
    "subject",
    "description",
    "requester",
    "category",
    "tier",
    "assignee",
    "device",
    "location",
    "every",
    "unit",
    "starts_on",
    "ends_on",
)
# At most this many schedules a round: the next round takes the rest.
ROUND_SIZE = 200


def _add_months(day: date, months: int, on_day: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(on_day, month_days.monthrange(year, month)[1]))


def occurrence(schedule: RecurringTicket, index: int) -> date:
    """The `index`th day of the schedule (0: its first)."""
    if schedule.unit == RepeatUnit.MONTHS:
        return _add_months(schedule.starts_on, index * schedule.every, schedule.starts_on.day)
    step = schedule.every * (7 if schedule.unit == RepeatUnit.WEEKS else 1)
    return schedule.starts_on + timedelta(days=index * step)


def _index_on_or_before(schedule: RecurringTicket, day: date) -> int:
    """The index of the last occurrence on or before `day` (-1: none yet)."""
    if day < schedule.starts_on:
        return -1
    if schedule.unit == RepeatUnit.MONTHS:
        months = (day.year - schedule.starts_on.year) * 12 + day.month - schedule.starts_on.month
        index = months // schedule.every
        while index >= 0 and occurrence(schedule, index) > day:
            index -= 1
        return index
    step = schedule.every * (7 if schedule.unit == RepeatUnit.WEEKS else 1)
    return (day - schedule.starts_on).days // step


def next_occurrence(schedule: RecurringTicket, after: date) -> date | None:
    """The first occurrence after `after`, None once the schedule has ended."""
    day = occurrence(schedule, _index_on_or_before(schedule, after) + 1)
    return None if schedule.ends_on is not None and day > schedule.ends_on else day


def _clean(values: Mapping[str, object]) -> dict[str, object]:
    cleaned = {name: values.get(name) for name in RECURRING_FIELDS}
    cleaned["subject"] = " ".join(str(cleaned["subject"] or "").split())
    cleaned["description"] = str(cleaned["description"] or "").strip()
    if not cleaned["subject"]:
        raise MissingFields(_("Give the tickets a subject."), ["subject"])
    every = cleaned["every"]
    if not isinstance(every, int) or every < 1:
        raise MissingFields(_("Repeat at least every 1."), ["every"])
    starts_on, ends_on = cleaned["starts_on"], cleaned["ends_on"]
    if not isinstance(starts_on, date):
        raise MissingFields(_("Give the first day."), ["starts_on"])
    if isinstance(ends_on, date) and ends_on < starts_on:
        raise MissingFields(_("The last day cannot come before the first."), ["ends_on"])
    assignee = cleaned["assignee"]
    if assignee is not None and not (isinstance(assignee, User) and can(assignee, "tickets.work")):
        raise MissingFields(_("Choose a technician of the desk."), ["assignee"])
    return cleaned


def recurring_create(*, by: User, now: datetime | None = None, **values: object) -> RecurringTicket:
    """A new schedule; its first ticket opens on its first day (today's opens in the next round)."""
    if not can(by, "tickets.recurring"):
        raise ActorNotAllowed
    schedule = RecurringTicket(**_clean(values), created_by=by, created_at=now or timezone.now())
    schedule.next_on = schedule.starts_on
    schedule.save()
    return schedule


def recurring_update(*, schedule: RecurringTicket, by: User, **values: object) -> RecurringTicket:
    """Change a schedule: the next day is counted again from today, so no occurrence already opened opens
    twice (their days are kept, each once)."""
    if not can(by, "tickets.recurring"):
        raise ActorNotAllowed
    with transaction.atomic():
        schedule = RecurringTicket.objects.select_for_update().get(pk=schedule.pk)
        for name, value in _clean(values).items():
            setattr(schedule, name, value)
        today = timezone.localdate()
        opened = set(schedule.runs.values_list("due_on", flat=True))
        first = schedule.starts_on if schedule.starts_on >= today else next_occurrence(schedule, today - timedelta(1))
        while first is not None and first in opened:
            first = next_occurrence(schedule, first)
        schedule.next_on = first
        schedule.save()
    return schedule


def recurring_set_active(*, schedule: RecurringTicket, by: User, active: bool) -> RecurringTicket:
    """Pause or resume a schedule. Resumed, it opens from its next day to come: nothing for the pause."""
    if not can(by, "tickets.recurring"):
        raise ActorNotAllowed
    with transaction.atomic():
        schedule = RecurringTicket.objects.select_for_update().get(pk=schedule.pk)
        schedule.is_active = active
        if active:
            today = timezone.localdate()
            schedule.next_on = (
                schedule.next_on
                if schedule.next_on and schedule.next_on >= today
                else next_occurrence(schedule, today - timedelta(1))
            )
        schedule.save(update_fields=["is_active", "next_on"])
    return schedule


def recurring_delete(*, schedule: RecurringTicket, by: User) -> None:
    """Remove a schedule; the tickets it opened stay."""
    if not can(by, "tickets.recurring"):
        raise ActorNotAllowed
    schedule.delete()


def recurring_tickets_open(*, now: datetime | None = None) -> list[Ticket]:
    """Celery beat's round: open the ticket of every schedule whose day has come, once.

    Each schedule is locked while it is opened (a second beat skips it) and each day is written once
    (RecurringRun's unique day), so a beat run twice, or two beats, open nothing twice. After a pause of
    several occurrences only the latest is opened, with the number missed on its timeline."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    opened: list[Ticket] = []
    due = RecurringTicket.objects.filter(is_active=True, next_on__lte=today).order_by("next_on", "pk")
    for schedule_id in list(due.values_list("pk", flat=True)[:ROUND_SIZE]):
        with transaction.atomic():
            schedule = (
                RecurringTicket.objects.select_for_update(skip_locked=True)
                .filter(pk=schedule_id, is_active=True, next_on__lte=today)
                .first()
            )
            if schedule is None or schedule.next_on is None:
                continue
            last = _index_on_or_before(schedule, today)
            day = occurrence(schedule, last)
            if schedule.ends_on is not None and day > schedule.ends_on:
                day = occurrence(schedule, _index_on_or_before(schedule, schedule.ends_on))
            missed = max(0, last - _index_on_or_before(schedule, schedule.next_on)) if day >= schedule.next_on else 0
            schedule.next_on = next_occurrence(schedule, today)
            schedule.save(update_fields=["next_on"])
            if day < schedule.starts_on:
                continue
            try:
                with transaction.atomic():
                    run = RecurringRun.objects.create(recurring=schedule, due_on=day, missed=missed, created_at=now)
            except IntegrityError:
                continue  # opened already: by an earlier round, before the schedule was changed
            ticket = _open(schedule, day, missed, now)
            run.ticket = ticket
            run.save(update_fields=["ticket"])
            opened.append(ticket)
    return opened


def _open(schedule: RecurringTicket, day: date, missed: int, now: datetime) -> Ticket:
    description = schedule.description
    if schedule.location is not None:
        description = (description + "\n\n" if description else "") + gettext("Where: %(place)s") % {
            "place": schedule.location
        }
    ticket = ticket_create(
        by=None,
        requester=schedule.requester,
        subject=schedule.subject,
        description=description,
        category=schedule.category,
        device=schedule.device,
        impact=Impact.LOW,
        urgency=Urgency.LOW,
        channel=Channel.SCHEDULE,
        submission_key=f"recurring-{schedule.pk}-{day.isoformat()}",
        now=now,
    )
    record(
        ticket,
        by=None,
        kind=EventKind.RECURRING,
        action="opened",
        new={"schedule": schedule.pk, "due_on": day.isoformat(), "missed": missed},
        is_public=False,
        notify=False,
        now=now,
    )
    if ticket.tier != schedule.tier:
        ticket = ticket_triage(
            ticket=ticket,
            by=None,
            category=ticket.category,
            impact=ticket.impact,
            urgency=ticket.urgency,
            tier=schedule.tier,
            auto_assign=schedule.assignee is None,
            now=now,
        )
    if schedule.assignee is not None and ticket.assignee_id is None:
        # The technician cannot take it now (left, or of another tier): it waits in triage.
        with contextlib.suppress(WorkflowError):
            ticket = ticket_assign(ticket=ticket, by=None, assignee=schedule.assignee, now=now)
    return ticket
