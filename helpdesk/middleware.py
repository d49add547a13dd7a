"""Request hygiene that holds for every page, whichever view answers it."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from api import problems
from core.text import IN_ADDRESS, control_character_in


def _first_offence(request: HttpRequest) -> tuple[str, str] | None:
    """(where, the character) of the first control character in the request's path, query or form."""
    if (char := control_character_in(request.path, IN_ADDRESS)) is not None:
        return _("the address"), char
    for name, values in request.GET.lists():
        for text in (name, *values):
            if (char := control_character_in(text, IN_ADDRESS)) is not None:
                return name, char
    if request.method == "POST":
        for name, values in request.POST.lists():
            for text in (name, *values):
                if (char := control_character_in(text)) is not None:
                    return name, char
        for name, uploads in request.FILES.lists():
            for upload in uploads:
                if (char := control_character_in(upload.name or "", IN_ADDRESS)) is not None:
                    return name, char
    return None


class ControlCharactersMiddleware:
    """Refuse, with a 400 that names the field, any request carrying a control character in its address,
    query string, form fields or file names: by construction nothing of the kind reaches a view, a form,
    the database or a mail header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offence = _first_offence(request)
        if offence is None:
            return self.get_response(request)
        where, char = offence
        message = _(
            "“%(field)s” contains a control character (U+%(code)04X), which cannot be used. Nothing was saved."
        ) % {
            "field": where,
            "code": ord(char),
        }
        if request.path.startswith("/api/"):
            # The API answers in problem details (api.problems), naming the field.
            errors = [{"field": where, "message": message, "code": "control_character"}]
            body = problems.problem_body(400, message, errors=errors)
            return JsonResponse(body, status=400, content_type=problems.CONTENT_TYPE)
        if getattr(request, "htmx", False):
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return render(request, "400.html", {"message": message}, status=400)
