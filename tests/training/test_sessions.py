"""Training sessions: planning and invitations through the outbox with a calendar entry in each person's
language, the waiting list, changes and cancellation under one UID, reminders the day before, attendance,
one rating per attendee, and who may see what."""

import email
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import NotificationDelivery, Role
from assets.models import Employee
from notifications.models import Notification, NotificationChannel, NotificationStatus
from notifications.rendering import render_email
from tests import factories
from tests.fixtures.ical import assert_rfc5545
from training import notices, services
from training.models import Answer, Invitation, SessionStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.get_default_timezone())  # a Monday morning
START = NOW + timedelta(days=3, hours=1)  # Thursday 9:00


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _person(first_name: str, department, *, login: bool = True, language: str = ""):
    user = (
        factories.UserFactory(email=f"{first_name.lower()}@example.org", first_name=first_name, language=language)
        if login
        else None
    )
    return factories.EmployeeFactory(
        first_name=first_name, department=department, user=user, email=f"{first_name.lower()}@example.org"
    )


@pytest.fixture
def finance():
    department = factories.DepartmentFactory(name="Finance")
    for name in ("Anna", "Bo", "Cleo"):
        _person(name, department)
    return department


@pytest.fixture
def excel():
    return factories.CategoryFactory(name="Excel")


def _plan(by, trainer, *, capacity=2, **more):
    fields = {
        "title": "Excel for Finance", "trainer": trainer, "starts_at": START, "ends_at": START + timedelta(hours=2),
        "capacity": capacity, "place": "Room 4", **more,
    }  # fmt: skip
    return services.session_plan(by=by, **fields)


def _calendar(notification) -> tuple[bytes, str]:
    message = email.message_from_bytes(render_email(notification).message().as_bytes())
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0].get_payload(decode=True), parts[0]["Content-Type"]


def _invitation(first_name: str, session) -> Invitation:
    return Invitation.objects.select_related("employee__user", "session").get(
        session=session, employee__first_name=first_name
    )


def test_a_department_is_invited_by_mail_with_a_calendar_entry(coordinator, technician, finance, excel):
    gone = _person("Dag", finance)
    gone.left_on = (START - timedelta(days=1)).date()
    gone.save()
    no_address = factories.EmployeeFactory(first_name="Eva", department=finance, email="", user=None)
    session = _plan(coordinator, technician, categories=[excel], departments=[finance])
    invited = set(session.invitations.values_list("employee__first_name", flat=True))
    assert invited == {"Anna", "Bo", "Cleo", no_address.first_name}  # Dag leaves before the day
    mails = Notification.objects.filter(kind=notices.INVITED, channel=NotificationChannel.EMAIL)
    assert sorted(m.email for m in mails) == ["anna@example.org", "bo@example.org", "cleo@example.org"]
    bell = Notification.objects.filter(kind=notices.INVITED, channel=NotificationChannel.IN_APP)
    assert bell.count() == 3

    mail = mails.get(email="anna@example.org")
    raw, content_type = _calendar(mail)
    assert "method=REQUEST" in content_type.replace('"', "")
    calendar = assert_rfc5545(raw)
    entry = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "REQUEST"
    assert str(entry["UID"]).startswith(f"training-{session.uid}@")
    assert entry["DTSTART"].dt == START and int(entry["SEQUENCE"]) == 0
    assert str(entry["LOCATION"]) == "Room 4"
    assert str(entry["ATTENDEE"]).lower() == "mailto:anna@example.org"
    message = render_email(mail)
    assert message.subject == "You are invited: Excel for Finance"
    assert "Room 4" in message.body and "/training/mine/" in message.body


def test_each_person_reads_the_invitation_in_their_language(coordinator, technician, finance):
    _person("Sven", finance, language="sv")
    _person("Piotr", finance, language="pl")
    _plan(coordinator, technician, departments=[finance])
    for name, summary in (("sven", "Utbildning"), ("piotr", "Szkolenie")):
        mail = Notification.objects.get(kind=notices.INVITED, channel="email", email=f"{name}@example.org")
        raw, _type = _calendar(mail)
        assert str(Calendar.from_ical(raw).walk("VEVENT")[0]["SUMMARY"]).startswith(summary), name
        assert "Excel for Finance" in render_email(mail).subject


