"""Markup kept between requests for the parts of a page that repeat unchanged.

The dashboard refreshes its triage list every few seconds for every coordinator, and each row carries a
form whose markup (six selects, one with every technician) is most of the page's time. A row's form
changes only when the ticket, the choices offered or the language change, so its markup is kept under a
key made of exactly those: a key can never point at markup that is out of date, nothing needs clearing,
and an edit shows on the very next refresh. Only the CSRF token differs between requests; it is put in
when the markup is used.

Kept in the "fragments" cache (settings.CACHES): each process's own memory, bounded, the same store the
templates' {% cache ... using="fragments" %} blocks use for the ticket list's rows.
"""

import hashlib
from collections.abc import Callable, Hashable

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

CSRF_MARK = mark_safe("<!-- csrf -->")


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
    """This request's CSRF field, to put in kept markup with `with_csrf`."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def with_csrf(markup: str, field: SafeString) -> SafeString:
    """Kept markup with the request's CSRF field where CSRF_MARK stands."""
    return mark_safe(markup.replace(CSRF_MARK, field))  # noqa: S308 (markup rendered by our templates)
