import pytest
from django.urls import reverse

from accounts.models import Role
from tests import factories, two_factor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("requester", "tickets:mine"),
        ("technician", "tickets:queue"),
        ("coordinator", "tickets:dashboard"),
        ("manager", "tickets:dashboard"),
    ],
)
def test_each_role_lands_where_its_work_is(client, request, password, persona, landing):
    user = request.getfixturevalue(persona)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password}, follow=True)
    if user.two_factor_enabled:  # the manager: a code from the app first
        assert response.redirect_chain[-1][0] == reverse("accounts:login_code")
        response = client.post(reverse("accounts:login_code"), {"code": two_factor.code_for(user)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(landing)
    assert response.status_code == 200
    assert response.context["user"] == user


def test_email_is_matched_without_case(client, requester, password):
    response = client.post(reverse("accounts:login"), {"username": "Rita.REQUESTER@example.org", "password": password})
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, requester):
    known = client.post(reverse("accounts:login"), {"username": requester.email, "password": "wrong"})
    unknown = client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "do not match an account" in str(known.context["form"].non_field_errors())


def test_inactive_account_gets_the_same_message_as_a_wrong_password(client, password):
    user = factories.UserFactory(is_active=False)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password})
    assert "do not match an account" in str(response.context["form"].non_field_errors())


def test_pages_need_login(client):
    response = client.get(reverse("tickets:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("persona", "page", "status"),
    [
        ("requester", "tickets:queue", 403),
        ("requester", "tickets:dashboard", 403),
        ("technician", "tickets:dashboard", 403),
        ("technician", "tickets:queue", 200),
        ("coordinator", "tickets:dashboard", 200),
        ("manager", "tickets:dashboard", 200),
    ],
)
def test_role_pages_are_refused_to_other_roles(client_for, request, persona, page, status):
    response = client_for(request.getfixturevalue(persona)).get(reverse(page))
    assert response.status_code == status


def test_logout_is_a_post(client_for, requester):
    client = client_for(requester)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("tickets:mine")).status_code == 302


def test_admin_is_for_managers_only(client_for, manager, coordinator):
    assert client_for(manager).get(reverse("admin:index")).status_code == 200
    response = client_for(coordinator).get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_admin_sends_a_visitor_to_the_one_login_page(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login") + "?next=/admin/"


def test_manager_role_can_use_admin_model_pages(client_for, manager):
    response = client_for(manager).get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    assert (
        factories.UserFactory(role=Role.TECHNICIAN).email.encode()
        in client_for(manager).get(reverse("admin:accounts_user_changelist")).content
    )


def test_client_login_needs_a_request_now_that_failed_logins_are_counted(client, requester, password):
    # django-axes counts per client address, so authenticate() wants the request: tests log in with
    # client_for (force_login), through the login page, or give client.login a request.
    from axes.exceptions import AxesBackendRequestParameterRequired
    from django.http import HttpRequest

    with pytest.raises(AxesBackendRequestParameterRequired):
        client.login(username=requester.email, password=password)
    assert client.login(request=HttpRequest(), username=requester.email, password=password)
    assert client.get(reverse("tickets:mine")).status_code == 200
