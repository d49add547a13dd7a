"""A refused or missing page is one line in the log (method, path, status, user id, reason), not a
traceback; a server error keeps its traceback."""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import include, path

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _refused(request):
    raise PermissionDenied


def _refused_saying_why(request):
    raise PermissionDenied("not your ticket\nsecond line")


def _missing(request):
    raise Http404("No ticket HD-1042")


def _broken(request):
    raise RuntimeError("the view broke")


urlpatterns = [
    path("refused/", _refused),
    path("refused-why/", _refused_saying_why),
    path("missing/", _missing),
    path("broken/", _broken),
    path("", include("helpdesk.urls")),  # the desk's own pages, and the names its error pages link to
]


def _request_lines(caplog):
    records = [record for record in caplog.records if record.name == "django.request"]
    for record in records:
        if record.levelno < logging.ERROR:
            assert "\n" not in caplog.handler.format(record)  # as written to the log: one line
    return records


def test_a_404_is_one_line_without_traceback(client, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get("/missing/").status_code == 404
    (record,) = _request_lines(caplog)
    assert record.levelname == "WARNING"
    assert record.getMessage() == "GET /missing/ 404 user=- Not Found"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_403_is_one_line_with_the_user_and_the_reason(client_for, technician, caplog):
    client = client_for(technician)
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.post("/refused/").status_code == 403
        assert client.get("/refused-why/?token=secret").status_code == 403
    first, second = _request_lines(caplog)
    assert first.getMessage() == f"POST /refused/ 403 user={technician.pk} PermissionDenied"
    assert (
        second.getMessage()
        == f"GET /refused-why/ 403 user={technician.pk} PermissionDenied: not your ticket second line"
    )
    assert first.exc_info is None and second.exc_info is None
    assert "Traceback" not in caplog.text
    assert "secret" not in caplog.text  # the path, not the query string


def test_a_real_page_refused_or_missing_is_one_line(client_for, requester, caplog):
    """Through the desk's own views: a ticket that does not exist, a page of the staff."""
    client = client_for(requester)
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get("/tickets/999999/").status_code == 404
        assert client.get("/tickets/dashboard/").status_code == 403
    assert [record.getMessage() for record in _request_lines(caplog)] == [
        f"GET /tickets/999999/ 404 user={requester.pk} Not Found",
        f"GET /tickets/dashboard/ 403 user={requester.pk} PermissionDenied",
    ]
    assert "Traceback" not in caplog.text


def test_a_500_keeps_its_traceback(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get("/broken/").status_code == 500
    (record,) = _request_lines(caplog)
    assert record.levelname == "ERROR"
    assert record.getMessage() == "Internal Server Error: /broken/"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "Traceback (most recent call last)" in caplog.text
    assert "RuntimeError: the view broke" in caplog.text
