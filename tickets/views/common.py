"""What the ticket pages share: the 507 for files the disk refused, links to other apps, refusals, and the
one way a service's refusal lands on the form that asked for the change."""

from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import services
from tickets.models import Ticket
from tickets.workflow import MissingFields, WorkflowError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a message: a text, or a lazy translation of one

# The disk refused an uploaded file (tickets.attachments.FilesNotStored): 507 Insufficient Storage, not 503.
# It names the cause (the server could not store what the request needs), it is a 5xx that monitoring counts
# as the server's fault, and reverse proxies often put a maintenance page over a 503, which would hide the
# form and the text the person typed.
FILES_NOT_STORED = 507

# What a service raises when it refuses a change; `error_onto_form` puts any of them on the form.
SERVICE_ERRORS = (services.StaleTicket, ValidationError, WorkflowError)
STALE = 409
REFUSED = 400


def too_many_tickets() -> str:
    """Past the limit on new tickets (RATE_LIMITS["ticket_create"]): the form's page and the API say it alike."""
    return _(
        "You have reported many problems in a short time, so this one was not sent yet. Nothing you typed is "
        "lost: try again in a while, or call the help desk if it is urgent."
    )


def too_many_replies() -> str:
    """Past the limit on replies and notes (RATE_LIMITS["comment_add"])."""
    return _(
        "You have written many replies in a short time, so this one was not sent. What you wrote is "
        "still here: send it again in a while."
    )


class SignedInRequest(HttpRequest):
    """A request past login_required, as the views read it: its user is signed in, and django-htmx's
    middleware has said whether htmx sent it."""

    user: User
    htmx: Any


def employee_of(user: Any) -> Any:
    return getattr(user, "employee", None)


def is_navigation(request: SignedInRequest) -> bool:
    """A browser loading a page (a link, a form's post), as opposed to htmx or a script's fetch. Browsers say
    which with Sec-Fetch-Mode; a client that says nothing is taken for a plain browser."""
    if request.htmx:
        return False
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"


def refused(request: SignedInRequest, ticket: Ticket, message: "StrOrPromise") -> HttpResponseBase:
    """An action that cannot be taken now: a browser goes back to the ticket and reads why; htmx and scripts
    get a 400 saying it, so they can tell it from a change that was made (a stale version is a 409)."""
    if is_navigation(request):
        messages.error(request, message)
        return redirect(ticket)
    return render(request, "partials/refusal.html", {"message": message}, status=REFUSED)


def prefixed(data: Any, prefix: str) -> Any:
    """A post (or its files) as the form named `prefix` reads it. Every form of the ticket page carries its
    own prefix (`wait_on_vendor-note`), so no two fields of the page share an id; a post with bare names (the
    suggestions page, a script, a ticket page opened before the prefixes came) is read as if prefixed."""
    if data is None:
        return None
    start = f"{prefix}-"
    if any(key.startswith(start) for key in data):
        return data
    renamed: MultiValueDict[str, Any] = MultiValueDict()
    for key, values in data.lists():
        renamed.setlist(key if key == "csrfmiddlewaretoken" else start + key, values)
    return renamed


def posted_version(request: SignedInRequest, prefix: str = "") -> int | None:
    """The ticket's version the post was made on, from the form named `prefix` or a bare post."""
    value = request.POST.get(f"{prefix}-version") if prefix else None
    try:
        return int(value if value is not None else request.POST.get("version", ""))
    except ValueError:
        return None


def is_stale(error: Exception) -> bool:
    return isinstance(error, services.StaleTicket)


def names_fields(error: Exception) -> bool:
    """Whether `error` says which fields were wrong (rather than refusing the action as a whole)."""
    return isinstance(error, (MissingFields, ValidationError))


def error_onto_form(form: django_forms.BaseForm, error: Exception) -> int:
    """Put a service's refusal (one of SERVICE_ERRORS) on `form`, and answer the status code that says what
    happened. An error about fields goes next to each field the form has (on the form as a whole for the
    others); a refusal of the action goes on the form as a whole. The form keeps what was typed.

    A stale version adds nothing: the form is shown again, as typed, on the ticket's new state, with the
    message above the page (the caller builds that new state); its status is 409, every other's 400.
    """
    if is_stale(error):
        return STALE
    if isinstance(error, MissingFields):
        for field in error.fields:
            form.add_error(field if field in form.fields else None, error.message)
    elif isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, field_errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            form.add_error(None, error)
    else:
        form.add_error(None, getattr(error, "message", str(error)))
    return REFUSED
