"""Every URL of the project, as every role, with hostile values in every parameter it reads: never a 500.

The URLs come from the resolver, so a page added tomorrow is walked tomorrow; one whose address needs
arguments must get sample arguments below (the test says which). The parameters come from the views
themselves: a first request records which query-string and form keys the view (and its forms) read,
and every one of them is then sent each hostile value. Each URL is walked inside a savepoint that is
rolled back, so what one request changes never hides what the next would find.
"""

import logging
import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from api import services as api_services
from assets.models import Device, Employee, ImportJob
from intake.services import message_receive
from notifications.models import Notification, NotificationStatus, WebhookSubscription
from tests import factories, two_factor
from tickets import services
from tickets.models import Attachment, SavedFilter, Ticket, TicketStatus, Watcher
from tickets.notices.tokens import watcher_stop_token
from training import services as training_services
from training.models import Invitation, Material, TrainingSession

# What people and scripts send that nobody planned for.
HOSTILE = [
    "a\x00b",
    "\x07",
    "",
    "-1",
    "99999999999999999999999",
    "1e309",
    "HD-99999999999999999999",
    "'; DROP TABLE tickets_ticket; --",
    "<script>alert(1)</script>",
    "%_\\",
    "x" * 3000,
    "0001-01-01",
    "2024-02-30",
    "\u202e😀\ufffd",
]
# Sent to one key at a time while the others hold something plausible: the values that reach furthest.
HOSTILE_PER_KEY = ["99999999999999999999999", "x" * 3000, "0001-01-01"]

ROLES = {
    "anonymous": None,
    "requester": "rita@demo.example",
    "technician": "tess@demo.example",
    "coordinator": "cora@demo.example",
    "manager": "max@demo.example",
}

# Logging out or changing one's own password in the middle of the walk would only end the walk early.
SKIP_POST = {"accounts:logout", "admin:logout"}


# --- which keys a view reads ------------------------------------------------------------------------

