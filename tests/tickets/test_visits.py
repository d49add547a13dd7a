"""On-site visits and remote sessions: the requester's calendar invitation (valid RFC 5545, moved and
cancelled under one UID), another time asked for, the outcome on the ticket, the technician's day plan, and
remote sessions counted as time."""

import email
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from notifications.models import Notification, NotificationChannel
from notifications.rendering import render_email
from tests import factories
from tests.fixtures.ical import assert_rfc5545
from tickets import services
from tickets.models import Event, EventKind, Visit, VisitStatus
from tickets.notices.kinds import NotificationKind
from tickets.workflow import ActorNotAllowed, MissingFields

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.get_default_timezone())  # a Monday morning


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ticket(coordinator, technician, requester):
    place = factories.LocationFactory(site="HQ", building="B", floor="2", room="214")
    requester.employee.location = place
    requester.employee.save()
    ticket = services.ticket_create(
        by=coordinator, requester=requester.employee, subject="Dock dead", impact=3, urgency=2
    )
    return services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)


def _book(ticket, technician, *, hour=10, day=1, **more):
    start = (NOW + timedelta(days=day)).replace(hour=hour)
    return services.visit_book(
        ticket=ticket, by=technician, technician=technician, starts_at=start, ends_at=start + timedelta(hours=1),
        place=more.pop("place", "HQ / B / 2 / 214"), bring=more.pop("bring", "A USB-C dock"), **more,
    )  # fmt: skip


def _invitation(notification) -> tuple[bytes, str]:
    message = email.message_from_bytes(render_email(notification).message().as_bytes())
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0].get_payload(decode=True), parts[0]["Content-Type"]


def test_a_booked_visit_reaches_the_requester_with_a_valid_invitation(ticket, technician, requester):
    visit = _book(ticket, technician, place="HQ / B / 2 / 214, by the window of the long corridor on the left")
    assert visit.status == VisitStatus.PLANNED
    event = Event.objects.get(ticket=ticket, kind=EventKind.VISIT, action="book")
    assert event.is_public
    mail = Notification.objects.get(
        recipient=requester, kind=NotificationKind.VISIT_BOOKED, channel=NotificationChannel.EMAIL
    )
    raw, content_type = _invitation(mail)
    assert "method=REQUEST" in content_type.replace('"', "")
    calendar = assert_rfc5545(raw)
    entry = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "REQUEST"
    assert str(entry["UID"]).startswith(f"visit-{visit.uid}@")
    assert entry["DTSTART"].dt == visit.starts_at and entry["DTEND"].dt == visit.ends_at
    assert int(entry["SEQUENCE"]) == 0
    assert "long corridor" in str(entry["LOCATION"])
    assert str(entry["ATTENDEE"]).lower() == f"mailto:{requester.email}"
    assert ticket.reference in str(entry["SUMMARY"])
    # The mail itself says when, where and how to ask for another time.
    text = render_email(mail).body
    assert "HQ / B / 2 / 214" in text and "another" in text


def test_the_invitation_speaks_the_requesters_language(ticket, technician, requester):
    requester.language = "sv"
    requester.save()
    _book(ticket, technician)
    mail = Notification.objects.get(recipient=requester, kind=NotificationKind.VISIT_BOOKED, channel="email")
    raw, _type = _invitation(mail)
    entry = Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(entry["SUMMARY"]).startswith("Besök")


