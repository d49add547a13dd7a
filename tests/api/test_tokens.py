"""Personal tokens: made once, kept hashed, refused when revoked or expired, read only when asked."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_kept_only_as_its_digest(client_for, requester):
    page = client_for(requester).post(reverse("api:tokens"), {"name": "My script", "access": "write"})
    assert page.status_code == 200
    raw = page.context["created"].raw
    assert raw.startswith("hd_") and raw in page.content.decode()
    token = ApiToken.objects.get(user=requester)
    assert token.digest == services.token_digest(raw) and raw not in (token.prefix, token.digest)
    assert not token.read_only
    again = client_for(requester).get(reverse("api:tokens"))
    assert raw not in again.content.decode() and token.prefix in again.content.decode()


def test_the_token_acts_as_its_owner_and_records_its_use(api_for, requester):
    api = api_for(requester)
    answer = api.get("/api/me/")
    assert answer.status_code == 200
    assert answer.json()["email"] == requester.email and answer.json()["token"]["read_only"] is False
    assert ApiToken.objects.get(pk=api.token.pk).last_used_at is not None


@pytest.mark.parametrize(
    "header, detail",
    [
        ("Bearer hd_nothing", "This token is not valid."),
        ("Bearer", "Send the token as: Authorization: Bearer <token>."),
    ],
)
def test_a_wrong_token_is_a_401_problem_never_anonymous(db, header, detail):
    answer = APIClient().get("/api/me/", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"] == detail and answer.json()["status"] == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_is_a_401(db):
    answer = APIClient().get("/api/tickets/")
    assert answer.status_code == 401 and answer.json()["title"] == "Unauthorized"


def test_a_revoked_token_stops_at_once(api_for, requester):
    api = api_for(requester)
    assert api.get("/api/me/").status_code == 200
    services.token_revoke(token=api.token, by=requester)
    answer = api.get("/api/me/")
    assert answer.status_code == 401 and answer.json()["detail"] == "This token was revoked."


def test_an_expired_token_is_refused(api_for, requester):
    api = api_for(requester, expires_at=timezone.now() + timedelta(days=1))
    assert api.get("/api/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        answer = api.get("/api/me/")
    assert answer.status_code == 401 and answer.json()["detail"] == "This token has expired."


def test_a_deactivated_owners_token_is_refused(api_for, requester):
    api = api_for(requester)
    requester.is_active = False
    requester.save()
    assert api.get("/api/me/").status_code == 401


def test_a_read_only_token_reads_but_never_writes(api_for, requester):
    api = api_for(requester, read_only=True)
    assert api.get("/api/tickets/").status_code == 200
    answer = api.post("/api/tickets/", {"subject": "Printer jams"}, format="json")
    assert answer.status_code == 403
    assert "read only" in answer.json()["detail"]
    assert not requester.employee.tickets.exists()


def test_managers_see_and_revoke_anyones_tokens_others_do_not(client_for, requester, requester_2, manager):
    theirs = services.token_create(by=requester, name="Rita's").token
    assert client_for(requester_2).get(reverse("api:tokens_all")).status_code == 403
    assert client_for(requester_2).post(reverse("api:token_revoke", args=[theirs.pk])).status_code == 404
    page = client_for(manager).get(reverse("api:tokens_all"))
    assert page.status_code == 200 and "Rita&#x27;s" in page.content.decode()
    client_for(manager).post(reverse("api:token_revoke", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None and theirs.revoked_by == manager


def test_a_token_form_refuses_a_past_day_next_to_the_field(client_for, requester):
    page = client_for(requester).post(
        reverse("api:tokens"), {"name": "x", "access": "read", "expires_on": "2000-01-01"}
    )
    assert page.status_code == 400
    assert page.context["form"].errors["expires_on"] == ["Choose a day in the future, or none."]


def test_the_token_pages_run_a_fixed_number_of_queries(client_for, manager, django_assert_max_num_queries):
    for index in range(3):
        services.token_create(by=factories.UserFactory(), name=f"t{index}")
    client = client_for(manager)
    client.get(reverse("api:tokens_all"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("api:tokens_all"))
    for index in range(10):
        services.token_create(by=factories.UserFactory(), name=f"more{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("api:tokens_all"))