SEEN: dict[str, set[str]] = {"GET": set(), "POST": set()}


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every key asked for, into SEEN[self.method]."""

    method = "GET"

    def _note(self, key):
        SEEN[self.method].add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)


class RecordingPostDict(RecordingQueryDict):
    method = "POST"


def _recording(source: QueryDict, kind: type[RecordingQueryDict]) -> QueryDict:
    copy = source.copy()
    copy.__class__ = kind
    copy._mutable = False
    return copy


def recording_middleware(get_response):
    def middleware(request):
        request.GET = _recording(request.GET, RecordingQueryDict)
        if request.method == "POST":
            request.POST = _recording(request.POST, RecordingPostDict)
        return get_response(request)

    return middleware


# --- the URLs ----------------------------------------------------------------------------------------


def _patterns(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace if pattern.namespace else None
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _patterns(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, sorted(pattern.pattern.regex.groupindex)


def _admin_samples(name: str, params: list[str]) -> list[dict] | None:
    """Arguments for the admin's own URLs, from the admin's registry."""
    if params == ["app_label"]:
        return [{"app_label": label} for label in sorted({m._meta.app_label for m in admin.site._registry})]
    if params == ["content_type_id", "object_id"]:
        ticket = Ticket.objects.order_by("pk").first()
        return [{"content_type_id": ContentType.objects.get_for_model(Ticket).pk, "object_id": ticket.pk}]
    match = re.fullmatch(r"admin:(\w+?)_(\w+)_(change|delete|history|password_change)", name)
    if match and params in (["object_id"], ["id"]):
        app_label, model_name, _view = match.groups()
        for model in admin.site._registry:
            if model._meta.app_label == app_label and model._meta.model_name == model_name:
                obj = model._default_manager.order_by("pk").first()
                return [{params[0]: obj.pk if obj else 1}]
        if model_name.startswith("user"):  # the user admin names its password page after Django's auth app
            return [{params[0]: User.objects.order_by("pk").first().pk}]
    return None


def _samples(world) -> dict[str, list[dict]]:
    """Sample arguments for every app URL that needs some: real objects, and one that does not exist."""
    own, new = world["own_ticket"], world["new_ticket"]
    tickets = [{"number": own.pk}, {"number": new.pk}, {"number": 99999999}]
    return {
        "accounts:password_reset_confirm": [{"uidb64": "MQ", "token": "set-password"}, {"uidb64": "x", "token": "y"}],
        "assets:employee_detail": [{"pk": world["employee"].pk}, {"pk": 99999999}],
        "assets:employee_edit": [{"pk": world["employee"].pk}],
        "assets:device_detail": [{"pk": world["device"].pk}, {"pk": 99999999}],
        "assets:device_edit": [{"pk": world["device"].pk}],
        "assets:device_assign": [{"pk": world["device"].pk}],
        "assets:device_retire": [{"pk": world["device"].pk}],
        "assets:import_template": [{"kind": "employees"}, {"kind": "devices"}, {"kind": "nothing"}],
        "tickets:dashboard_part": [{"part": part} for part in ("triage", "counts", "watch", "workload", "nothing")],
        "tickets:dashboard_triage": [{"number": new.pk}],
        "tickets:saved_filter_delete": [{"pk": world["saved_filter"].pk}],
        "tickets:project_detail": [{"pk": world["project"].pk}, {"pk": 99999999}],
        "tickets:project_edit": [{"pk": world["project"].pk}],
        "tickets:project_file_tickets": [{"pk": world["project"].pk}],
        "tickets:attachment": [{"pk": world["attachment"].pk}, {"pk": 99999999}],
        "tickets:detail": tickets,
        "tickets:reply": tickets[:2],
        "tickets:note": tickets[:2],
        "tickets:log_time": tickets[:2],
        "tickets:triage": tickets[:2],
        "tickets:suggestions": tickets[:2],
        "tickets:similar": tickets[:2],
        "tickets:link": tickets[:2],
        "tickets:tier_move": [
            {"number": ticket.pk, "action": action} for ticket in (own, new) for action in ("escalate", "de_escalate")
        ]
        + [{"number": own.pk, "action": "nothing"}],
        "tickets:act": [{"number": new.pk, "action": action} for action in ("assign", "take", "cancel")]
        # One action of each form (tickets/views/action_table.py): the forms read the input, and an action of
        # the same form differs only in the service it calls, which the workflow tests cover.
        + [
            {"number": own.pk, "action": action}
            for action in (
                "assign",
                "take",
                "wait_on_requester",
                "resolve",
                "hand_back",
                "reopen_closed",
                "cancel",
                "nothing",
            )
        ],
        "notifications:mark_read": [{"pk": world["notification"].pk}],
        "notifications:resend": [{"pk": world["failed"].pk}, {"pk": 99999999}],
        "intake:held_open": [{"pk": world["held"].pk}, {"pk": 99999999}],
        "intake:held_dismiss": [{"pk": world["held"].pk}, {"pk": 99999999}],
        "tickets:watcher_add": [{"ticket_pk": own.pk}],
        "tickets:watcher_remove": [{"pk": world["watcher"].pk}],
        "tickets:watcher_stop": [{"token": watcher_stop_token(world["watcher"].pk)}, {"token": "1:forged"}],
        "watcher_stop_sent_before": [{"token": watcher_stop_token(world["watcher"].pk)}, {"token": "1:forged"}],
        **{
            f"knowledge:{name}": [{"pk": world["article"].pk}, {"pk": world["staff_article"].pk}, {"pk": 99999999}]
            for name in ("detail", "edit", "translate", "publish", "retire", "vote", "link_ticket", "solved")
        },
        "knowledge:write_up": [{"number": world["solved_ticket"].pk}, {"number": own.pk}, {"number": 99999999}],
        "knowledge:link_article": [{"number": world["solved_ticket"].pk}, {"number": 99999999}],
        "notifications:webhook_detail": [{"pk": world["webhook"].pk}, {"pk": 99999999}],
        "notifications:webhook_action": [
            {"pk": world["webhook"].pk, "action": action} for action in ("ping", "enable", "nothing")
        ]
        + [{"pk": 99999999, "action": "ping"}],
        "api:import": [{"pk": world["import_job"].pk}, {"pk": 99999999}],
        "api:token_revoke": [{"pk": world["api_token"].pk}, {"pk": 99999999}],
        "api:ticket": [*tickets, {"number": "HD-" + str(own.pk)}, {"number": "nothing"}],
        "api:ticket_comments": tickets,
        "api:ticket_attachments": tickets,
        "api:ticket_action": [
            {"number": ticket.pk, "action": action}
            for ticket in (own, new)
            for action in ("take", "resolve", "escalate", "cancel", "nothing")
        ],
        "api:attachment_download": [{"pk": world["attachment"].pk}, {"pk": 99999999}],
        "api:employee": [{"pk": world["employee"].pk}, {"pk": 99999999}],
        "api:device": [{"pk": world["device"].pk}, {"pk": 99999999}],
        "api:project": [{"pk": world["project"].pk}, {"pk": 99999999}],
        "tickets:canned_edit": [{"pk": world["canned"].pk}, {"pk": 99999999}],
        "tickets:canned_delete": [{"pk": world["canned"].pk}],
        "tickets:canned_fill": [{"number": own.pk, "pk": world["canned"].pk}, {"number": own.pk, "pk": 99999999}],
        **{
            f"tickets:recurring_{name}": [{"pk": world["recurring"].pk}, {"pk": 99999999}]
            for name in ("edit", "toggle", "delete")
        },
        **{
            f"tickets:visit_{name}": [{"pk": world["visit"].pk}, {"pk": 99999999}]
            for name in ("edit", "cancel", "outcome", "ask_change")
        },
        "tickets:repair_return": [{"pk": world["repair"].pk}, {"pk": 99999999}],
        **{
            f"training:{name}": [{"pk": world["session"].pk}, {"pk": world["given"].pk}, {"pk": 99999999}]
            for name in ("detail", "edit", "invite", "attendance", "cancel")
        },
        **{
            f"training:{name}": [{"pk": world["invitation"].pk}, {"pk": world["other_invitation"].pk}, {"pk": 99999999}]
            for name in ("answer", "rate")
        },
        "training:material": [{"pk": world["material"].pk}, {"pk": 99999999}],
        "tickets:me_too": [{"pk": world["known_problem"].pk}, {"pk": 99999999}],
        **{
            f"tickets:{name}": tickets[:2]
            for name in (
                "merge",
                "set_parent",
                "known_problem",
                "known_problem_take_down",
                "visit_book",
                "remote_session",
                "repair_send",
            )
        },
    }


def _urls(world) -> list[tuple[str, str]]:
    samples = _samples(world)
    urls: list[tuple[str, str]] = []
    missing = []
    for name, params in _patterns(get_resolver().url_patterns):
        if not params:
            urls.append((name, reverse(name)))
            continue
        kwargs_list = samples.get(name) or (_admin_samples(name, params) if name.startswith("admin:") else None)
        if not kwargs_list:
            missing.append(f"{name} {params}")
            continue
        urls.extend((name, reverse(name, kwargs=kwargs)) for kwargs in kwargs_list)
    assert not missing, f"Add sample arguments to tests/test_url_walk.py for: {missing}"
    return urls


# --- the data ----------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    call_command("demo_load")
    rita = User.objects.get(email=ROLES["requester"])
    cora = User.objects.get(email=ROLES["coordinator"])
    working = [TicketStatus.IN_PROGRESS, TicketStatus.ASSIGNED]
    own = Ticket.objects.filter(requester__user=rita, status__in=working).first()
    own = own or Ticket.objects.filter(requester__user=rita).order_by("pk").first()
    new = Ticket.objects.filter(status=TicketStatus.NEW, assignee__isnull=True).order_by("pk").first()
    comment = services.comment_add(
        ticket=own, by=rita, body="A file", files=[SimpleUploadedFile("log.txt", b"text", content_type="text/plain")]
    )
    failed = Notification.objects.filter(channel="email").order_by("pk").first()
    Notification.objects.filter(pk=failed.pk).update(status=NotificationStatus.FAILED)
    return {
        "own_ticket": own,
        "new_ticket": new,
        "employee": Employee.objects.get(user=rita),
        "device": Device.objects.filter(assigned_to__user=rita).first() or Device.objects.order_by("pk").first(),
        "project": factories.ProjectFactory(),
        "saved_filter": SavedFilter.objects.create(user=cora, name="Mine", querystring="status=open"),
        "api_token": api_services.token_create(by=cora, name="Scripts").token,
        "import_job": ImportJob.objects.create(kind="devices", created_by=cora),
        "webhook": WebhookSubscription.objects.create(
            name="Bot", url="https://hooks.example.org/in", secret="s", events=["ticket.created"]
        ),
        "attachment": Attachment.objects.filter(comment=comment).get(),
        "notification": Notification.objects.filter(channel="in_app").order_by("pk").first(),
        "failed": failed,
        "held": message_receive(
            raw=b"From: someone@elsewhere.example\r\nSubject: Hello\r\nMessage-ID: <walk@x.example>\r\n\r\nHi\r\n"
        ),
        "watcher": Watcher.objects.create(ticket=own, email="someone@example.org", added_by=cora),
        "article": factories.ArticleFactory(owner=cora),
        "staff_article": factories.ArticleFactory(owner=cora, audience="staff", status="draft"),
        "solved_ticket": Ticket.objects.filter(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED]).first(),
        **_technicians_day(own, new, cora),
        **_training(rita, cora),
    }


def _training(rita, cora) -> dict:
    """The demo's sessions (one to come that Rita is invited to, one given), with a file handed out."""
    session = TrainingSession.objects.get(invitations__employee__user=rita)
    handout = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 walk", content_type="application/pdf")
    training_services.session_update(session=session, by=cora, files=[handout])
    return {
        "session": session,
        "given": TrainingSession.objects.exclude(pk=session.pk).get(),
        "invitation": Invitation.objects.get(session=session, employee__user=rita),
        "other_invitation": Invitation.objects.filter(session=session).exclude(employee__user=rita).first(),
        "material": Material.objects.get(session=session),
    }