def test_the_seats_fill_then_a_waiting_list_that_moves_up_when_someone_declines(coordinator, technician, finance):
    session = _plan(coordinator, technician, capacity=2, departments=[finance])
    anna, bo, cleo = (_invitation(name, session) for name in ("Anna", "Bo", "Cleo"))
    assert services.invitation_answer(invitation=anna, by=anna.employee.user, coming=True).answer == Answer.ACCEPTED
    assert services.invitation_answer(invitation=bo, by=bo.employee.user, coming=True).answer == Answer.ACCEPTED
    assert services.invitation_answer(invitation=cleo, by=cleo.employee.user, coming=True).answer == Answer.WAITING
    # Saying yes again changes nothing; only the person invited may answer.
    assert services.invitation_answer(invitation=cleo, by=cleo.employee.user, coming=True).answer == Answer.WAITING
    with pytest.raises(services.TrainingError):
        services.invitation_answer(invitation=cleo, by=anna.employee.user, coming=True)

    services.invitation_answer(invitation=bo, by=bo.employee.user, coming=False)
    assert _invitation("Cleo", session).answer == Answer.ACCEPTED
    seat = Notification.objects.get(kind=notices.SEAT, channel="email")
    assert seat.email == "cleo@example.org"
    assert "A seat is yours" in render_email(seat).subject
    assert Invitation.objects.filter(session=session, answer=Answer.ACCEPTED).count() == 2


def test_more_seats_go_to_the_waiting_list_first_and_never_fewer_than_taken(coordinator, technician, finance):
    session = _plan(coordinator, technician, capacity=1, departments=[finance])
    for name in ("Anna", "Bo", "Cleo"):
        invitation = _invitation(name, session)
        services.invitation_answer(invitation=invitation, by=invitation.employee.user, coming=True)
    services.session_update(session=session, by=coordinator, capacity=2)
    assert _invitation("Bo", session).answer == Answer.ACCEPTED
    assert _invitation("Cleo", session).answer == Answer.WAITING
    with pytest.raises(services.TrainingError) as refused:
        services.session_update(session=session, by=coordinator, capacity=1)
    assert refused.value.field == "capacity"


def test_a_move_and_a_cancellation_keep_the_one_calendar_entry(coordinator, technician, finance):
    session = _plan(coordinator, technician, departments=[finance])
    declined = _invitation("Bo", session)
    services.invitation_answer(invitation=declined, by=declined.employee.user, coming=False)
    session = services.session_update(session=session, by=coordinator, starts_at=START + timedelta(days=1),
                                      ends_at=START + timedelta(days=1, hours=2))  # fmt: skip
    assert session.sequence == 1
    services.session_cancel(session=session, by=coordinator)
    mails = Notification.objects.filter(email="anna@example.org", channel="email").order_by("pk")
    assert [m.kind for m in mails] == [notices.INVITED, notices.CHANGED, notices.CANCELLED]
    entries = []
    for mail in mails:
        raw, _type = _calendar(mail)
        calendar = assert_rfc5545(raw)
        entries.append((str(calendar.walk("VEVENT")[0]["UID"]), int(calendar.walk("VEVENT")[0]["SEQUENCE"])))
    assert len({uid for uid, _seq in entries}) == 1 and [seq for _uid, seq in entries] == [0, 1, 2]
    assert calendar["METHOD"] == "CANCEL"
    # Someone who said no is not told of the change or the cancellation.
    assert not Notification.objects.filter(email="bo@example.org", kind__in=[notices.CHANGED, notices.CANCELLED])


def test_the_reminder_goes_once_on_the_day_before_to_those_expected(coordinator, technician, finance):
    session = _plan(coordinator, technician, capacity=1, departments=[finance])
    for name, coming in (("Anna", True), ("Bo", False), ("Cleo", True)):  # Cleo waits: no seat, no reminder
        invitation = _invitation(name, session)
        services.invitation_answer(invitation=invitation, by=invitation.employee.user, coming=coming)
    assert services.reminders_send() == 0  # Monday: the session is on Thursday
    wednesday = NOW + timedelta(days=2) - timedelta(hours=8) + timedelta(minutes=5)  # Wednesday 00:05
    with time_machine.travel(wednesday, tick=False):
        assert services.reminders_send() == 0  # not in the night
    with time_machine.travel(wednesday + timedelta(hours=8), tick=False):
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0
    reminder = Notification.objects.get(kind=notices.REMINDER, channel="email")
    assert reminder.email == "anna@example.org"
    assert render_email(reminder).subject == "Tomorrow: Excel for Finance"