def test_moving_and_calling_off_keep_the_one_calendar_entry(ticket, technician, requester):
    visit = _book(ticket, technician)
    moved = services.visit_reschedule(
        visit=visit, by=technician, technician=technician, starts_at=visit.starts_at + timedelta(days=1),
        ends_at=visit.ends_at + timedelta(days=1), place=visit.place,
    )  # fmt: skip
    assert moved.sequence == 1
    services.visit_cancel(visit=moved, by=technician)
    mails = Notification.objects.filter(recipient=requester, channel="email").order_by("pk")
    booked, rebooked, cancelled = [m for m in mails if m.kind in ("visit_booked", "visit_cancelled")]
    uids, sequences = [], []
    for mail in (booked, rebooked, cancelled):
        raw, _type = _invitation(mail)
        entry = assert_rfc5545(raw).walk("VEVENT")[0]
        uids.append(str(entry["UID"]))
        sequences.append(int(entry["SEQUENCE"]))
    assert len(set(uids)) == 1 and sequences == [0, 1, 2]
    raw, _content_type = _invitation(cancelled)
    calendar = Calendar.from_ical(raw)
    assert calendar["METHOD"] == "CANCEL" and calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_the_requester_asks_for_another_time_and_the_technician_hears(client_for, ticket, technician, requester):
    visit = _book(ticket, technician)
    client = client_for(requester)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="requester-visits"' in page
    response = client.post(reverse("tickets:visit_ask_change", args=[visit.pk]), {"proposal": "Thursday after 13:00"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHANGE_ASKED and visit.proposal == "Thursday after 13:00"
    assert Notification.objects.filter(recipient=technician, kind=NotificationKind.VISIT_CHANGE_ASKED).exists()
    other = factories.UserFactory(role="requester")
    assert (
        client_for(other).post(reverse("tickets:visit_ask_change", args=[visit.pk]), {"proposal": "x"}).status_code
        == 404
    )


def test_bad_times_are_told_beside_the_field_and_the_outcome_is_logged(client_for, ticket, technician):
    client = client_for(technician)
    url = reverse("tickets:visit_book", args=[ticket.pk])
    form = client.get(url).content.decode()
    assert 'value="HQ / B / 2 / 214"' in form  # the place from the employee's location
    response = client.post(url, {"technician": technician.pk, "day": "2026-12-08", "starts": "11:00", "ends": "10:00",
                                 "place": "HQ"})  # fmt: skip
    assert response.status_code == 400 and "The visit must end after it starts." in response.content.decode()
    past = client.post(url, {"technician": technician.pk, "day": "2026-12-01", "starts": "10:00", "ends": "11:00",
                             "place": "HQ"})  # fmt: skip
    assert past.status_code == 400 and "This time has passed" in past.content.decode()
    assert not Visit.objects.exists()
    assert client.post(url, {"technician": technician.pk, "day": "2026-12-08", "starts": "10:00", "ends": "11:00",
                             "place": "HQ"}).status_code == 302  # fmt: skip
    visit = Visit.objects.get()
    client.post(reverse("tickets:visit_outcome", args=[visit.pk]), {"outcome": "Replaced the dock."})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    logged = Event.objects.get(ticket=ticket, kind=EventKind.VISIT, action="outcome")
    assert logged.note == "Replaced the dock." and not logged.is_public


def test_the_day_plan_lists_tomorrows_visits_in_order(client_for, ticket, technician, technician_t2, coordinator,
                                                      requester, django_assert_num_queries):  # fmt: skip
    later = _book(ticket, technician, hour=14)
    other = services.ticket_assign(
        ticket=services.ticket_create(by=coordinator, requester=requester.employee, subject="Printer", impact=3,
                                      urgency=2),
        by=coordinator, assignee=technician,
    )  # fmt: skip
    earlier = _book(other, technician, hour=9, place="Depot, gate 4")
    _book(other, technician, hour=8, day=2)  # the day after: not tomorrow's
    services.visit_book(ticket=other, by=coordinator, technician=technician_t2, starts_at=later.starts_at,
                        ends_at=later.ends_at, place="Elsewhere")  # fmt: skip
    cancelled = _book(other, technician, hour=16)
    services.visit_cancel(visit=cancelled, by=technician)
    client = client_for(technician)
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()
    client.get(reverse("tickets:day_plan"), {"day": tomorrow})
    with django_assert_num_queries(4):
        page = client.get(reverse("tickets:day_plan"), {"day": tomorrow}).content.decode()
    assert page.count('data-testid="planned-visit"') == 2
    assert page.index("Depot, gate 4") < page.index("HQ / B / 2 / 214")
    assert "Elsewhere" not in page
    assert earlier.ticket.reference in page
    assert client_for(requester).get(reverse("tickets:day_plan")).status_code == 403


def test_a_remote_session_needs_consent_and_counts_as_time(client_for, ticket, technician, requester):
    start = NOW - timedelta(minutes=50)
    with pytest.raises(MissingFields):
        services.remote_session_record(
            ticket=ticket, by=technician, started_at=start, ended_at=NOW, tool="Quick Assist", consent=False
        )
    with pytest.raises(ActorNotAllowed):
        services.remote_session_record(
            ticket=ticket, by=requester, started_at=start, ended_at=NOW, tool="x", consent=True
        )
    session = services.remote_session_record(
        ticket=ticket, by=technician, started_at=start, ended_at=NOW - timedelta(minutes=5), tool="Quick Assist",
        consent=True,
    )  # fmt: skip
    ticket.refresh_from_db()
    assert session.minutes == 45 and ticket.time_spent_minutes == 45
    assert Event.objects.filter(ticket=ticket, kind=EventKind.TIME_LOGGED, new__minutes=45).exists()
    page = client_for(technician).get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="remote-session"' in page and "Quick Assist" in page
    response = client_for(technician).post(
        reverse("tickets:remote_session", args=[ticket.pk]),
        {"day": "2026-12-07", "starts": "07:00", "ends": "07:30", "tool": "TeamViewer"},
    )
    assert response.status_code == 400 and "consent" in response.content.decode()
