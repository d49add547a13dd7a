"""Two-factor authentication: who may and who must, setup with a QR code and a typed key, the code step of
the login, single-use recovery codes, throttled wrong codes, turning it off, and the admin's demand."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests import factories, two_factor

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/"


def password_step(user, password, client=None, **extra) -> tuple[Client, object]:
    client = client or Client()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password}, **extra)
    return client, response


def set_up(client, user) -> list[str]:
    """Through the pages: read the key the setup page shows, answer with its code, return the recovery codes."""
    page = client.get(SETUP)
    assert page.status_code == 200
    code = two_factor.code_for_secret(page.context["secret"])
    response = client.post(reverse("accounts:two_factor_enable"), {"code": code})
    assert response.status_code == 200, response.content.decode()
    return response.context["codes"]


# --- who ------------------------------------------------------------------------------------------


def test_requesters_never_see_it(client_for, requester):
    client = client_for(requester)
    assert b'data-testid="two-factor"' not in client.get(reverse("accounts:profile")).content
    assert client.get(SETUP).status_code == 403
    assert client.post(reverse("accounts:two_factor_enable"), {"code": "123456"}).status_code == 403


@pytest.mark.parametrize("persona", ["technician", "coordinator"])
def test_technicians_and_coordinators_may_turn_it_on(client_for, request, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert b'data-testid="two-factor"' in client.get(reverse("accounts:profile")).content
    codes = set_up(client, user)
    assert len(codes) == 10
    user.refresh_from_db()
    assert user.two_factor_enabled
    assert TOTPDevice.objects.get(user=user).confirmed
    # The session that set it up counts as verified: the desk opens at once.
    assert client.get(reverse("tickets:queue")).status_code == 200


def test_without_it_staff_log_in_with_the_password_alone(technician, password):
    _client, response = password_step(technician, password)
    assert response["Location"] == reverse("home")


def test_a_manager_without_it_is_sent_to_set_it_up_and_reaches_nothing_else(password):
    manager = factories.UserFactory(role=Role.MANAGER)
    client, response = password_step(manager, password)
    assert response["Location"] == SETUP
    for url in (reverse("tickets:dashboard"), reverse("admin:index"), reverse("accounts:profile"), "/notifications/"):
        assert client.get(url)["Location"] == SETUP, url
    page = client.get(SETUP)
    assert "As a manager you log in with your password and a code" in page.content.decode()
    assert 'href="/tickets/dashboard/"' not in page.content.decode()  # the menu is closed too
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_a_manager_who_set_it_up_goes_on_to_the_desk(password):
    manager = factories.UserFactory(role=Role.MANAGER)
    client, _response = password_step(manager, password)
    set_up(client, manager)
    assert client.get(reverse("tickets:dashboard")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


# --- setup ----------------------------------------------------------------------------------------


def test_the_qr_code_is_an_svg_of_its_own_never_stored(client_for, technician):
    client = client_for(technician)
    page = client.get(SETUP).content.decode()
    assert 'src="/accounts/two-factor/qr.svg"' in page
    qr = client.get(reverse("accounts:two_factor_qr"))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert "no-store" in qr["Cache-Control"]
    svg = qr.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg and "style" not in svg
    # The key as text for typing in, the same key the QR code carries.
    secret = client.get(SETUP).context["secret"]
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)


def test_the_key_stays_the_same_until_it_is_proved(client_for, technician):
    client = client_for(technician)
    assert client.get(SETUP).context["secret"] == client.get(SETUP).context["secret"]


def test_a_wrong_first_code_turns_nothing_on(client_for, technician):
    client = client_for(technician)
    client.get(SETUP)
    response = client.post(reverse("accounts:two_factor_enable"), {"code": "000000"})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    technician.refresh_from_db()
    assert not technician.two_factor_enabled
    assert not TOTPDevice.objects.filter(user=technician).exists()


def test_the_new_pages_hold_no_inline_script_or_style(client_for, technician):
    client = client_for(technician)
    pages = [client.get(SETUP), client.get(reverse("accounts:profile"))]
    code = two_factor.code_for_secret(pages[0].context["secret"])
    pages.append(client.post(reverse("accounts:two_factor_enable"), {"code": code}))
    pages.append(client.get(SETUP))
    other = Client()
    pages.append(other.get(reverse("accounts:login")))
    for page in pages:
        html = page.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
        assert not re.search(r"\sstyle=|<style", html), "inline style"
        assert not re.search(r"\son[a-z]+=", html), "inline handler"


# --- the login's code step --------------------------------------------------------------------------


def test_login_asks_for_a_code_and_takes_the_apps(technician, password):
    two_factor.enable(technician)
    client, response = password_step(technician, password)
    assert response["Location"] == reverse("accounts:login_code")
    # Between the steps nothing else opens.
    assert client.get(reverse("tickets:queue"))["Location"].startswith(reverse("accounts:login_code"))
    response = client.post(reverse("accounts:login_code"), {"code": two_factor.code_for(technician)})
    assert response["Location"] == reverse("tickets:queue")
    assert client.get(reverse("tickets:queue")).status_code == 200


def test_the_page_asked_for_is_reached_after_the_code(technician, password):
    two_factor.enable(technician)
    client = Client()
    client.post(
        reverse("accounts:login") + "?next=/assets/devices/",
        {"username": technician.email, "password": password, "next": "/assets/devices/"},
    )
    response = client.post(
        reverse("accounts:login_code") + "?next=/assets/devices/", {"code": two_factor.code_for(technician)}
    )
    assert response["Location"] == "/assets/devices/"


def test_a_wrong_code_is_refused_and_then_throttled(technician, password):
    two_factor.enable(technician)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client, _response = password_step(technician, password)
        wrong = client.post(reverse("accounts:login_code"), {"code": "000000"})
        assert "That code is not right" in str(wrong.context["form"].errors)
        # Right away, even the right code waits: one failure asks for a second's pause, two for two...
        throttled = client.post(reverse("accounts:login_code"), {"code": two_factor.code_for(technician)})
        assert "Too many wrong codes" in str(throttled.context["form"].errors)
        assert client.get(reverse("tickets:queue")).status_code == 302
        clock.shift(timedelta(seconds=2))
        response = client.post(reverse("accounts:login_code"), {"code": two_factor.code_for(technician)})
        assert response.status_code == 302
        assert client.get(reverse("tickets:queue")).status_code == 200


def test_the_throttle_grows_with_each_failure(technician, password):
    two_factor.enable(technician)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client, _response = password_step(technician, password)
        for _failure in range(4):
            client.post(reverse("accounts:login_code"), {"code": "000000"})
            clock.shift(timedelta(seconds=10))
        assert TOTPDevice.objects.get(user=technician).throttling_failure_count == 4
        clock.shift(timedelta(seconds=-5))  # five seconds after the fourth failure: eight are owed
        response = client.post(reverse("accounts:login_code"), {"code": two_factor.code_for(technician)})
        assert "Too many wrong codes" in str(response.context["form"].errors)


def test_a_recovery_code_works_once(technician, password):
    codes = two_factor.enable(technician).recovery_codes
    client, _response = password_step(technician, password)
    response = client.post(reverse("accounts:login_code"), {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "9 are left" in response.content.decode()
    assert StaticToken.objects.filter(device__user=technician).count() == 9
    again, _response = password_step(technician, password)
    refused = again.post(reverse("accounts:login_code"), {"code": codes[0]})
    assert "That code is not right" in str(refused.context["form"].errors)


def test_the_same_app_code_cannot_be_used_twice(technician, password):
    two_factor.enable(technician)
    with time_machine.travel(timezone.now(), tick=False):
        code = two_factor.code_for(technician)
        first, _response = password_step(technician, password)
        assert first.post(reverse("accounts:login_code"), {"code": code}).status_code == 302
        second, _response = password_step(technician, password)
        assert second.post(reverse("accounts:login_code"), {"code": code}).status_code == 200


def test_new_recovery_codes_void_the_old_ones(client_for, technician, password):
    old = two_factor.enable(technician).recovery_codes
    client = client_for(technician)
    response = client.post(reverse("accounts:two_factor_recovery_codes"))
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert "no longer work" in response.content.decode()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login, _response = password_step(technician, password)
        assert login.post(reverse("accounts:login_code"), {"code": old[1]}).status_code == 200
        clock.shift(timedelta(seconds=2))  # the wrong code's pause
        assert login.post(reverse("accounts:login_code"), {"code": new[1]}).status_code == 302


# --- turning it off ----------------------------------------------------------------------------------


def test_turning_it_off_takes_a_current_code(client_for, technician, password):
    two_factor.enable(technician)
    client = client_for(technician)
    refused = client.post(reverse("accounts:two_factor_disable"), {"code": "000000"})
    assert refused.status_code == 400
    technician.refresh_from_db()
    assert technician.two_factor_enabled
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        response = client.post(reverse("accounts:two_factor_disable"), {"code": two_factor.code_for(technician)})
    assert response["Location"] == reverse("accounts:profile")
    technician.refresh_from_db()
    assert not technician.two_factor_enabled
    assert not TOTPDevice.objects.filter(user=technician).exists()
    _client, login = password_step(technician, password)
    assert login["Location"] == reverse("home")


def test_a_manager_who_turns_it_off_sets_it_up_again_at_once(client_for, manager):
    client = client_for(manager)
    response = client.post(reverse("accounts:two_factor_disable"), {"code": two_factor.code_for(manager)})
    assert response["Location"] == SETUP
    assert client.get(reverse("tickets:dashboard"))["Location"] == SETUP


def test_a_manager_resets_someones_two_factor_in_the_admin(client_for, manager, technician, password):
    two_factor.enable(technician)
    theirs = client_for(technician)
    response = client_for(manager).post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [technician.pk]}
    )
    assert response.status_code == 302
    technician.refresh_from_db()
    assert not technician.two_factor_enabled
    assert theirs.get(reverse("tickets:queue")).status_code == 302  # their sessions ended
    _client, login = password_step(technician, password)
    assert login["Location"] == reverse("home")


# --- the admin ----------------------------------------------------------------------------------------


def test_the_admin_refuses_a_manager_whose_session_is_not_verified(manager):
    client = Client()
    client.force_login(manager)  # a password-only session, however it came about
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:login_code"))


def test_the_admin_site_itself_asks_for_a_verified_user(manager):
    request = RequestFactory().get("/admin/")
    request.user = manager
    request.session = Client().session
    OTPMiddleware(lambda r: None)(request)
    assert request.user.is_verified() is False
    assert admin_site.has_permission(request) is False
    request.user.otp_device = TOTPDevice.objects.get(user=manager)
    assert admin_site.has_permission(request) is True
