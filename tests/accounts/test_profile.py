import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import NotificationDelivery

pytestmark = pytest.mark.django_db


def test_preferences_are_saved_and_the_language_is_used(client_for, requester):
    client = client_for(requester)
    response = client.post(
        reverse("accounts:profile"),
        {"language": "sv", "time_zone": "Europe/Oslo", "notification_delivery": NotificationDelivery.DIGEST},
    )
    assert response.status_code == 302
    requester.refresh_from_db()
    assert (requester.language, requester.time_zone, requester.notification_delivery) == (
        "sv",
        "Europe/Oslo",
        NotificationDelivery.DIGEST,
    )
    page = client.get(reverse("accounts:profile"))
    assert '<html lang="sv"' in page.content.decode()


def test_a_bad_time_zone_is_shown_beside_its_field(client_for, requester):
    response = client_for(requester).post(
        reverse("accounts:profile"),
        {"language": "", "time_zone": "Mars/Olympus", "notification_delivery": NotificationDelivery.IMMEDIATE},
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    requester.refresh_from_db()
    assert requester.time_zone == ""


def test_only_coordinators_are_offered_every_new_ticket(client_for, requester, coordinator):
    assert "notify_new_tickets" not in client_for(requester).get(reverse("accounts:profile")).context["form"].fields
    assert "notify_new_tickets" in client_for(coordinator).get(reverse("accounts:profile")).context["form"].fields


def test_a_requester_cannot_switch_on_a_coordinator_option(client_for, requester):
    client_for(requester).post(
        reverse("accounts:profile"),
        {"language": "", "time_zone": "", "notification_delivery": "immediate", "notify_new_tickets": "on"},
    )
    requester.refresh_from_db()
    assert requester.notify_new_tickets is False


def test_a_technician_marks_themselves_away(client_for, technician):
    response = client_for(technician).post(reverse("accounts:availability"), {})
    assert response.status_code == 302
    technician.technician_profile.refresh_from_db()
    assert technician.technician_profile.is_available is False


def test_password_change_needs_the_old_password(client_for, requester, password):
    client = client_for(requester)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "n3w-Passw0rd!x", "new_password2": "n3w-Passw0rd!x"},
    )
    assert "old_password" in response.context["form"].errors
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "n3w-Passw0rd!x", "new_password2": "n3w-Passw0rd!x"},
    )
    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.check_password("n3w-Passw0rd!x")


def test_password_reset_by_email_end_to_end(client, requester):
    response = client.post(reverse("accounts:password_reset"), {"email": "RITA.requester@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Fresh-pa55word", "new_password2": "Fresh-pa55word"}
    )
    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.check_password("Fresh-pa55word")


def test_password_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_unticked_kinds_of_news_are_muted(client_for, technician):
    from tickets.notices.kinds import NotificationKind

    client = client_for(technician)
    form = client.get(reverse("accounts:profile")).context["form"]
    offered = [value for value, _label in form.fields["notification_kinds"].choices]
    assert NotificationKind.ASSIGNED_TO_YOU in offered
    assert NotificationKind.NEW_TICKET not in offered  # a coordinator's kind
    keep = [kind for kind in offered if kind != NotificationKind.REQUESTER_REPLIED]
    client.post(
        reverse("accounts:profile"),
        {"language": "", "time_zone": "", "notification_delivery": "immediate", "notification_kinds": keep},
    )
    technician.refresh_from_db()
    assert technician.muted_notification_kinds == [NotificationKind.REQUESTER_REPLIED]


def test_a_kind_nobody_may_choose_is_refused_beside_its_field(client_for, requester):
    response = client_for(requester).post(
        reverse("accounts:profile"),
        {"language": "", "time_zone": "", "notification_delivery": "immediate", "notification_kinds": ["breach"]},
    )
    assert "notification_kinds" in response.context["form"].errors