def test_attendance_then_one_rating_per_attendee(coordinator, technician, finance):
    session = _plan(coordinator, technician, departments=[finance])
    anna, bo = _invitation("Anna", session), _invitation("Bo", session)
    with pytest.raises(services.TrainingError):
        services.attendance_record(session=session, by=technician, attended=[anna.pk])  # not begun yet
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        with pytest.raises(services.TrainingError):
            services.invitation_rate(invitation=anna, by=anna.employee.user, rating=5)  # not recorded yet
        assert services.attendance_record(session=session, by=technician, attended=[anna.pk]) == 1
        rated = services.invitation_rate(invitation=anna, by=anna.employee.user, rating=4, comment=" Useful ")
        assert (rated.rating, rated.comment) == (4, "Useful")
        with pytest.raises(services.TrainingError, match="rated this session already"):
            services.invitation_rate(invitation=anna, by=anna.employee.user, rating=1)
        with pytest.raises(services.TrainingError, match="recorded as present"):
            services.invitation_rate(invitation=bo, by=bo.employee.user, rating=5)
        with pytest.raises(services.TrainingError):
            services.invitation_rate(invitation=anna, by=bo.employee.user, rating=5)
    anna.refresh_from_db()
    assert anna.rating == 4 and anna.attended is True
    assert _invitation("Cleo", session).attended is False


def test_the_rating_page_refuses_a_second_rating_and_a_missing_one(client_for, coordinator, technician, finance):
    session = _plan(coordinator, technician, departments=[finance])
    anna = _invitation("Anna", session)
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        services.attendance_record(session=session, by=technician, attended=[anna.pk])
        client = client_for(anna.employee.user)
        url = reverse("training:rate", args=[anna.pk])
        missing = client.post(url, {})
        assert missing.status_code == 400
        assert "This field is required" in missing.content.decode()
        assert client.post(url, {f"r{anna.pk}-rating": "5"}).status_code == 302
        client.post(url, {f"r{anna.pk}-rating": "2"})
        page = client.get(reverse("training:mine")).content.decode()
    anna.refresh_from_db()
    assert anna.rating == 5
    assert 'data-testid="my-rating"' in page and "rated this session already" in page


def test_planning_refuses_bad_input_beside_the_field(client_for, coordinator, technician):
    client = client_for(coordinator)
    response = client.post(
        reverse("training:plan"),
        {"title": "Excel", "trainer": technician.pk, "day": "2026-12-10", "starts": "10:00", "ends": "09:00",
         "capacity": "0", "employees": "E-NOBODY"},
    )  # fmt: skip
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"ends", "capacity", "place", "employees"}
    assert "E-NOBODY" in form.errors["employees"][0]
    past = client.post(
        reverse("training:plan"),
        {"title": "Excel", "trainer": technician.pk, "day": "2026-12-01", "starts": "10:00", "ends": "11:00",
         "capacity": "5", "place": "Room 4"},
    )  # fmt: skip
    assert past.status_code == 400 and "has passed" in str(past.context["form"].errors["day"])


def test_a_report_s_link_fills_in_the_topic_and_who_to_invite(client_for, coordinator, finance, excel):
    page = client_for(coordinator).get(
        reverse("training:plan") + f"?from=training&department={finance.pk}&category={excel.pk}"
    )
    form = page.context["form"]
    assert form.initial["categories"] == [excel]
    assert form.initial["departments"] == [finance]
    assert "Excel" in form.initial["title"]


def test_who_sees_what(client_for, coordinator, manager, technician, technician_t2, finance, requester, excel):
    session = _plan(coordinator, technician, departments=[finance], categories=[excel])
    anna = _invitation("Anna", session).employee.user
    detail = reverse("training:detail", args=[session.pk])
    # A requester not invited: the session does not exist for them.
    assert client_for(requester).get(detail).status_code == 404
    assert client_for(requester).get(reverse("training:index")).status_code == 302  # to their own sessions
    # The invited person sees it among their own sessions, never the list of the others invited.
    mine = client_for(anna).get(reverse("training:mine")).content.decode()
    assert "Excel for Finance" in mine and "Cleo" not in mine
    assert client_for(anna).get(detail).status_code == 302
    # Another's invitation is a 404.
    bo = _invitation("Bo", session)
    assert client_for(anna).post(reverse("training:answer", args=[bo.pk]), {"coming": "yes"}).status_code == 404
    # A technician sees the session and who is invited, but no one's figures and no effect.
    staff_page = client_for(technician_t2).get(detail).content.decode()
    assert "Cleo" in staff_page
    assert 'data-testid="person-before"' not in staff_page and 'data-testid="effect"' not in staff_page
    # ... and may not change a session they neither give nor planned.
    assert client_for(technician_t2).get(reverse("training:edit", args=[session.pk])).status_code == 403
    assert client_for(technician).get(reverse("training:edit", args=[session.pk])).status_code == 200
    # Once it is given, coordinators and managers see each person's figures and the effect; a technician does not.
    with time_machine.travel(START + timedelta(days=40), tick=False):
        services.attendance_record(session=session, by=technician, attended=[_invitation("Anna", session).pk])
        for viewer in (coordinator, manager):
            page = client_for(viewer).get(detail).content.decode()
            assert 'data-testid="effect"' in page and 'data-testid="person-before"' in page
        page = client_for(technician).get(detail).content.decode()
        assert 'data-testid="effect"' not in page and 'data-testid="person-before"' not in page


