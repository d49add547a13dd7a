"""Markup kept between requests for the parts of a page that repeat unchanged.

The dashboard refreshes its triage list every few seconds for every coordinator, and each row carries a
form whose markup (six selects, one with every technician) is most of the page's time. A row's form
changes only when the ticket, the choices offered or the language change, so its markup is kept under a
key made of exactly those: a key can never point at markup that is out of date, nothing needs clearing,
and an edit shows on the very next refresh. What differs between requests (the CSRF token, how old a
ticket is now) stands in the kept markup as a mark, filled in when the markup is used.

Kept in the "fragments" cache (settings.CACHES): each process's own memory, bounded, the same store the
templates' {% cache ... using="fragments" %} blocks use for the ticket list's rows.
"""

import hashlib
from collections.abc import Callable, Hashable

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def mark(name: str) -> SafeString:
    """What stands in kept markup for a value filled in on every use (see `filled`)."""
    return mark_safe(f"<!-- {name} -->")  # noqa: S308 (a constant comment)


CSRF_MARK = mark("csrf")


def key_of(shown: Hashable) -> str:
    """A short key for markup that shows `shown` (any value whose repr says everything the markup shows),
    for `kept` and for the templates' {% cache 600 name key using="fragments" %} blocks."""
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def kept(shown: Hashable, render: Callable[[], str]) -> str:
    """The markup kept for `shown` (see key_of), rendered by `render` the first time."""
    store = caches["fragments"]
    name = "kept:" + key_of(shown)
    markup = store.get(name)
    if markup is None:
        markup = str(render())
        store.set(name, markup)
    return markup


def csrf_field(request) -> SafeString:
    """This request's CSRF field, to put in kept markup where CSRF_MARK stands (`filled`)."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def filled(markup: str, values: dict[str, str]) -> SafeString:
    """Kept markup with each mark (a key of `values`) replaced by its value, escaped unless marked safe."""
    for name, value in values.items():
        markup = markup.replace(name, conditional_escape(value))
    return mark_safe(markup)  # noqa: S308 (markup rendered by our templates, values escaped)
