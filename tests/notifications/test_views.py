import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from notifications import services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tests import factories

pytestmark = pytest.mark.django_db


def in_app(user, **extra):
    ticket = factories.TicketFactory()
    return Notification.objects.create(
        recipient=user,
        ticket=ticket,
        kind="reply",
        channel=NotificationChannel.IN_APP,
        status=NotificationStatus.SENT,
        context={"ticket_reference": ticket.reference, "ticket_subject": "Printer <b>jams</b>"},
        **extra,
    )


def test_the_bell_counts_unread_and_the_list_escapes_user_text(client_for, requester):
    in_app(requester)
    in_app(requester)
    in_app(factories.UserFactory())
    client = client_for(requester)
    page = client.get(reverse("notifications:inbox"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="unread-count">2<' in body
    assert "Printer &lt;b&gt;jams&lt;/b&gt;" in body
    assert "<b>jams</b>" not in body


def test_mark_one_and_mark_all_read(client_for, requester):
    first, second = in_app(requester), in_app(requester)
    client = client_for(requester)
    assert client.post(reverse("notifications:mark_read", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    client.post(reverse("notifications:mark_all_read"))
    second.refresh_from_db()
    assert second.read_at is not None


def test_someone_elses_notification_is_a_404(client_for, requester, requester_2):
    theirs = in_app(requester_2)
    assert client_for(requester).post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_runs_a_fixed_number_of_queries(client_for, requester, django_assert_max_num_queries):
    client = client_for(requester)
    for _ in range(3):
        in_app(requester)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("notifications:inbox"))
    for _ in range(20):
        in_app(requester)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:inbox"))


def failed_row():
    return Notification.objects.create(
        email="gone@example.org",
        kind="reply",
        channel=NotificationChannel.EMAIL,
        status=NotificationStatus.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )


def test_managers_see_failed_rows_and_resend_them(client_for, manager):
    row = failed_row()
    client = client_for(manager)
    page = client.get(reverse("notifications:failed"))
    assert "gone@example.org" in page.content.decode()
    response = client.post(reverse("notifications:resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.PENDING, 0, "")


@pytest.mark.parametrize("persona", ["requester", "technician", "coordinator"])
def test_only_managers_see_failed_rows(client_for, request, persona):
    row = failed_row()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("notifications:failed")).status_code == 403
    assert client.post(reverse("notifications:resend", args=[row.pk])).status_code == 403
    period = {"since": "2020-01-01T00:00", "until": "2099-01-01T00:00"}
    assert client.post(reverse("notifications:resend_failed"), period).status_code == 403
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED


NOON = datetime.datetime(2026, 6, 1, 12, 0, 30, tzinfo=datetime.UTC)


def failed_at(created_at):
    row = failed_row()
    Notification.objects.filter(pk=row.pk).update(created_at=created_at)
    return row


def test_the_failed_page_counts_the_last_24_hours_and_offers_to_send_them_all(client_for, manager):
    failed_at(NOON - datetime.timedelta(hours=1))
    failed_at(NOON - datetime.timedelta(hours=23))
    failed_at(NOON - datetime.timedelta(hours=25))
    with time_machine.travel(NOON, tick=False):
        page = client_for(manager).get(reverse("notifications:failed"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "2 failed messages were created in this period." in body
    assert "Send all 2 again" in body
    # To the next whole minute, in the manager's time zone (the desk's: Stockholm, UTC+2 in June).
    assert 'name="since" value="2026-05-31T14:01"' in body
    assert 'name="until" value="2026-06-01T14:01"' in body
    assert 'action="/notifications/failed/resend/"' in body


def test_a_chosen_period_is_counted_before_it_is_sent(client_for, manager):
    failed_at(NOON - datetime.timedelta(days=3))
    failed_at(NOON - datetime.timedelta(days=3, hours=1))
    failed_at(NOON - datetime.timedelta(hours=1))
    page = client_for(manager).get(
        reverse("notifications:failed"), {"since": "2026-05-29T12:00", "until": "2026-05-29T15:00"}
    )
    assert page.status_code == 200
    assert "2 failed messages were created in this period." in page.content.decode()


def test_managers_send_a_periods_failed_rows_again_in_one_action(client_for, manager):
    rows = [failed_at(NOON - datetime.timedelta(hours=hours)) for hours in (1, 2)]
    older = failed_at(NOON - datetime.timedelta(days=2))
    response = client_for(manager).post(
        reverse("notifications:resend_failed"),
        {"since": "2026-06-01T10:00", "until": "2026-06-01T14:30"},  # Stockholm time: 08:00 to 12:30 UTC
        follow=True,
    )
    assert response.redirect_chain == [(reverse("notifications:failed"), 302)]
    assert "2 failed messages are queued to be sent again." in response.content.decode()
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (NotificationStatus.PENDING, 0, "")
    older.refresh_from_db()
    assert older.status == NotificationStatus.FAILED


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("since", "until", "reason"),
    [
        ("2026-06-02T10:00", "2026-06-01T10:00", "The end of the period must be later than its start."),
        ("2026-06-01T10:00", "2026-06-01T10:00", "The end of the period must be later than its start."),
        ("0001-01-01T00:00", "2026-06-01T10:00", "Enter a time between the years 2000 and 9998."),
        ("2026-06-01T10:00", "", "This field is required."),
    ],
)
def test_a_bad_period_is_a_400_with_the_reason_beside_the_field(client_for, manager, method, since, until, reason):
    row = failed_at(NOON)
    url = reverse("notifications:failed" if method == "get" else "notifications:resend_failed")
    response = getattr(client_for(manager), method)(url, {"since": since, "until": until})
    body = response.content.decode()
    assert response.status_code == 400
    field = "since" if since.startswith("0001") else "until"
    # Beside the field it is about, and tied to it for screen readers.
    assert re.search(rf'<div id="id_{field}_error"[^>]*>\s*<p[^>]*><strong>{re.escape(reason)}</strong>', body)
    assert f'aria-describedby="id_{field}_error" id="id_{field}"' in body
    assert "Send all" not in body and "Send it again" not in body  # no count, no button, for a period that is not one
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED


def test_sending_a_period_again_is_post_only(client_for, manager):
    assert client_for(manager).get(reverse("notifications:resend_failed")).status_code == 405


def test_mark_read_is_post_only(client_for, requester):
    row = in_app(requester)
    assert client_for(requester).get(reverse("notifications:mark_read", args=[row.pk])).status_code == 405


def test_staff_see_what_was_sent_about_a_ticket(client_for, technician, requester):
    from tickets import services as ticket_services

    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    row = Notification.objects.get(channel=NotificationChannel.EMAIL)
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.FAILED, last_error="550 no such user")
    page = client_for(technician).get(ticket.get_absolute_url()).content.decode()
    assert "Notifications sent about this ticket" in page
    assert "550 no such user" in page
    requester_page = client_for(requester).get(ticket.get_absolute_url()).content.decode()
    assert "Notifications sent about this ticket" not in requester_page


def test_services_resend_only_failed_rows(manager):
    row = failed_row()
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENT)
    row.refresh_from_db()
    services.notification_resend(notification=row, by=manager)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
