"""How refused and missing pages are logged: one line each, not a traceback.

Django logs every 4xx response on the `django.request` logger, and a 403 raised as PermissionDenied with
its traceback: a guessed ticket number or a page a role may not open filled the log with stack traces
that say nothing but "refused". The filter on that logger (settings.LOGGING) rewrites each 4xx record as
one line: method, path, status, the user's id if signed in, and a short reason. Server errors (5xx) keep
their traceback: those are the ones to read.

Imported by the logging setup, before the apps are ready: no models here.
"""

import logging

REASON_LENGTH = 120


class ClientErrorsOneLine(logging.Filter):
    """Turn a 4xx record of `django.request` into one line without traceback; pass anything else as it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500 or request is None:
            return True
        if getattr(record, "one_line", False):
            return True  # already rewritten: the filter may sit twice on the logger after logging is set up again
        record.one_line = True
        exception = record.exc_info[1] if record.exc_info else None
        record.msg = "%s %s %s user=%s %s"
        record.args = (
            request.method,
            _escaped(request.path),
            status,
            _user_id(request),
            _reason(exception, record),
        )
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def _escaped(text: str) -> str:
    # As Django escapes the path in its own message: a control character in a URL never breaks the line.
    return text.encode("unicode_escape").decode("ascii")


def _user_id(request: object) -> str:
    user = getattr(request, "user", None)
    try:
        return str(user.pk) if user is not None and user.is_authenticated else "-"
    except Exception:  # a log line must never fail the response it describes
        return "-"


def _reason(exception: BaseException | None, record: logging.LogRecord) -> str:
    """The exception's class and message when there is one (a 403's), else Django's words ("Not Found")."""
    if exception is None:
        args = record.args if isinstance(record.args, tuple) else ()
        reason = str(args[0]) if len(args) == 2 else "-"  # "%s: %s" % (reason phrase, path)
    else:
        message = str(exception)
        name = type(exception).__name__
        reason = f"{name}: {message}" if message else name
    reason = " ".join(reason.split())
    return _escaped(reason[:REASON_LENGTH])
