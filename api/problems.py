"""Errors as RFC 9457 problem details: `type`, `title`, `status`, `detail`, and `errors` naming each field.

Every refusal of the services lands here as the web pages would say it: a ticket the caller may not see is a
404 exactly like one that does not exist, a stale version a 409 with the ticket's current version, a
workflow refusal a 400 that says why, a field a role may not set a 400 naming the field.
"""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tickets import attachments
from tickets.services import StaleTicket
from tickets.workflow import MissingFields, WorkflowError

CONTENT_TYPE = "application/problem+json"
NON_FIELD = "non_field_errors"


def field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """A serializer's or form's errors, flattened: one {"field", "message", "code"} per message."""
    found: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for name, value in detail.items():
            name = "" if name in (NON_FIELD, "__all__") else str(name)
            found += field_errors(value, f"{path}.{name}" if path and name else (name or path))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                found += field_errors(value, f"{path}[{index}]")
            else:
                found += field_errors(value, path)
    else:
        found.append({"field": path, "message": str(detail), "code": getattr(detail, "code", "invalid") or "invalid"})
    return found


def problem_body(status_code: int, detail: str, *, errors: list | None = None, **extra: Any) -> dict[str, Any]:
    """The body of a problem-details answer (also written by helpdesk.middleware, before any view runs)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem(status_code: int, detail: str, *, errors: list | None = None, **extra: Any) -> Response:
    response = Response(problem_body(status_code, detail, errors=errors, **extra), status=status_code)
    response.content_type = CONTENT_TYPE
    return response


class FieldsRefused(exceptions.ValidationError):
    """Fields a caller sent that their role may not set, or that the resource does not have."""


def handle(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER."""
    if isinstance(error, StaleTicket):
        current = error.ticket.version
        return problem(
            status.HTTP_409_CONFLICT,
            _(
                "%(ticket)s changed since the version you sent; it is at version %(version)s now. Read it again, "
                "then try again if the change still applies."
            )
            % {"ticket": error.ticket.reference, "version": current},
            version=current,
        )
    if isinstance(error, MissingFields):
        message = str(error.message)
        return problem(
            status.HTTP_400_BAD_REQUEST,
            message,
            errors=[
                {"field": name, "message": _("This field is required."), "code": "required"} for name in error.fields
            ],
        )
    if isinstance(error, WorkflowError):
        return problem(status.HTTP_400_BAD_REQUEST, str(error.message))
    if isinstance(error, attachments.FilesNotStored):
        return problem(
            status.HTTP_507_INSUFFICIENT_STORAGE,
            str(error.message),
            errors=[{"field": "attachments", "message": str(error.message), "code": "not_stored"}],
        )
    if isinstance(error, DjangoValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD: error.messages}
        return problem(
            status.HTTP_400_BAD_REQUEST,
            _("The request was refused: see the errors."),
            errors=field_errors(detail),
        )
    if isinstance(error, Http404):
        return problem(status.HTTP_404_NOT_FOUND, _("Not found."))
    if isinstance(error, PermissionDenied) and not isinstance(error, exceptions.APIException):
        return problem(status.HTTP_403_FORBIDDEN, _("You may not do this."))
    response = exception_handler(error, context)
    if response is None:
        return None
    if isinstance(error, exceptions.ValidationError):
        return problem(
            response.status_code,
            _("The request was refused: see the errors."),
            errors=field_errors(error.detail),
        )
    said = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    refused = problem(response.status_code, str(said))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            refused[header] = response[header]
    return refused