def test_the_pages_run_a_fixed_number_of_queries(client_for, coordinator, technician, django_assert_max_num_queries):
    department = factories.DepartmentFactory(name="Sales")
    for index in range(12):
        _person(f"P{index}", department)
    for _ in range(3):
        _plan(coordinator, technician, departments=[department], capacity=5)
    client = client_for(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("training:index")).status_code == 200
    session = _plan(coordinator, technician, departments=[department])
    with django_assert_max_num_queries(30):
        assert client.get(reverse("training:detail", args=[session.pk])).status_code == 200
    person = Invitation.objects.filter(session=session).select_related("employee__user").first().employee.user
    own = client_for(person)
    with django_assert_max_num_queries(8):
        assert own.get(reverse("training:mine")).status_code == 200


def test_a_session_that_has_begun_is_neither_changed_nor_added_to(coordinator, technician, finance):
    session = _plan(coordinator, technician, departments=[finance])
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        with pytest.raises(services.TrainingError, match="no one more"):
            services.session_invite(session=session, by=coordinator, employees=[_person("Dag", finance)])
        with pytest.raises(services.TrainingError, match="no longer be changed"):
            services.session_update(session=session, by=coordinator, capacity=5)
        with pytest.raises(services.TrainingError, match="no longer be called off"):
            services.session_cancel(session=session, by=coordinator)


def test_a_cancelled_session_takes_no_answers(coordinator, technician, finance):
    session = _plan(coordinator, technician, departments=[finance])
    assert services.session_cancel(session=session, by=coordinator).status == SessionStatus.CANCELLED
    anna = _invitation("Anna", session)
    with pytest.raises(services.TrainingError, match="called off"):
        services.invitation_answer(invitation=anna, by=anna.employee.user, coming=True)


def test_a_requester_may_not_plan(client_for, requester):
    requester.role = Role.REQUESTER
    assert client_for(requester).get(reverse("training:plan")).status_code == 403


def test_each_person_is_told_as_they_chose_on_their_profile(coordinator, technician, finance):
    """The outbox's one rule (notifications_for): the bell alone, the digest, a switched-off reminder."""
    anna = Employee.objects.get(first_name="Anna").user
    anna.notification_delivery = NotificationDelivery.IN_APP
    anna.save()
    bo = Employee.objects.get(first_name="Bo").user
    bo.notification_delivery = NotificationDelivery.DIGEST
    bo.muted_notification_kinds = [notices.REMINDER]
    bo.save()
    session = _plan(coordinator, technician, departments=[finance])
    invited = Notification.objects.filter(kind=notices.INVITED)
    assert set(invited.filter(recipient=anna).values_list("channel", flat=True)) == {NotificationChannel.IN_APP}
    assert invited.get(recipient=bo, channel=NotificationChannel.EMAIL).status == NotificationStatus.DIGEST
    for name in ("Bo", "Cleo"):
        invitation = _invitation(name, session)
        services.invitation_answer(invitation=invitation, by=invitation.employee.user, coming=True)
    with time_machine.travel(NOW + timedelta(days=2, hours=1), tick=False):  # Wednesday 09:00
        services.reminders_send()
    reminded = Notification.objects.filter(kind=notices.REMINDER)
    # Bo switched reminders off; Anna, yet to answer, has hers in the bell alone; Cleo by mail.
    assert set(reminded.values_list("recipient__first_name", "channel")) == {
        ("Anna", NotificationChannel.IN_APP), ("Cleo", NotificationChannel.IN_APP), ("Cleo", NotificationChannel.EMAIL),
    }  # fmt: skip


def test_an_answer_that_is_neither_yes_nor_no_changes_nothing(client_for, coordinator, technician, finance):
    session = _plan(coordinator, technician, departments=[finance])
    anna = _invitation("Anna", session)
    response = client_for(anna.employee.user).post(reverse("training:answer", args=[anna.pk]), {"coming": "maybe"})
    assert response.status_code == 302
    assert _invitation("Anna", session).answer == Answer.INVITED
