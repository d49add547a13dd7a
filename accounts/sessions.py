"""Sessions: the store that knows whose each session is, and how long a session may sit idle.

This module is the session engine (settings.SESSION_ENGINE): Django's database sessions, with the user
written beside each row so that `accounts.services.user_sessions_end` can end a person's sessions on every
device. The idle rules read settings.SESSION_IDLE_STAFF_HOURS and SESSION_IDLE_REQUESTER_DAYS.
"""

import time
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from accounts.models import UserSession
from accounts.permissions import may_stay_signed_in

# Unix time of the session's last request, to the minute: the session is written at most once a minute.
LAST_SEEN_KEY = "last_seen"
LAST_SEEN_EVERY_SECONDS = 60
# Set at login when a requester ticked "Keep me signed in on this device".
KEEP_SIGNED_IN_KEY = "keep_signed_in"


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        instance = cast(UserSession, super().create_model_instance(data))
        try:
            instance.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            instance.user_id = None
        return instance


def idle_limit(user, session) -> timedelta:
    """How long this session may go without a request before it ends."""
    if session.get(KEEP_SIGNED_IN_KEY) and may_stay_signed_in(user):
        return timedelta(days=settings.SESSION_IDLE_REQUESTER_DAYS)
    return timedelta(hours=settings.SESSION_IDLE_STAFF_HOURS)


def session_start(request, *, keep_signed_in: bool) -> None:
    """Right after a login: a requester who asked keeps a cookie for their idle limit; everyone else's cookie
    ends with the browser."""
    session = request.session
    if keep_signed_in and may_stay_signed_in(request.user):
        session[KEEP_SIGNED_IN_KEY] = True
        # Seconds, not a date: Django counts them from the session's last save, so each refresh of the
        # last-seen stamp also moves the cookie's end.
        session.set_expiry(int(idle_limit(request.user, session).total_seconds()))
    else:
        session.pop(KEEP_SIGNED_IN_KEY, None)
        session.set_expiry(0)
    session[LAST_SEEN_KEY] = int(time.time())


def session_is_idle(request) -> bool:
    """Has this signed-in session gone longer than its limit without a request?"""
    last_seen = request.session.get(LAST_SEEN_KEY)
    if last_seen is None:
        return False
    return time.time() - last_seen > idle_limit(request.user, request.session).total_seconds()


def session_touch(request) -> None:
    """Note this request, unless the stamp is less than a minute old (then the session is not written)."""
    now = int(time.time())
    last_seen = request.session.get(LAST_SEEN_KEY)
    if last_seen is None or now - last_seen >= LAST_SEEN_EVERY_SECONDS:
        request.session[LAST_SEEN_KEY] = now


def not_activity(view):
    """Mark a view that pages call by themselves, such as the dashboard's refresh every few seconds: such a
    request does not count as activity, or a dashboard left open would keep its session alive for ever."""
    view.session_not_activity = True
    return view
