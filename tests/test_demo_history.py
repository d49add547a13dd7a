"""The demo's year of history: rollups equal to a recount, measures as the services keep them, and the story
the Insight reports should tell (helpdesk/seed.py)."""

from collections import Counter
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from assets.models import Department, Device
from helpdesk.seed import FAILING_MODEL, HOW_TO_DEPARTMENT, HOW_TO_TOPIC, RISING_CATEGORY
from reports import durations, periods, recount
from reports.models import DayDurations, DayFigures
from tickets import sla
from tickets.models import Category, Event, SlaPolicy, Ticket

NOW = datetime(2026, 6, 17, 10, 0, tzinfo=UTC)


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        call_command("demo_load")
        yield


def test_the_history_is_a_year_of_tickets_and_the_rollups_equal_a_recount(demo):
    tickets = Ticket.objects.count()
    assert 1500 <= tickets <= 3000
    first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
    assert first is not None and (NOW - first).days >= 330
    assert recount.recount(fix=False).differences == []


def test_the_measures_are_those_the_services_would_have_set(demo):
    targets = {policy.priority: policy for policy in SlaPolicy.objects.all()}
    measured = Ticket.objects.exclude(response_minutes=None).select_related("requester", "category")
    for ticket in measured:
        policy = targets[ticket.priority]
        assert ticket.response_met == (ticket.response_minutes <= policy.first_response_minutes)
        if ticket.resolution_minutes is not None:
            assert ticket.resolution_met == (ticket.resolution_minutes <= policy.resolution_minutes)
    # The working minutes are the calendar's: measured again from the timestamps, they come out the same.
    for ticket in measured.filter(status="closed").order_by("pk")[:200]:
        kept = (ticket.response_minutes, ticket.response_met, ticket.resolution_minutes, ticket.resolution_met)
        ticket.response_minutes = ticket.resolution_minutes = None
        sla.measure(ticket)
        assert (ticket.response_minutes, ticket.response_met, ticket.resolution_minutes, ticket.resolution_met) == kept
    # Escalations and reopenings are counted as their Events say.
    counted = Ticket.objects.annotate(
        escalations=Count("events", filter=Q(events__action="escalate")),
        reopenings=Count("events", filter=Q(events__action__in=["reopen", "reopen_closed"])),
    )
    assert all(t.escalations == t.escalation_count and t.reopenings == t.reopen_count for t in counted)
    assert Ticket.objects.filter(escalation_count__gt=0).exists() and Ticket.objects.filter(reopen_count__gt=0).exists()
    assert Event.objects.filter(action="log_time").count() >= 1000


def test_the_history_tells_the_story_of_the_reports(demo):
    desk_totals = DayFigures.objects.filter(grain="day", within="")
    # One device model fails far more often than the others, per device.
    devices = Counter(dict(Device.objects.values_list("model").annotate(n=Count("pk"))))
    failures = dict(
        desk_totals.filter(group_by="device_model").values_list("member").annotate(n=Sum("failures")).order_by()
    )
    per_device = {model: failures.get(model, 0) / count for model, count in devices.items()}
    worst, runner_up = sorted(per_device.values(), reverse=True)[:2]
    assert per_device[FAILING_MODEL] == worst
    assert worst > 3 * runner_up

    # One department asks far more questions of knowing how than the others, most about one program.
    how_to = dict(
        DayFigures.objects.filter(grain="day", group_by="", within="department")
        .values_list("within_member")
        .annotate(n=Sum("how_to"))
        .order_by()
    )
    department = str(Department.objects.get(name=HOW_TO_DEPARTMENT).pk)
    others = [value for member, value in how_to.items() if member != department]
    assert how_to[department] > 2 * max(others)
    topics = dict(
        DayFigures.objects.filter(grain="day", group_by="department", member=department, within="topic")
        .values_list("within_member")
        .annotate(n=Sum("how_to"))
        .order_by()
    )
    assert max(topics, key=topics.__getitem__) == str(Category.objects.get(name=HOW_TO_TOPIC).pk)

    # The technicians work at clearly different speeds: median working minutes to resolution.
    histograms: dict[str, Counter[int]] = {}
    for member, bucket, count in DayDurations.objects.filter(group_by="technician", measure="resolution").values_list(
        "member", "bucket", "count"
    ):
        histograms.setdefault(member, Counter())[bucket] += count
    medians = [durations.percentile(histogram, 0.5) or 0 for histogram in histograms.values()]
    assert len(medians) == 6
    assert max(medians) > 3 * min(medians)

    # A problem has been rising: last month's tickets of its category exceed its monthly average.
    with time_machine.travel(NOW, tick=False):
        year, month = periods.preset("last_12_months"), periods.preset("last_month")
    rising = str(Category.objects.get(name=RISING_CATEGORY).pk)
    created = DayFigures.objects.filter(grain="day", group_by="category", member=rising, within="")

    def total(period: periods.Period) -> int:
        return created.filter(day__gte=period.first, day__lte=period.last).aggregate(n=Sum("created"))["n"] or 0

    assert total(month) > 2 * total(year) / 12


def test_the_demo_s_addresses_are_ascii_and_its_names_in_the_six_languages(demo):
    from django.utils import translation

    from accounts.models import User
    from assets.models import Employee, Location
    from tickets.models import BusinessCalendar

    addresses = [*Employee.objects.values_list("email", flat=True), *User.objects.values_list("email", flat=True)]
    assert addresses and all(address.isascii() for address in addresses)
    # The names stay as written, letters outside ASCII included.
    assert any(not (e.first_name + e.last_name).isascii() for e in Employee.objects.all())
    languages = {"sv", "es", "nb", "nl", "pl"}
    assert all(set(c.name_translations) == languages for c in Category.objects.filter(parent=None))
    assert all(set(d.name_translations) == languages for d in Department.objects.all())
    assert all(set(place.name_translations) == languages for place in Location.objects.all())
    assert set(BusinessCalendar.objects.get().name_translations) == languages
    with translation.override("pl"):
        assert str(Category.objects.get(name="Printer")) == "Sprzęt > Drukarka"
    with translation.override("sv"):
        assert str(Department.objects.get(name="Sales")) == "Försäljning"
