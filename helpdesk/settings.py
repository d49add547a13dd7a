"""Settings, read from the environment.

The defaults serve the quick start (`make run`): SQLite in var/, background jobs run in-process,
mail written to files in var/mail/. Production sets DEBUG=false and the variables listed in
README.md ("Configuration").
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helpdesk.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the help desk refuses to start without one: "
            "set SECRET_KEY to a long random string (README.md, 'Configuration')."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-quick-start-only-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "helpdesk.apps.HelpdeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search and trigram lookups (on PostgreSQL; inert on SQLite)
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "helpdesk",
    "accounts",
    "assets",
    "tickets",
    "reports",
    "knowledge",
    "intake",
    "training",
    "api",
    "notifications",
    "bench",  # manage.py bench: the benchmark tooling (bench/)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything below, so it sees every response a signed-in person gets.
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "helpdesk.middleware.ControlCharactersMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "accounts.middleware.TwoFactorGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.bell",
            ],
            "builtins": ["accounts.templatetags.permissions", "core.moments"],
        },
    },
]

WSGI_APPLICATION = "helpdesk.wsgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'helpdesk.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time; wait for the lock instead of failing under the runserver's threads.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")

CACHES: dict[str, dict[str, Any]]
# How long a web request waits on Redis (the rate-limit counters, queueing a notification) before it goes on
# without it: a Redis that hangs must not hold a save (the outbox sweeper queues what could not be).
BROKER_PUBLISH_TIMEOUT = 0.5
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_timeout": BROKER_PUBLISH_TIMEOUT, "socket_connect_timeout": BROKER_PUBLISH_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered markup of the parts of busy pages that repeat (list rows, triage forms), in each process's
# memory. Every key is made of what the markup shows, so an entry is never out of date and nothing needs
# clearing; a page never depends on Redis being up for it. Bounded: at most a few megabytes per process.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 3000},
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without Redis (the quick start) every task runs in-process, inside the request that queued it.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only when it finished, and handed to another worker if its worker dies:
# tasks must therefore be safe to run twice (they claim their work before doing it).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's own handling of database connections is off (it either opens one per task, which cost more than
# sending a notification, or reuses one blindly, even after the database restarted): helpdesk/celery.py runs
# Django's own clean-up around every task instead, which keeps a connection for DATABASE_CONN_MAX_AGE and
# drops one that broke, so every task starts and ends with a usable connection.
CELERY_DB_REUSE_MAX = 2**31
# Longer than the longest retry delay (1 h by default), so Redis does not re-deliver a task that is only
# waiting, and than EMAIL_DATA_TIMEOUT, a worker's longest wait on a mail server: checked below.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60),
    "socket_connect_timeout": 2,
}
# Publishing must never hold a web request: fail fast, the outbox sweeper re-queues later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Resolved tickets close once the requester's time to reopen them has passed.
    "tickets-close-resolved": {"task": "tickets.tasks.tickets_close_resolved", "schedule": 15 * 60},
    # SLA clocks: warnings, breaches and their actions; safe to run twice (each is claimed once).
    "tickets-check-sla": {"task": "tickets.tasks.tickets_check_sla", "schedule": 60},
    # "Solved N like this": the tally the status changes keep, made again from the tickets each night.
    "tickets-rebuild-solved-tally": {
        "task": "tickets.tasks.tickets_rebuild_solved_tally",
        "schedule": crontab(hour=3, minute=30),
    },
    # The reports' rollups, recounted from the tickets; any difference is put right and logged.
    "reports-recount-rollups": {
        "task": "reports.tasks.reports_recount_rollups",
        "schedule": crontab(hour=3, minute=45),
    },
    # The reports' monthly summary, to the managers who asked for it (each month once per person).
    "reports-monthly-summaries": {
        "task": "reports.tasks.reports_send_monthly_summaries",
        "schedule": crontab(day_of_month=1, hour=env_int("DIGEST_HOUR", 7), minute=15),
    },
    # Help articles whose review day has come: one reminder to each owner, once per review date.
    "knowledge-review-reminders": {
        "task": "knowledge.tasks.knowledge_send_review_reminders",
        "schedule": crontab(hour=env_int("DIGEST_HOUR", 7), minute=30),
    },
    # Training sessions of tomorrow: one reminder to each person coming or yet to answer.
    "training-send-reminders": {"task": "training.tasks.training_send_reminders", "schedule": 60 * 60},
    # Attachment files of requests that died between writing them and committing (a rolled-back change removes
    # its own at once): removed once a day old. Safe to run twice at once.
    "attachments-remove-orphans": {"task": "tickets.tasks.attachments_remove_orphans", "schedule": 60 * 60},
    # The outbox sweeper: rows the broker lost (Redis was down) or whose worker died go out again.
    "notifications-requeue-stuck": {"task": "notifications.tasks.notifications_requeue_stuck", "schedule": 30},
    "tickets-triage-stale": {"task": "tickets.tasks.tickets_alert_stale_triage", "schedule": 5 * 60},
    # Recurring tickets: each occurrence opened once, however often this runs (and after a pause, only the
    # latest missed one).
    "tickets-open-recurring": {"task": "tickets.tasks.recurring_tickets_open", "schedule": 5 * 60},
    # Devices late back from repair: their technician is reminded once.
    "tickets-remind-repairs": {"task": "tickets.tasks.repairs_remind_overdue", "schedule": 60 * 60},
    "notifications-send-digests": {
        "task": "notifications.tasks.notifications_send_digests",
        "schedule": crontab(hour=env_int("DIGEST_HOUR", 7), minute=0),
    },
}
# Watchers: no ticket is followed by more addresses than this; a requester adds at most this many colleagues.
WATCHERS_MAX_PER_TICKET = env_int("WATCHERS_MAX_PER_TICKET", 20)
WATCHERS_MAX_BY_REQUESTER = env_int("WATCHERS_MAX_BY_REQUESTER", 5)
# How many days a requester may reopen a resolved ticket; after that it closes automatically.
TICKET_REOPEN_DAYS = env_int("TICKET_REOPEN_DAYS", 7)
# Seconds between delivery attempts after a mail server's temporary refusal; the row fails after the last.
# About 3 h 50 min in all, so mail outlives an afternoon's mail-server outage instead of failing after 20
# minutes. The visibility timeout above must stay longer than the longest single delay (checked below).
NOTIFICATION_RETRY_DELAYS = [
    int(x)
    for x in env_list("NOTIFICATION_RETRY_DELAYS", ["10", "30", "90", "270", "810", "1800", "3600", "3600", "3600"])
]
# Seconds between attempts to deliver a webhook after a temporary failure (the subscriber answered 5xx,
# 408 or 429, timed out or refused the connection); after the last it has failed. About 2.5 hours in all.
WEBHOOK_RETRY_DELAYS = [int(x) for x in env_list("WEBHOOK_RETRY_DELAYS", ["10", "60", "300", "1800", "3600", "3600"])]
# Seconds a subscriber has to answer one delivery.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
# Deliveries in a row that fail for good before a subscription is disabled (its manager is told).
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 5)
# Subscriber URLs on loopback, private, link-local or reserved addresses are refused: a webhook must not
# reach into the desk's own network. Allow them only where the receivers are there on purpose.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
# How often the coordinators' dashboard refreshes itself, in seconds.
DASHBOARD_REFRESH_SECONDS = env_int("DASHBOARD_REFRESH_SECONDS", 5)
# Coordinators are told of a new ticket still unassigned after this many minutes.
TRIAGE_ALERT_MINUTES = env_int("TRIAGE_ALERT_MINUTES", 60)
CELERY_TIMEZONE = env_str("TIME_ZONE", "Europe/Stockholm")

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out account or client address before any password is checked.
# The standalone one, so the session's backend (force_login, get_user) stays the role backend.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Failed logins (django-axes), counted per account and per client address, each on its own: after
# LOGIN_FAILURE_LIMIT failures within LOGIN_COOLOFF_MINUTES either one is refused until that long after
# its last failure, or until a manager unlocks it in the admin.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, whatever the user model calls it
AXES_USERNAME_CALLABLE = "accounts.backends.login_name"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
# A success must not wipe the failures counted against the client address: one valid account would
# otherwise let a script reset its counter between guesses at others.
AXES_RESET_ON_SUCCESS = False
# Tries while locked out do not restart the cool-off: the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the audit: one row per failed login, kept after an unlock
AXES_ENABLE_ADMIN = False  # accounts/admin.py registers the axes models itself, with an unlock action
AXES_VERBOSE = False

# Two-factor authentication (django-otp): TOTP apps, and single-use recovery codes. Failed codes are
# throttled (1, 2, 4, 8 ... seconds between tries after successive failures).
OTP_TOTP_ISSUER = "Help desk"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_RECOVERY_CODES = 10

# Sessions: one row per session, with its user, so a person's sessions can be ended everywhere.
SESSION_ENGINE = "accounts.sessions"
# Signed out after this long without a request. Staff, and requesters who did not tick "Keep me signed
# in" (their cookie also ends when the browser closes); requesters who ticked it, on their device.
SESSION_IDLE_STAFF_HOURS = env_int("SESSION_IDLE_STAFF_HOURS", 8)
SESSION_IDLE_REQUESTER_DAYS = env_int("SESSION_IDLE_REQUESTER_DAYS", 14)
SESSION_COOKIE_AGE = max(SESSION_IDLE_STAFF_HOURS * 60 * 60, SESSION_IDLE_REQUESTER_DAYS * 24 * 60 * 60)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("es", _("Spanish")),
    ("nb", _("Norwegian Bokmål")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, ISO-like where the locale's own is ambiguous: helpdesk/formats/.
FORMAT_MODULE_PATH = ["helpdesk.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files served by whitenoise in production; plain files while developing.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Help desk <helpdesk@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds to wait for each answer of the mail server: connecting, EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Seconds to wait for the answer to the end of a message (RFC 5321 4.5.3.2: ten minutes). Once a message has
# gone to the server it is never sent again in the same attempt: a server that queues it first and answers
# late would deliver every copy. Without an answer by then, the row is retried later (core.mail).
EMAIL_DATA_TIMEOUT = env_int("EMAIL_DATA_TIMEOUT", 600)
EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Email intake: what is done with a received message (intake/services.py) ------------------
# Larger messages, or ones with more attached files, are refused with the reason on their row.
INTAKE_MAX_BYTES = env_int("INTAKE_MAX_BYTES", 25 * 1024 * 1024)
INTAKE_MAX_ATTACHMENTS = env_int("INTAKE_MAX_ATTACHMENTS", 10)
# The desk's addresses besides DEFAULT_FROM_EMAIL: mail from them is ignored, so the desk never answers itself.
INTAKE_OWN_ADDRESSES = env_list("INTAKE_OWN_ADDRESSES", [])
# Mail from an address nobody at the desk has: "hold" keeps it for a coordinator (Held mail); "answer" opens
# nothing and answers the sender how to reach the desk.
INTAKE_UNKNOWN_SENDERS = env_str("INTAKE_UNKNOWN_SENDERS", "hold").lower()
if INTAKE_UNKNOWN_SENDERS not in ("hold", "answer"):
    raise ImproperlyConfigured("INTAKE_UNKNOWN_SENDERS must be hold or answer.")
# The loop guard: at most one automatic answer to one address in this many seconds.
INTAKE_ANSWER_INTERVAL = env_int("INTAKE_ANSWER_INTERVAL", 60 * 60)
# More messages than this from one address within an hour are refused (and answered, once an hour).
INTAKE_MAX_PER_SENDER_HOUR = env_int("INTAKE_MAX_PER_SENDER_HOUR", 30)


# --- Email intake: the mailboxes read over IMAP (intake/fetching.py) ----------------------------
def _imap_mailbox(prefix: str) -> dict | None:
    """One mailbox from the variables <prefix>_HOST, _PORT, _SECURITY...; None when <prefix>_HOST is unset."""
    host = env_str(f"{prefix}_HOST")
    if not host:
        return None
    security = env_str(f"{prefix}_SECURITY", "tls").lower()
    if security not in ("tls", "starttls"):
        raise ImproperlyConfigured(f"{prefix}_SECURITY must be tls or starttls: the desk never logs in in clear.")
    user = env_str(f"{prefix}_USER")
    return {
        "name": env_str(f"{prefix}_NAME", f"{user}@{host}"),
        "host": host,
        "port": env_int(f"{prefix}_PORT", 993 if security == "tls" else 143),
        "security": security,
        "user": user,
        "password": env_str(f"{prefix}_PASSWORD"),
        "folder": env_str(f"{prefix}_FOLDER", "INBOX"),
        "processed_folder": env_str(f"{prefix}_PROCESSED_FOLDER", "Processed"),
        "error_folder": env_str(f"{prefix}_ERROR_FOLDER", "Failed"),
        "ca_file": env_str(f"{prefix}_CA_FILE"),
    }


# The variable prefixes of the mailboxes to read; each configured one (its _HOST set) is read by Celery beat.
INTAKE_MAILBOXES = [box for box in map(_imap_mailbox, env_list("INTAKE_MAILBOXES", ["INTAKE_IMAP"])) if box]
# Seconds between two reads of the mailboxes, and at most how many messages one read takes from each.
INTAKE_FETCH_INTERVAL = env_int("INTAKE_FETCH_INTERVAL", 10)
INTAKE_FETCH_BATCH = env_int("INTAKE_FETCH_BATCH", 200)
# Seconds to wait for each answer of the IMAP server.
INTAKE_IMAP_TIMEOUT = env_int("INTAKE_IMAP_TIMEOUT", 30)
if INTAKE_MAILBOXES:
    CELERY_BEAT_SCHEDULE["intake-mail-fetch"] = {
        "task": "intake.tasks.intake_mail_fetch",
        "schedule": INTAKE_FETCH_INTERVAL,
        # A read queued while no worker ran is dropped once the next one is due: they never pile up.
        "options": {"expires": INTAKE_FETCH_INTERVAL},
    }
# Redis hands an unacknowledged task to another worker after the visibility timeout: a task still waiting
# out a retry delay, or still waiting on a mail server, would then run twice at once.
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= max(
    [*NOTIFICATION_RETRY_DELAYS, *WEBHOOK_RETRY_DELAYS, EMAIL_DATA_TIMEOUT]
):
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than the longest of NOTIFICATION_RETRY_DELAYS, "
        "WEBHOOK_RETRY_DELAYS and EMAIL_DATA_TIMEOUT (README.md, 'Configuration')."
    )
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "core.mail.SMTPBackend" if EMAIL_HOST else "core.mail.MessageFileBackend",
)

# --- Security -------------------------------------------------------------------------------
# HTTPS is on by default in production: secure cookies, HSTS and a redirect to https.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp's middleware), on every response: every page, the admin, the
# error pages. A page loads scripts, styles, images, fonts and htmx requests from the site itself
# only, nothing inline and nothing evaluated, so injected markup cannot run or restyle anything.
# What that asks of the code (README.md, "Content-Security-Policy"):
# - No 'unsafe-inline' or 'unsafe-eval': no inline <script>, style="" or on*/hx-on attributes; behaviour
#   is in static/js/, sizes are classes in static/css/helpdesk.css. htmx is told never to eval and not
#   to inject its indicator <style> (the htmx-config meta tag in templates/base.html).
# - img-src without data:: Bootstrap's CSS draws select arrows, checkboxes, switches, validation icons,
#   the close button and the navbar toggler as SVG data: URIs; scripts/build-vendor.mjs writes them out
#   as files (static/vendor/bootstrap/img/), so the policy needs no exception for them.
# - Django's admin needs no exception either: its templates (5.2) carry no inline script or style, and
#   tests/e2e/test_csp.py walks its index, a list and change forms with the browser.
# - frame-ancestors 'none' is X_FRAME_OPTIONS = "DENY" for current browsers; both are sent.
# Attachment downloads send their own stricter policy (default-src 'none'; sandbox), which the
# middleware leaves as it is. With DEBUG on, django-csp sends no policy with 404 and 500 responses, so
# Django's debug pages work; with DEBUG off every response has it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# --- Rate limits (core.ratelimit) -------------------------------------------------------
# "<count>/<period>" (s, m, h, d) on everything that sends mail or creates work, per person or per client
# address, counted in the shared cache. Generous for people, tight for scripts.
RATE_LIMITS = {
    # New tickets a requester may report (web form), counted when one is created.
    "ticket_create": env_str("RATE_LIMIT_TICKETS", "20/h"),
    # Replies and notes one person may post; each public reply mails the requester and the watchers.
    "comment_add": env_str("RATE_LIMIT_REPLIES", "60/h"),
    # Watchers one person may add; each added address starts receiving the ticket's mail.
    "watcher_add": env_str("RATE_LIMIT_WATCHERS", "30/h"),
    # Password-reset mails to one address, and asked for from one client address.
    "password_reset_address": env_str("RATE_LIMIT_PASSWORD_RESET_ADDRESS", "3/h"),
    "password_reset_client": env_str("RATE_LIMIT_PASSWORD_RESET_CLIENT", "20/h"),
}

# --- REST API (api/) ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        # The browser's session (the reference page's "Try it out"), with Django's CSRF check on writes.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedIn"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.TokenRateThrottle",
        "api.throttling.UserRateThrottle",
        "api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token, per person (whatever they call with) and per client address without a login.
API_THROTTLE_RATES = {
    "token": env_str("API_RATE_PER_TOKEN", "600/min"),
    "user": env_str("API_RATE_PER_USER", "1200/min"),
    "anonymous": env_str("API_RATE_ANONYMOUS", "60/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Help desk API",
    "DESCRIPTION": (
        "The help desk's tickets, people, devices and projects, with the same rules as its pages. Send a "
        "personal token as `Authorization: Bearer <token>`; errors are RFC 9457 problem details."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "DeviceStatusEnum": "assets.models.DeviceStatus",
        "ProjectStatusEnum": "tickets.models.ProjectStatus",
        "TierEnum": "accounts.models.Tier",
        "PriorityEnum": "tickets.models.Priority",
        "ImportKindEnum": "assets.imports.columns.ImportKind",
        "TimelineKindEnum": "api.serializers.TIMELINE_KINDS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A 403 or 404 is one line (method, path, status, user id, reason), not a traceback; 5xx keep theirs.
    "filters": {"client_errors_one_line": {"()": "helpdesk.request_log.ClientErrorsOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["client_errors_one_line"]},
        "django.db.backends": {"level": "INFO"},
        # In-process jobs (the quick start) would log a line per task inside every request.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
