import pytest
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
