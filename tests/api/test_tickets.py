"""The tickets API: the same rules as the pages, through the same services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tickets import services
from tickets.models import Event, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(requester_2):
    """A ticket of another requester, with a public reply, a note and a file."""
    ticket = factories.TicketFactory(requester=requester_2.employee, subject="Ravi's secret laptop")
    return ticket


@pytest.fixture
def mine(requester):
    return factories.TicketFactory(requester=requester.employee, subject="My printer jams")


def test_a_requester_lists_and_searches_only_their_own(api_for, requester, mine, theirs):
    api = api_for(requester)
    numbers = [row["number"] for row in api.get("/api/tickets/").json()["results"]]
    assert numbers == [mine.pk]
    assert api.get("/api/tickets/", {"q": "secret"}).json()["results"] == []
    assert api.get("/api/tickets/", {"q": str(theirs.pk), "status": "any"}).json()["results"] == []
    assert api.get("/api/tickets/", {"requester": theirs.requester.employee_number}).json()["results"] == []


@pytest.mark.parametrize("path", ["/api/tickets/{n}/", "/api/tickets/{n}/comments/", "/api/tickets/{n}/attachments/"])
def test_someone_elses_ticket_is_a_404_like_one_that_does_not_exist(api_for, requester, theirs, path):
    api = api_for(requester)
    hidden = api.get(path.format(n=theirs.pk))
    missing = api.get(path.format(n=999999))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_someone_elses_attachment_is_a_404(api_for, requester, requester_2, technician, theirs):
    theirs.assignee = technician
    theirs.status = "in_progress"
    theirs.save()
    comment = services.comment_add(
        ticket=theirs, by=requester_2, body="Photo", files=[SimpleUploadedFile("a.txt", b"x", "text/plain")]
    )
    attachment = comment.attachments.get()
    assert api_for(requester).get(f"/api/attachments/{attachment.pk}/download/").status_code == 404
    download = api_for(requester_2).get(f"/api/attachments/{attachment.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"x"


def test_a_requester_sees_no_internal_notes_staff_do(api_for, requester, technician, mine):
    mine.assignee, mine.status = technician, "in_progress"
    mine.save()
    services.comment_add(ticket=mine, by=technician, body="Public answer")
    services.comment_add(ticket=mine, by=technician, body="Staff only", is_internal=True)
    bodies = [c["body"] for c in api_for(requester).get(f"/api/tickets/{mine.pk}/comments/").json()]
    assert bodies == ["Public answer"]
    timeline = api_for(requester).get(f"/api/tickets/{mine.pk}/").json()["timeline"]
    assert "Staff only" not in str(timeline)
    staff = [c["body"] for c in api_for(technician).get(f"/api/tickets/{mine.pk}/comments/").json()]
    assert staff == ["Public answer", "Staff only"]


def test_a_requester_may_not_see_other_employees(api_for, requester, requester_2):
    api = api_for(requester)
    rows = api.get("/api/employees/").json()["results"]
    assert [row["id"] for row in rows] == [requester.employee.pk]
    assert api.get(f"/api/employees/{requester_2.employee.pk}/").status_code == 404
    assert api.get("/api/employees/", {"q": "Ravi"}).json()["results"] == []


def test_a_requester_opens_a_ticket_for_themselves_through_the_service(api_for, requester):
    answer = api_for(requester).post(
        "/api/tickets/", {"subject": "VPN drops", "description": "Every hour", "urgency": 1}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    ticket = Ticket.objects.get(pk=answer.json()["number"])
    assert ticket.requester == requester.employee and ticket.channel == "api"
    assert answer["Location"] == f"/api/tickets/{ticket.pk}/"
    assert Event.objects.filter(ticket=ticket, kind="created").exists()


def test_the_same_idempotency_key_opens_one_ticket(api_for, requester):
    api = api_for(requester)
    first = api.post("/api/tickets/", {"subject": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post("/api/tickets/", {"subject": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.json()["number"] == second.json()["number"]
    assert Ticket.objects.filter(requester=requester.employee).count() == 1


def test_a_field_a_role_may_not_set_is_refused_by_name(api_for, requester, requester_2):
    api = api_for(requester)
    answer = api.post("/api/tickets/", {"subject": "X", "requester": requester_2.employee.pk}, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"field": "requester", "message": "Your role opens tickets for yourself only.", "code": "invalid"}
    ]
    answer = api.post("/api/tickets/", {"subject": "X", "priority": 1}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "priority"
    assert not Ticket.objects.exists()


def test_a_coordinator_opens_a_ticket_for_an_employee(api_for, coordinator, requester):
    answer = api_for(coordinator).post(
        "/api/tickets/", {"subject": "Monitor dead", "requester": requester.employee.pk}, format="json"
    )
    assert answer.status_code == 201
    assert Ticket.objects.get(pk=answer.json()["number"]).created_by == coordinator


def test_bad_input_is_a_problem_naming_each_field(api_for, requester):
    answer = api_for(requester).post("/api/tickets/", {"subject": "", "urgency": 9}, format="json")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in answer.json()["errors"]} == {"subject", "urgency"}


def test_an_action_with_the_version_seen(api_for, technician, mine):
    api = api_for(technician)
    seen = api.get(f"/api/tickets/{mine.pk}/").json()
    assert "take" in seen["actions"]
    taken = api.post(f"/api/tickets/{mine.pk}/actions/take/", {"version": seen["version"]}, format="json")
    assert taken.status_code == 200, taken.json()
    assert taken.json()["status"] == "in_progress" and taken.json()["version"] == seen["version"] + 1


def test_a_stale_version_is_a_409_with_the_current_one(api_for, technician, coordinator, mine):
    version = mine.version
    services.ticket_take(ticket=mine, by=technician, expected_version=version)
    answer = api_for(coordinator).post(
        f"/api/tickets/{mine.pk}/actions/wait_on_requester/", {"version": version}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["version"] == version + 1
    assert Ticket.objects.get(pk=mine.pk).status == "in_progress"


def test_an_action_requires_its_fields(api_for, technician, mine):
    api = api_for(technician)
    services.ticket_take(ticket=mine, by=technician)
    version = Ticket.objects.get(pk=mine.pk).version
    answer = api.post(f"/api/tickets/{mine.pk}/actions/resolve/", {"version": version}, format="json")
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"resolution_code", "resolution_notes"}
    answer = api.post(f"/api/tickets/{mine.pk}/actions/take/", {"version": version, "note": "x"}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "note"


def test_a_requester_may_not_take_staff_actions(api_for, requester, mine):
    answer = api_for(requester).post(f"/api/tickets/{mine.pk}/actions/take/", {"version": mine.version}, format="json")
    assert answer.status_code == 403
    assert Ticket.objects.get(pk=mine.pk).status == "new"


def test_an_action_from_the_wrong_status_says_why(api_for, technician, mine):
    answer = api_for(technician).post(
        f"/api/tickets/{mine.pk}/actions/start/", {"version": mine.version}, format="json"
    )
    assert answer.status_code in (400, 403)


def test_escalate_through_the_api(api_for, technician, technician_t2, mine):
    services.ticket_take(ticket=mine, by=technician)
    version = Ticket.objects.get(pk=mine.pk).version
    answer = api_for(technician).post(
        f"/api/tickets/{mine.pk}/actions/escalate/",
        {"version": version, "note": "Needs tier 2", "assignee": technician_t2.pk},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    ticket = Ticket.objects.get(pk=mine.pk)
    assert ticket.tier == 2 and ticket.assignee == technician_t2


def test_a_reply_and_a_note_through_the_api(api_for, requester, technician, mine):
    mine.assignee, mine.status = technician, "in_progress"
    mine.save()
    reply = api_for(requester).post(f"/api/tickets/{mine.pk}/comments/", {"body": "Still broken"}, format="json")
    assert reply.status_code == 201 and reply.json()["is_internal"] is False
    refused = api_for(requester).post(
        f"/api/tickets/{mine.pk}/comments/", {"body": "x", "is_internal": True}, format="json"
    )
    assert refused.status_code == 403
    note = api_for(technician).post(
        f"/api/tickets/{mine.pk}/comments/", {"body": "Check the driver", "is_internal": True}, format="json"
    )
    assert note.status_code == 201 and note.json()["is_internal"] is True


def test_files_go_through_the_same_checks(api_for, requester, technician, mine, settings):
    mine.assignee, mine.status = technician, "in_progress"
    mine.save()
    api = api_for(requester)
    good = api.post(
        f"/api/tickets/{mine.pk}/attachments/",
        {"attachments": [SimpleUploadedFile("log.txt", b"error 42", "text/plain")]},
        format="multipart",
    )
    assert good.status_code == 201, good.json()["errors"]
    assert good.json()["attachments"][0]["name"] == "log.txt"
    bad = api.post(
        f"/api/tickets/{mine.pk}/attachments/",
        {"attachments": [SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream")]},
        format="multipart",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "attachments"


def test_the_list_pages_with_a_cursor_in_every_sort(api_for, coordinator, technician):
    tickets = [factories.TicketFactory(subject=f"T{i:02}", priority=1 + i % 4) for i in range(9)]
    category = factories.CategoryFactory()
    for ticket in tickets[2:6]:  # some with an assignee, a category and a due time, the rest without
        ticket.assignee, ticket.category = technician, category
        ticket.resolution_due_at = ticket.created_at
        ticket.save()
    api = api_for(coordinator)
    sorts = ["-created", "priority", "-priority", "subject", "requester"]
    sorts += [f"{way}{name}" for name in ("assignee", "category", "due") for way in ("", "-")]
    for sort in sorts:
        seen, url, params = [], "/api/tickets/", {"sort": sort, "page_size": 2, "status": "any"}
        while url:
            page = api.get(url, params).json()
            seen += [row["number"] for row in page["results"]]
            url, params = page["next"], None
        assert sorted(seen) == sorted(t.pk for t in tickets), sort
        assert len(seen) == len(set(seen)), sort


def test_a_forged_cursor_is_a_400_naming_it(api_for, coordinator):
    answer = api_for(coordinator).get("/api/tickets/", {"cursor": "forged"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "cursor"


def test_an_unknown_filter_or_sort_is_refused_by_name(api_for, coordinator):
    api = api_for(coordinator)
    assert api.get("/api/tickets/", {"colour": "red"}).json()["errors"][0]["field"] == "colour"
    assert api.get("/api/tickets/", {"sort": "nope"}).json()["errors"][0]["field"] == "sort"


def test_the_list_runs_the_same_queries_whatever_the_page_size(
    api_for, coordinator, technician, django_assert_num_queries
):
    for index in range(30):
        factories.TicketFactory(assignee=technician if index % 2 else None, category=factories.CategoryFactory())
    api = api_for(coordinator)
    api.get("/api/tickets/", {"page_size": 2})
    with CaptureQueriesContext(connection) as small:
        api.get("/api/tickets/", {"page_size": 2})
    with django_assert_num_queries(len(small.captured_queries)):
        api.get("/api/tickets/", {"page_size": 25})


def test_throttled_per_token(api_for, requester, settings):
    settings.API_THROTTLE_RATES = {"token": "3/min", "user": "100/min", "anonymous": "10/min"}
    api = api_for(requester)
    answers = [api.get("/api/me/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = api.get("/api/me/")
    assert refused["Retry-After"] and refused.json()["status"] == 429
    assert api_for(requester).get("/api/me/").status_code == 200  # another token of the same person


def test_replies_and_requesters_tickets_count_against_the_pages_limits(api_for, requester, technician, mine, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment_add": "1/h", "ticket_create": "1/h"}
    mine.assignee, mine.status = technician, "in_progress"
    mine.save()
    api = api_for(requester)
    assert api.post(f"/api/tickets/{mine.pk}/comments/", {"body": "One"}, format="json").status_code == 201
    refused = api.post(f"/api/tickets/{mine.pk}/comments/", {"body": "Two"}, format="json")
    assert refused.status_code == 429 and "many replies" in refused.json()["detail"]
    assert api.post("/api/tickets/", {"subject": "A"}, format="json").status_code == 201
    refused = api.post("/api/tickets/", {"subject": "B"}, format="json")
    assert refused.status_code == 429 and "many problems" in refused.json()["detail"]
    assert Ticket.objects.filter(subject="B").count() == 0


def test_merge_through_the_api_asks_to_confirm_different_requesters(api_for, technician, mine, theirs):
    services.ticket_take(ticket=mine, by=technician)
    services.ticket_take(ticket=theirs, by=technician)
    api = api_for(technician)
    version = Ticket.objects.get(pk=theirs.pk).version
    path = f"/api/tickets/{theirs.pk}/actions/merge/"
    unknown = api.post(path, {"version": version, "into": "HD-999999"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "into"
    asked = api.post(path, {"version": version, "into": mine.reference}, format="json")
    assert asked.status_code == 400 and "Confirm to merge" in asked.json()["detail"]
    merged = api.post(path, {"version": version, "into": mine.reference, "confirmed": True}, format="json")
    assert merged.status_code == 200, merged.json()
    assert merged.json()["status"] == "cancelled"
    assert Ticket.objects.get(pk=theirs.pk).merged_into_id == mine.pk
