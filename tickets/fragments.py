"""Markup kept between requests for the parts of a page that repeat unchanged.

The dashboard refreshes its triage list every few seconds for every coordinator, and each row carries a
form whose markup (six selects, one with every technician) is most of the page's time. Kept markup
is filed under a digest of what its template is given (`digest`: every value of the context, a model
instance by all the fields and related rows it carries, a dataclass by its fields, the language and the
time zone), never under a hand-written list of what the markup shows: a value added to the markup is in
the key as soon as it is in the context, a key can never point at markup that is out of date, nothing
needs clearing, and an edit shows on the very next refresh. What differs between requests (the CSRF token, how old a
ticket is now) stands in the kept markup as a mark, filled in when the markup is used.

Kept in the "fragments" cache (settings.CACHES): each process's own memory, bounded, the same store the
templates' {% cache ... using="fragments" %} blocks use for the ticket list's rows.
"""

import dataclasses
import hashlib
import weakref
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django import forms
from django.core.cache import caches
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def mark(name: str) -> SafeString:
    """What stands in kept markup for a value filled in on every use (see `filled`)."""
    return mark_safe(f"<!-- {name} -->")  # noqa: S308 (a constant comment)


CSRF_MARK = mark("csrf")


def key_of(shown: Hashable) -> str:
    """A short key for markup that shows `shown` (any value whose repr says everything the markup shows),
    for `kept` and for the templates' {% cache 600 name key using="fragments" %} blocks."""
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def _plain(value: Any, seen: set[int]) -> Any:
    """`value` as nested tuples of plain values whose repr says everything a template can show of it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Promise):  # a lazy translation: the text in the active language
        return str(value)
    if isinstance(value, Model):
        return _plain_instance(value, seen)
    if isinstance(value, forms.models.ModelChoiceIteratorValue):  # a model choice: its value is its pk
        return str(value)
    if isinstance(value, forms.BaseForm):
        return _plain_form(value, seen)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # A selector's typed row (a Workload, a DueTicket): by its class and each field, as digested itself.
        fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        return (type(value).__qualname__, _plain(fields, seen))
    if isinstance(value, Mapping):
        return tuple(sorted(((str(key), _plain(item, seen)) for key, item in value.items()), key=_first))
    if isinstance(value, QuerySet):
        return tuple(_plain(item, seen) for item in value)  # read once; the template reuses the rows
    if isinstance(value, (list, tuple, set, frozenset)):
        # A pair of plain values (a choice) is taken as it is: its repr is all it shows.
        items = tuple(item if type(item) is tuple and _all_plain(item) else _plain(item, seen) for item in value)
        return items if isinstance(value, (list, tuple)) else tuple(sorted(items, key=repr))
    return repr(value)


_PLAIN_TYPES = frozenset({type(None), bool, int, float, str})


def _all_plain(items: tuple) -> bool:
    return all(type(item) in _PLAIN_TYPES for item in items)


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _plain_instance(instance: Model, seen: set[int]) -> Any:
    """A row by every value it carries: its fields, what was annotated on it or set on it, and the related
    rows and prefetched lists read with it. Reads nothing from the database."""
    if id(instance) in seen:  # a relation back to a row already digested
        return (instance._meta.label, instance.pk)
    seen = seen | {id(instance)}
    values = {name: item for name, item in vars(instance).items() if not name.startswith("_")}
    related = {f"related:{name}": item for name, item in instance._state.fields_cache.items()}
    prefetched = getattr(instance, "_prefetched_objects_cache", {})
    lists = {f"prefetched:{name}": list(rows) for name, rows in prefetched.items()}
    return (instance._meta.label, _plain({**values, **related, **lists}, seen))


# What _plain_form reads itself, or what never shows in markup.
_FORM_READ = frozenset({"fields", "data", "files", "initial", "auto_id", "prefix", "renderer", "error_class"})


def _plain_form(form: forms.BaseForm, seen: set[int]) -> Any:
    """A form by what its markup shows: its values, its ids, its errors and the choices its widgets offer.
    Choices read from a query are read here (once more): keep them as lists on forms shown on every load
    (tickets.forms.choices_in_one_query, the triage rows' shared choices)."""
    choices = {name: _plain_choices(field) for name, field in form.fields.items() if hasattr(field.widget, "choices")}
    shown = {
        "class": type(form).__qualname__,
        "auto_id": form.auto_id,
        "prefix": form.prefix,
        "initial": form.initial,
        "data": {key: form.data.getlist(key) if hasattr(form.data, "getlist") else form.data[key] for key in form.data},
        "errors": form.errors.get_json_data() if form.is_bound else None,
        "choices": choices,
        "attrs": {name: field.widget.attrs for name, field in form.fields.items()},
        # Whatever else the form carries (a message set on it, the person it was made for).
        "set on it": {
            name: item for name, item in vars(form).items() if not name.startswith("_") and name not in _FORM_READ
        },
    }
    return _plain(shown, seen)


def _plain_choices(field: forms.Field) -> Any:
    """The key of the choices `field` offers (as _plain gives them), worked out once for each list of
    choices: the rows of a page share their fields (tickets.forms.TriageRowForm.for_row), so a list of every
    technician is read once per page, not once per row. A field given other choices has another list, and is
    read again."""
    choices = field.widget.choices
    known = _CHOICES_READ.get(field)
    if known is not None and known[0] is choices:
        return known[1]
    # Their key stands for them: a long list is written out once, not into the key of every row.
    plain = key_of(_plain(list(iter(choices)), set()))
    _CHOICES_READ[field] = (choices, plain)
    return plain


# Each field's choices as last digested: the list and its key. Gone with the field.
_CHOICES_READ: "weakref.WeakKeyDictionary[forms.Field, tuple[Any, Any]]" = weakref.WeakKeyDictionary()


def digest(context: Any) -> str:
    """The key of markup rendered from `context` (what its template is given), in the active language and
    time zone: it changes whenever any value the template could show changes."""
    return key_of((get_language(), timezone.get_current_timezone_name(), _plain(context, set())))


def kept(shown: Hashable, render: Callable[[], str]) -> str:
    """The markup kept for `shown` (see key_of), rendered by `render` the first time."""
    store = caches["fragments"]
    name = "kept:" + key_of(shown)
    markup = store.get(name)
    if markup is None:
        markup = str(render())
        store.set(name, markup)
    return markup


def csrf_field(request: HttpRequest) -> SafeString:
    """This request's CSRF field, to put in kept markup where CSRF_MARK stands (`filled`)."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def filled(markup: str, values: dict[str, str]) -> SafeString:
    """Kept markup with each mark (a key of `values`) replaced by its value, escaped unless marked safe."""
    for name, value in values.items():
        markup = markup.replace(name, conditional_escape(value))
    return mark_safe(markup)  # noqa: S308 (markup rendered by our templates, values escaped)