def _technicians_day(own, new, cora) -> dict:
    """A canned reply, a schedule, a visit, a repair and a known problem for the walk to reach."""
    holder = own.assignee or User.objects.get(email=ROLES["technician"])
    start = timezone.now() + timedelta(days=1)
    laptop = factories.DeviceFactory(asset_tag="WALK-1")
    repaired = services.ticket_create(by=cora, requester=own.requester, subject="Walk", device=laptop, impact=3,
                                      urgency=3)  # fmt: skip
    repaired = services.ticket_assign(ticket=repaired, by=cora, assignee=holder)
    return {
        "canned": services.canned_reply_create(by=cora, shared=True, title="Walk", body="Hi {first_name}"),
        "recurring": services.recurring_create(
            by=cora,
            subject="Walk",
            description="",
            requester=own.requester,
            category=None,
            tier=1,
            assignee=None,
            device=None,
            location=None,
            every=1,
            unit="months",
            starts_on=start.date(),
            ends_on=None,
        ),
        "visit": services.visit_book(
            ticket=own, by=cora, technician=holder, starts_at=start, ends_at=start + timedelta(hours=1), place="HQ"
        ),
        "repair": services.repair_send(ticket=repaired, by=cora, vendor="Walk", sent_on=start.date()),
        "known_problem": services.known_problem_publish(ticket=new, by=cora, public_text="Walk is down."),
    }


