"""Small answers every app gives the same way."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request: HttpRequest, candidate: str | None) -> str | None:
    """`candidate` if it is an address on this site (a path, with its query), else None: where a form's
    `next` may send someone without the site becoming an open redirect."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=False):
        return None
    return candidate
