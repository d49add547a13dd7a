"""What every API view shares: who may call, refusing fields a caller may not send, reading a form's errors."""

import json
from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts import permissions as roles
from api.permissions import SignedIn
from core.ratelimit import by_user, limit_count


def require(request: Request, capability: str) -> None:
    """accounts.permissions.require for the API's request: a 403 problem unless the role holds `capability`."""
    roles.require(request.user, capability)


def as_bool(value: Any) -> bool:
    """A yes of a form post or a JSON body: true, 1, on, yes."""
    return str(value).strip().lower() in ("true", "1", "on", "yes")


def over_limit(request: Request, name: str) -> bool:
    """Count one use of the per-person limit `name` (settings.RATE_LIMITS), as the pages count it."""
    return limit_count(request._request, name, key=by_user)


def refuse_unknown(data: Any, allowed: set[str] | frozenset[str], *, reason: str = "") -> None:
    """Fields sent that this call does not take for this caller: a 400 naming each, never silently dropped."""
    keys = set(data.keys()) if hasattr(data, "keys") else set()
    extra = sorted(keys - set(allowed))
    if extra:
        message = reason or _("This field is not taken here.")
        raise exceptions.ValidationError({name: [message] for name in extra})


def form_errors(form: django_forms.BaseForm) -> exceptions.ValidationError:
    """A web form's errors (the same messages the page shows) as the API's 400."""
    return exceptions.ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value)  # a list or an object where a value was expected: the form refuses it


def as_form_data(data: Any) -> Any:
    """A JSON body as a form reads a post: every value a string (numbers, true/false, empty for null)."""
    if hasattr(data, "getlist"):
        return data
    return {str(key): _as_text(value) for key, value in dict(data).items()}


def with_model_defaults(form_class: Any, data: Any) -> Any:
    """A new object's post: the fields a call leaves out take the model's defaults, as on a new page's form
    (a device is in stock, a project planned) instead of being refused as missing."""
    filled = dict(data.items()) if hasattr(data, "items") else dict(data)
    model = form_class._meta.model
    for name in form_class._meta.fields:
        field = model._meta.get_field(name)
        if name not in filled and field.has_default() and not callable(field.default):
            filled[name] = _as_text(field.default)
    return filled


class ApiView(APIView):
    permission_classes = [SignedIn]
