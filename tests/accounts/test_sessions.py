"""Sessions: idle limits by role and by the "keep me signed in" tick, written at most once a minute,
never cached by the browser, and ended everywhere when an account closes or its password changes."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache

from accounts import services
from accounts.models import UserSession
from helpdesk import urls as helpdesk_urls

pytestmark = pytest.mark.django_db

HOME = "/accounts/profile/"


@cache_control(public=True, max_age=3600)
def cached_view(request):
    return HttpResponse("cached")


@never_cache
def never_cached_view(request):
    return HttpResponse("never")


urlpatterns = [path("cached/", cached_view), path("never/", never_cached_view), *helpdesk_urls.urlpatterns]


def logged_in(user, password, keep=False) -> Client:
    client = Client()
    data = {"username": user.email, "password": password}
    if keep:
        data["keep_signed_in"] = "on"
    response = client.post(reverse("accounts:login"), data)
    assert response.status_code == 302
    return client


def signed_in(client) -> bool:
    response = client.get(HOME)
    return response.status_code == 200


@pytest.mark.parametrize("persona", ["technician", "coordinator", "requester"])
def test_staff_and_unticked_requesters_are_signed_out_after_the_staff_idle_hours(request, password, persona, settings):
    settings.SESSION_IDLE_STAFF_HOURS = 8
    user = request.getfixturevalue(persona)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(user, password)
        clock.shift(timedelta(hours=7, minutes=59))
        assert signed_in(client)
        clock.shift(timedelta(hours=7, minutes=59))  # idle time counts from the last request
        assert signed_in(client)
        clock.shift(timedelta(hours=8, minutes=1))
        response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "signed out after a time without activity" in response.content.decode()


def test_a_requester_who_ticks_keep_me_signed_in_stays_for_days(requester, password, settings):
    settings.SESSION_IDLE_REQUESTER_DAYS = 14
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(requester, password, keep=True)
        assert int(client.cookies["sessionid"]["max-age"]) == 14 * 24 * 60 * 60
        clock.shift(timedelta(days=13))
        assert signed_in(client)
        clock.shift(timedelta(days=14, minutes=1))
        assert not signed_in(client)


def test_without_the_tick_the_cookie_ends_with_the_browser(requester, password):
    client = logged_in(requester, password)
    assert client.cookies["sessionid"]["max-age"] == ""
    assert client.cookies["sessionid"]["expires"] == ""


def test_staff_cannot_stay_signed_in_for_days(technician, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(technician, password, keep=True)
        assert client.cookies["sessionid"]["max-age"] == ""
        clock.shift(timedelta(hours=8, minutes=1))
        assert not signed_in(client)


def test_the_session_is_written_at_most_once_a_minute(requester, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(requester, password, keep=True)
        clock.shift(timedelta(seconds=30))
        quiet = client.get(HOME)
        assert "sessionid" not in quiet.cookies
        clock.shift(timedelta(seconds=31))
        refreshed = client.get(HOME)
        assert "sessionid" in refreshed.cookies  # the stamp moved, and the cookie's end with it


@pytest.mark.urls("tests.accounts.test_sessions")
def test_every_response_to_a_signed_in_person_is_no_store(client_for, requester, client):
    signed = client_for(requester)
    assert signed.get(HOME)["Cache-Control"] == "private, no-store"
    # A weaker header of a view is replaced; a stricter one is left as it is.
    assert signed.get("/cached/")["Cache-Control"] == "private, no-store"
    assert "no-store" in signed.get("/never/")["Cache-Control"]
    assert "max-age=0" in signed.get("/never/")["Cache-Control"]
    # Nobody signed in: the view's own header stands.
    assert client.get("/cached/")["Cache-Control"] == "public, max-age=3600"


def test_deactivating_an_account_ends_its_sessions_everywhere(client_for, manager, requester, password):
    first, second = logged_in(requester, password), logged_in(requester, password, keep=True)
    assert UserSession.objects.filter(user=requester).count() == 2
    response = client_for(manager).post(
        reverse("admin:accounts_user_changelist"), {"action": "deactivate", "_selected_action": [requester.pk]}
    )
    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.is_active is False
    assert not UserSession.objects.filter(user=requester).exists()
    assert not signed_in(first)
    assert not signed_in(second)
    # Opening the account again does not bring an old session back.
    services.user_set_active(user=requester, is_active=True, by=manager)
    assert not signed_in(second)


def test_unticking_active_in_the_admin_form_ends_the_sessions(client_for, manager, requester, password):
    other = logged_in(requester, password)
    admin = client_for(manager)
    url = reverse("admin:accounts_user_change", args=[requester.pk])
    form = admin.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.pop("is_active")
    data.update({"technician_profile-TOTAL_FORMS": 0, "technician_profile-INITIAL_FORMS": 0})
    data["last_login_0"], data["last_login_1"] = "", ""
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "08:00:00"
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    requester.refresh_from_db()
    assert requester.is_active is False
    assert not signed_in(other)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(requester, password):
    here, elsewhere = logged_in(requester, password), logged_in(requester, password)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "n3w-Passw0rd!x", "new_password2": "n3w-Passw0rd!x"},
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)


def test_a_password_reset_ends_every_session(client, requester, password):
    first, second = logged_in(requester, password), logged_in(requester, password)
    client.post(reverse("accounts:password_reset"), {"email": requester.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Fresh-pa55word", "new_password2": "Fresh-pa55word"}
    )
    assert response.status_code == 302
    assert not signed_in(first)
    assert not signed_in(second)


def test_the_dashboards_own_refresh_does_not_keep_a_session_alive(coordinator, password, settings):
    settings.SESSION_IDLE_STAFF_HOURS = 8
    part = reverse("tickets:dashboard_part", args=["counts"])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(coordinator, password)
        for _hour in range(7):
            clock.shift(timedelta(hours=1))
            assert client.get(part, HTTP_HX_REQUEST="true").status_code == 200
        clock.shift(timedelta(minutes=59))
        assert client.get(part, HTTP_HX_REQUEST="true").status_code == 200
        clock.shift(timedelta(minutes=2))  # eight hours and a minute since the person last did anything
        assert client.get(part, HTTP_HX_REQUEST="true").status_code == 302