@pytest.fixture
def quiet_request_log():
    # Thousands of refusals (400, 403, 404) would each log a warning with a traceback: most of the time of
    # the walk. A 500 is caught by its status, not by its log line.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


# --- the walk ----------------------------------------------------------------------------------------


def _fetch(client: Client, method: str, path: str, data) -> int:
    response = client.get(path, data) if method == "GET" else client.post(path, data)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # an export fails while it streams, not before
    return response.status_code


# The REST API's operations: schemathesis sends them generated values, valid and not, with every role's token
# (tests/api/test_schema_conformance.py). Here they get one plain request of each method, as each role.
API_PAGES = {"api:tokens", "api:tokens_all", "api:token_revoke", "api:docs", "api:console"}


def _fuzzed_by_schema(name: str) -> bool:
    return name.startswith("api:") and name not in API_PAGES


def _walk_one(client: Client, name: str, path: str, failures: list[str]) -> int:
    """Every method and hostile value on one URL; returns how many requests it took."""
    requests = 0
    cookies = SimpleCookie(client.cookies)

    def attempt(method, data):
        nonlocal requests
        requests += 1
        # As logged in before the walk, whatever the last request did to the cookies (a logout, a login).
        client.cookies = SimpleCookie(cookies)
        try:
            with transaction.atomic():
                status = _fetch(client, method, path, data)
                transaction.set_rollback(True)
        except Exception as error:  # the test client re-raises what the view did not handle
            failures.append(f"{method} {path} {_short(data)}: {type(error).__name__}: {str(error)[:200]}")
            return
        if status >= 500:
            failures.append(f"{method} {path} {_short(data)}: {status}")

    for method in ("GET", "POST"):
        if method == "POST" and name in SKIP_POST:
            continue
        SEEN[method].clear()
        attempt(method, {})
        keys = sorted(SEEN[method])
        if not keys or _fuzzed_by_schema(name):
            continue
        for value in HOSTILE:
            attempt(method, dict.fromkeys(keys, value))
        if name.startswith("admin:"):
            continue  # Django's own pages: every key at once is enough
        plausible = {} if method == "GET" else dict.fromkeys(keys, "1")
        for key in keys:
            for value in HOSTILE_PER_KEY:
                attempt(method, {**plausible, key: value})
            attempt(method, {**plausible, key: ["1", "2"]})  # one key given twice
    return requests


def _short(data) -> str:
    text = repr(data)
    return text if len(text) < 160 else text[:157] + "..."


@pytest.mark.parametrize("part", ["app", "admin"])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_url_answers_500_to_any_input(world, role, part, settings, quiet_request_log, client_for):
    settings.MIDDLEWARE = ["tests.test_url_walk.recording_middleware", *settings.MIDDLEWARE]
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = Client()
    if ROLES[role]:
        user = User.objects.get(email=ROLES[role])
        if role == "manager":
            two_factor.enable(user)  # managers must: without it every page is the setup page
        # Logged in once, outside the savepoints: every request finds the session as it was.
        client = client_for(user)
    failures: list[str] = []
    requests = 0
    for name, path in _urls(world):
        if name.startswith("admin:") == (part == "admin"):
            requests += _walk_one(client, name, path, failures)
    assert requests > 300
    more = f"\n... and {len(failures) - 60} more" if len(failures) > 60 else ""
    assert not failures, "\n".join(failures[:60]) + more
