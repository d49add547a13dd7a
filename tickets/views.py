"""Ticket pages. Thin: permission -> form -> service -> redirect; every change is a POST."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import can, require
from accounts.sessions import not_activity
from helpdesk import csvfiles
from helpdesk.http import local_path
from helpdesk.ratelimit import by_user, limit_count
from notifications.selectors import notifications_sent_about
from tickets import attachments, forms, fragments, permissions, selectors, services, sla, workflow
from tickets.models import AutoAssign, Category, Project, SavedFilter
from tickets.workflow import MissingFields, WorkflowError

MINE_OPEN_SHOWN = 100
UNASSIGNED_SHOWN = 50
TIMELINE_SHOWN = 50
# The disk refused an uploaded file (tickets.attachments.FilesNotStored): 507 Insufficient Storage, not 503.
# It names the cause (the server could not store what the request needs), it is a 5xx that monitoring counts
# as the server's fault, and reverse proxies often put a maintenance page over a 503, which would hide the
# form and the text the person typed.
FILES_NOT_STORED = 507


def _employee_of(user):
    return getattr(user, "employee", None)


def _reverse_or_none(name: str, pk) -> str | None:
    # The assets pages are built alongside; link to them once their URLs exist.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


# --- lists -------------------------------------------------------------------------------------


@login_required
def mine(request):
    require(request.user, "tickets.view_own")
    open_tickets, past_tickets = selectors.tickets_of_requester(request.user)
    return render(
        request,
        "tickets/mine.html",
        {
            # Open tickets are few; the bound keeps the page fast for someone who reports everything.
            "open_tickets": open_tickets[:MINE_OPEN_SHOWN],
            "open_shown": MINE_OPEN_SHOWN,
            "page": Paginator(past_tickets, 25).get_page(request.GET.get("page")),
            "has_employee": _employee_of(request.user) is not None,
        },
    )


@login_required
def queue(request):
    require(request.user, "tickets.queue")
    filters = forms.QueueFilterForm(request.GET or None)
    status, category = "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        category = filters.cleaned_data["category"]
    return render(
        request,
        "tickets/queue.html",
        {
            "filters": filters,
            "page": Paginator(selectors.tickets_queue_for(request.user, status=status, category=category), 50).get_page(
                request.GET.get("page")
            ),
            "unassigned": selectors.tickets_unassigned_for_tier(request.user, category=category)[:UNASSIGNED_SHOWN],
            "unassigned_shown": UNASSIGNED_SHOWN,
        },
    )


# The dashboard and the staff list are below, after the ticket pages.


# --- creating ----------------------------------------------------------------------------------


@login_required
def submit(request):
    """A requester reports a problem. Only the fields of TicketSubmitForm are read from the post."""
    require(request.user, "tickets.submit")
    employee = _employee_of(request.user)
    if employee is None:
        return render(request, "tickets/submit.html", {"form": None})
    form = forms.TicketSubmitForm(request.POST or None, request.FILES or None, employee=employee)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if limit_count(request, "ticket_create", key=by_user):
            form.add_error(None, _too_many_tickets())
            return render(request, "tickets/submit.html", {"form": form}, status=429)
        try:
            ticket = services.ticket_create(
                by=request.user,
                requester=employee,
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                device=data["device"],
                impact=data["impact"],
                urgency=data["urgency"],
                files=data["attachments"],
                reported_asset_tag=data["reported_asset_tag"],
                submission_key=data["submission"],
            )
        except attachments.FilesNotStored as error:
            form.add_error("attachments", error.message)
            return render(request, "tickets/submit.html", {"form": form}, status=FILES_NOT_STORED)
        messages.success(
            request, _("Thank you. Your ticket %(ticket)s is with the help desk.") % {"ticket": ticket.reference}
        )
        return redirect(ticket)
    return render(request, "tickets/submit.html", {"form": form})


def _too_many_tickets() -> str:
    return _(
        "You have reported many problems in a short time, so this one was not sent yet. Nothing you typed is "
        "lost: try again in a while, or call the help desk if it is urgent."
    )


@login_required
def log_call(request):
    """A coordinator logs a phone call for an employee, and may resolve it on the spot."""
    require(request.user, "tickets.log_call")
    form = forms.LogCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket = services.ticket_log_call(
            by=request.user,
            requester=data["requester"],
            subject=data["subject"],
            description=data["description"],
            category=data["category"],
            device=data["asset_tag"],
            impact=data["impact"],
            urgency=data["urgency"],
            minutes=data["minutes"] or 0,
            resolve_now=data["resolve_now"],
            resolution_notes=data["resolution_notes"],
            resolution_code=data["resolution_code"],
            submission_key=data["submission"],
        )
        messages.success(request, _("%(ticket)s is logged.") % {"ticket": ticket.reference})
        return redirect(ticket)
    return render(request, "tickets/log_call.html", {"form": form})


@login_required
def caller_search(request):
    """htmx: the employees matching what the coordinator typed in the caller field."""
    require(request.user, "tickets.log_call")
    matches = selectors.employees_matching(request.GET.get("requester", "")[:120])
    return render(request, "tickets/_caller_matches.html", {"matches": matches})


# --- one ticket --------------------------------------------------------------------------------

ACTION_FORMS = {
    "assign": forms.AssignForm,
    "take": forms.VersionForm,
    "start": forms.VersionForm,
    "wait_on_requester": forms.OptionalNoteForm,
    "wait_on_vendor": forms.OptionalNoteForm,
    "resume": forms.OptionalNoteForm,
    "resolve": forms.ResolveForm,
    "hand_back": forms.RequiredNoteForm,
    "confirm": forms.VersionForm,
    "close": forms.OptionalNoteForm,
    "reopen": forms.RequiredNoteForm,
    "reopen_closed": forms.RequiredNoteForm,
    "cancel": forms.CancelForm,
}


ACTION_STYLES = {
    "take": "btn-primary",
    "start": "btn-primary",
    "resolve": "btn-success",
    "confirm": "btn-success",
    "cancel": "btn-outline-danger",
}


def _run_action(action, ticket, user, data):
    common = {"ticket": ticket, "by": user, "expected_version": data["version"]}
    note = data.get("note", "")
    if action == "assign":
        return services.ticket_assign(**common, assignee=data["assignee"])
    if action == "take":
        return services.ticket_take(**common)
    if action == "start":
        return services.ticket_start(**common)
    if action in ("wait_on_requester", "wait_on_vendor"):
        return services.ticket_set_waiting(**common, on=action.removeprefix("wait_on_"), note=note)
    if action == "resume":
        return services.ticket_resume(**common, note=note)
    if action == "resolve":
        return services.ticket_resolve(
            **common, resolution_notes=data["resolution_notes"], resolution_code=data["resolution_code"]
        )
    if action == "hand_back":
        return services.ticket_hand_back(**common, note=note)
    if action == "confirm":
        return services.ticket_confirm(**common)
    if action == "close":
        return services.ticket_close(**common, note=note)
    if action == "reopen":
        return services.ticket_reopen(**common, note=note)
    if action == "reopen_closed":
        return services.ticket_reopen_closed(**common, note=note)
    if action == "cancel":
        return services.ticket_cancel(**common, note=note, duplicate_of=data["duplicate_of"])
    raise Http404


def _action_form(action, ticket, user, data=None):
    kwargs = {"user": user} if action == "cancel" else {}
    return ACTION_FORMS[action](data, initial={"version": ticket.version}, **kwargs)


def _render_ticket(request, ticket, *, bound=None, status=200, extra=None):
    """The ticket page. `bound` holds forms sent back with their errors, by name."""
    user = request.user
    bound = bound or {}
    actions = permissions.actions_for(user, ticket)
    is_staff_view = "view_internal" in actions
    context = {
        "ticket": ticket,
        "actions": actions,
        "is_staff_view": is_staff_view,
        "report_attachments": [
            a for a in selectors.ticket_first_attachments(ticket) if is_staff_view or not a.is_internal
        ],
        "action_forms": [
            {
                "name": action,
                "label": workflow.ACTION_LABELS[action],
                "form": bound.get(action) or _action_form(action, ticket, user),
                "style": ACTION_STYLES.get(action, "btn-outline-secondary"),
            }
            for action in ACTION_FORMS
            if action in actions
        ],
        # What someone typed for an action the ticket's new state no longer offers them: shown, never lost.
        "kept_input": [
            {"label": workflow.ACTION_LABELS[name], "values": _typed_values(form)}
            for name, form in bound.items()
            if name in ACTION_FORMS and name not in actions and _typed_values(form)
        ],
        "comment_form": bound.get("comment") or forms.CommentForm(),
        # A requester sees the details of their own device; of any other only the tag they typed.
        "device_is_theirs": ticket.device_id is not None and ticket.device.assigned_to_id == ticket.requester_id,
        "sla": sla.clocks(ticket, timezone.now()) if ticket.is_open or ticket.status == "resolved" else None,
    }
    if is_staff_view:
        context.update(
            {
                "time_form": bound.get("log_time") or forms.LogTimeForm(),
                "tier_chain": selectors.ticket_tier_chain(ticket),
                "triage_form": (bound.get("triage") or forms.TriageForm.for_ticket(ticket))
                if "triage" in actions
                else None,
                "requester_recent": selectors.tickets_recent_for_employee(ticket.requester, exclude=ticket),
                "device_recent": selectors.tickets_recent_for_device(ticket.device, exclude=ticket)
                if ticket.device_id
                else [],
                "requester_url": _reverse_or_none("assets:employee_detail", ticket.requester_id),
                "device_url": _reverse_or_none("assets:device_detail", ticket.device_id) if ticket.device_id else None,
                "sent_notifications": notifications_sent_about(ticket)
                if can(user, "notifications.delivery_log")
                else None,
            }
        )
    # The latest entries; the whole history a click away (a ticket can gather hundreds).
    whole = request.method == "GET" and request.GET.get("timeline") == "all"
    context["timeline"], context["timeline_earlier"] = selectors.ticket_timeline(
        ticket, include_internal=is_staff_view, latest=None if whole else TIMELINE_SHOWN
    )
    context.update(extra or {})
    return render(request, "tickets/detail.html", context, status=status)


def _typed_values(form) -> list[tuple[str, str]]:
    """(label, text) of each visible field the person filled in."""
    typed = []
    for field in form.visible_fields():
        value = str(form.data.get(field.html_name, ""))
        if value.strip():
            choices = {str(key): label for key, label in getattr(field.field, "choices", ())}
            typed.append((str(field.label), str(choices.get(value, value))))
    return typed


def render_ticket_page(request, ticket, *, extra=None, status=200):
    """The ticket page with more context (another app's form sent back with its errors)."""
    return _render_ticket(request, ticket, extra=extra, status=status)


@login_required
def detail(request, number):
    ticket = permissions.get_ticket_for(request.user, number)
    return _render_ticket(request, ticket)


def _stale(request, error, name, form):
    """Someone else changed the ticket: show its new state, keep what this person typed, change nothing."""
    messages.error(request, error.message)
    ticket = permissions.get_ticket_for(request.user, error.ticket.pk)
    data = form.data.copy()
    data["version"] = ticket.version
    again = type(form)(data, **({"user": request.user} if name == "cancel" else {}))
    again.is_valid()
    return _render_ticket(request, ticket, bound={name: again}, status=409)


def _is_navigation(request) -> bool:
    """A browser loading a page (a link, a form's post), as opposed to htmx or a script's fetch. Browsers say
    which with Sec-Fetch-Mode; a client that says nothing is taken for a plain browser."""
    if request.htmx:
        return False
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"


def _refused(request, ticket, message):
    """An action that cannot be taken now: a browser goes back to the ticket and reads why; htmx and scripts
    get a 400 saying it, so they can tell it from a change that was made (a stale version is a 409)."""
    if _is_navigation(request):
        messages.error(request, message)
        return redirect(ticket)
    return render(request, "partials/refusal.html", {"message": message}, status=400)


def _posted_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _ticket_for_action(request, number, action, known):
    """The ticket, whether the post was made on an older version of it, and a refusal (None when `action`, one
    of `known`, may be taken now). A 404 for an unknown action or an invisible ticket, a 403 for a role
    without the right, else a refusal saying why not.

    A post made on an older version is stale before anything else: whether the action is still this person's
    to take is a question about the new state, which they have not seen yet. They get the 409 page with the
    new state and what they typed, never a bare 403 that loses it."""
    ticket = permissions.get_ticket_for(request.user, number)
    if action not in known:
        raise Http404
    posted = _posted_version(request) if request.method == "POST" else None
    if posted is not None and posted != ticket.version:
        return ticket, True, None
    try:
        workflow.check(ticket, action, request.user)
    except WorkflowError as error:
        return ticket, False, _refused(request, ticket, error.message)
    return ticket, False, None


@login_required
@require_POST
def act(request, number, action):
    """Take a workflow action (assign, take, resolve, confirm, reopen, cancel, ...) on a ticket."""
    ticket, stale, refused = _ticket_for_action(request, number, action, ACTION_FORMS)
    if refused is not None:
        return refused
    form = _action_form(action, ticket, request.user, request.POST)
    if stale:
        form.is_valid()
        return _stale(request, services.StaleTicket(ticket), action, form)
    if not form.is_valid():
        return _render_ticket(request, ticket, bound={action: form}, status=400)
    try:
        _run_action(action, ticket, request.user, form.cleaned_data)
    except services.StaleTicket as error:
        return _stale(request, error, action, form)
    except MissingFields as error:
        for field in error.fields:
            form.add_error(field if field in form.fields else None, error.message)
        return _render_ticket(request, ticket, bound={action: form}, status=400)
    except WorkflowError as error:
        return _refused(request, ticket, error.message)
    messages.success(request, _("Done: %(action)s.") % {"action": workflow.ACTION_LABELS[action]})
    return redirect(ticket)


TIER_MOVES = {"escalate": 1, "de_escalate": -1}


@login_required
def tier_move(request, number, action):
    """Escalate a ticket a tier up, or send it a tier down: its own page, since choosing the person means
    ranking every technician of the new tier (the ticket page does not pay for that on every view)."""
    ticket, stale, refused = _ticket_for_action(request, number, action, TIER_MOVES)
    if refused is not None:
        return refused
    step = TIER_MOVES[action]
    suggestions = selectors.technician_suggestions(ticket, tier=ticket.tier + step)
    form_kwargs = {"ticket": ticket, "user": request.user, "step": step, "suggestions": suggestions}
    form = forms.TierMoveForm(
        request.POST if request.method == "POST" else None, initial={"version": ticket.version}, **form_kwargs
    )
    status = 200
    if stale:
        ticket, form, status = _tier_move_stale(request, services.StaleTicket(ticket), form_kwargs)
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            move = services.ticket_escalate if step > 0 else services.ticket_de_escalate
            options = {"priority": data.get("priority")} if step > 0 else {}
            try:
                ticket = move(
                    ticket=ticket,
                    by=request.user,
                    note=data["note"],
                    to=data["to"],
                    expected_version=data["version"],
                    **options,
                )
            except services.StaleTicket as error:
                ticket, form, status = _tier_move_stale(request, error, form_kwargs)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                holder = ticket.assignee.get_full_name() if ticket.assignee else _("triage")
                messages.success(
                    request,
                    _("%(ticket)s is at tier %(tier)s, with %(holder)s.")
                    % {"ticket": ticket.reference, "tier": ticket.tier, "holder": holder},
                )
                return redirect(ticket)
    context = {"ticket": ticket, "form": form, "action": action, "label": workflow.ACTION_LABELS[action]}
    return render(request, "tickets/tier_move.html", context, status=status)


def _tier_move_stale(request, error, form_kwargs):
    """Changed meanwhile: the form again, on the ticket as it is now, with what was typed; and the 409."""
    messages.error(request, error.message)
    ticket = permissions.get_ticket_for(request.user, error.ticket.pk)
    data = request.POST.copy()
    data["version"] = str(ticket.version)
    form = forms.TierMoveForm(data, **{**form_kwargs, "ticket": ticket})
    form.is_valid()
    return ticket, form, 409


def _comment(request, number, *, is_internal):
    ticket = permissions.get_ticket_for(request.user, number)
    if not permissions.can_act(request.user, "note" if is_internal else "reply", ticket):
        raise PermissionDenied
    form = forms.CommentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_ticket(request, ticket, bound={"comment": form}, status=400)
    if limit_count(request, "comment_add", key=by_user):
        form.add_error(
            None,
            _(
                "You have written many replies in a short time, so this one was not sent. What you wrote is "
                "still here: send it again in a while."
            ),
        )
        return _render_ticket(request, ticket, bound={"comment": form}, status=429)
    try:
        services.comment_add(
            ticket=ticket,
            by=request.user,
            body=form.cleaned_data["body"],
            is_internal=is_internal,
            files=form.cleaned_data["attachments"],
        )
    except attachments.FilesNotStored as error:
        form.add_error("attachments", error.message)
        return _render_ticket(request, ticket, bound={"comment": form}, status=FILES_NOT_STORED)
    messages.success(request, _("Your note is saved.") if is_internal else _("Your reply is sent."))
    return redirect(ticket)


@login_required
@require_POST
def reply(request, number):
    return _comment(request, number, is_internal=False)


@login_required
@require_POST
def note(request, number):
    return _comment(request, number, is_internal=True)


@login_required
@require_POST
def log_time(request, number):
    ticket = permissions.get_ticket_for(request.user, number)
    if not permissions.can_act(request.user, "log_time", ticket):
        raise PermissionDenied
    form = forms.LogTimeForm(request.POST)
    if not form.is_valid():
        return _render_ticket(request, ticket, bound={"log_time": form}, status=400)
    services.ticket_log_time(
        ticket=ticket, by=request.user, minutes=form.cleaned_data["minutes"], note=form.cleaned_data["note"]
    )
    messages.success(request, _("Time logged."))
    return redirect(ticket)


@login_required
@require_POST
def triage(request, number):
    ticket = permissions.get_ticket_for(request.user, number)
    if not can(request.user, "tickets.triage"):
        raise PermissionDenied
    form = forms.TriageForm(request.POST)
    if not form.is_valid():
        return _render_ticket(request, ticket, bound={"triage": form}, status=400)
    data = form.cleaned_data
    try:
        services.ticket_triage(
            ticket=ticket,
            by=request.user,
            category=data["category"],
            impact=data["impact"],
            urgency=data["urgency"],
            tier=data["tier"],
            priority=data["priority"],
            priority_reason=data["priority_reason"],
            expected_version=data["version"],
        )
    except services.StaleTicket as error:
        return _stale(request, error, "triage", form)
    except MissingFields as error:
        for field in error.fields:
            form.add_error(field, error.message)
        return _render_ticket(request, ticket, bound={"triage": form}, status=400)
    except WorkflowError as error:
        return _refused(request, ticket, error.message)
    messages.success(request, _("Triage saved."))
    return redirect(ticket)


@never_cache
@login_required
def attachment_download(request, pk):
    """A file, only to those who may see it, always as a download and never sniffed as something else."""
    attachment = permissions.get_attachment_for(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the coordinator's dashboard ---------------------------------------------------------------

# The most urgent rows, each with its form; the rest are a click away in the ticket list. Forty open forms
# are more than anyone triages before the next refresh, and each one makes every refresh heavier.
TRIAGE_LIMIT = 25


def _refresh_seconds() -> int:
    return settings.DASHBOARD_REFRESH_SECONDS


class _DashboardReads:
    """What several parts of the dashboard show, read at most once per request: the categories (the triage
    choices and the counts' names) and the technicians (the triage choices and the workload board)."""

    @cached_property
    def categories(self) -> list[Category]:
        return selectors.categories_by_name()

    @cached_property
    def technicians(self) -> list:
        return list(selectors.technicians_for_assignment())


# How old a ticket is changes every minute, its row's markup does not: the age is filled in on each use.
AGE_MARK = fragments.mark("age")


def _triage_rows(request, reads: _DashboardReads) -> list[dict]:
    choices = forms.triage_row_choices(reads.categories, reads.technicians)
    # The choices (every category and technician) as one digest, not repeated in each row's key.
    offered, language, zone = fragments.key_of(choices.key()), get_language(), timezone.get_current_timezone_name()
    csrf = fragments.csrf_field(request)
    now = timezone.now()
    rows = []
    for ticket in selectors.tickets_to_triage_first(TRIAGE_LIMIT):
        form = forms.TriageRowForm.for_row(ticket, choices)
        row = {"ticket": ticket, "form": form}

        def render_row(row=row) -> str:
            return render_to_string(
                "tickets/dashboard/_triage_row.html",
                {"row": row, "csrf_mark": fragments.CSRF_MARK, "age_mark": AGE_MARK},
            )

        # Everything the row shows, and nothing else.
        key = (
            "triage-row",
            language,
            zone,
            offered,
            tuple(form.initial.items()),
            ticket.pk,
            ticket.subject,
            ticket.status,
            ticket.priority,
            ticket.assignee_id,
            ticket.is_flagged,  # type: ignore[attr-defined]
            ticket.requester.full_name,
            ticket.device.asset_tag if ticket.device else None,
            ticket.created_at,
        )
        age = _("%(age)s ago") % {"age": timesince(ticket.created_at, now)}
        row["html"] = fragments.filled(fragments.kept(key, render_row), {fragments.CSRF_MARK: csrf, AGE_MARK: age})
        rows.append(row)
    return rows


def _triage_context(request, reads: _DashboardReads) -> dict:
    return {
        "triage_rows": _triage_rows(request, reads),
        "triage_total": selectors.tickets_to_triage_count(),
        "triage_list_query": "status=new&assignee=none&sort=priority",
    }


def _watch_context(request, reads: _DashboardReads) -> dict:
    now = timezone.now()
    due_soon, waiting, stale = (
        selectors.tickets_due_soon(now=now),
        selectors.tickets_waiting_too_long(now=now),
        selectors.tickets_without_update(now=now),
    )
    escalated = selectors.tickets_recently_escalated(now=now)
    context: dict = {
        "due_soon": due_soon,
        "escalated": escalated,
        "waiting": waiting,
        "stale": stale,
        "waiting_days": selectors.WAITING_TOO_LONG.days,
        "stale_days": selectors.STALE_AFTER.days,
        "due_soon_hours": int(selectors.DUE_SOON.total_seconds() // 3600),
        "escalated_days": selectors.ESCALATED_WITHIN.days,
    }

    def shown(ticket) -> tuple:
        assignee = (ticket.assignee.get_full_name(), ticket.assignee.email) if ticket.assignee else None
        due = (getattr(ticket, "due_at", None), getattr(ticket, "due_clock", None), getattr(ticket, "is_overdue", None))
        return (ticket.pk, ticket.subject, ticket.priority, ticket.status, assignee, ticket.updated_at, due)

    # The columns are kept under what they show; the minute makes their ages right.
    context["watch_key"] = fragments.key_of(
        (
            get_language(),
            timezone.get_current_timezone_name(),
            now.replace(second=0, microsecond=0),
            tuple(context[name] for name in ("waiting_days", "stale_days", "due_soon_hours", "escalated_days")),
            tuple(tuple(shown(ticket) for ticket in tickets) for tickets in (due_soon, waiting, stale)),
            tuple(
                (row["ticket"].pk, row["ticket"].subject, row["at"], row["old_tier"], row["new_tier"])
                for row in escalated
            ),
        )
    )
    return context


def _counts_context(request, reads: _DashboardReads) -> dict:
    counts = selectors.dashboard_counts(categories=reads.categories)
    shown = (
        get_language(),
        counts["open_total"],
        counts["created_today"],
        counts["resolved_today"],
        tuple(tuple(row[2] for row in counts[name]) for name in ("by_status", "by_priority", "by_tier")),
        tuple((row["pk"], str(row["name"]), row["count"]) for row in counts["by_category"]),
    )
    return {"counts": counts, "counts_key": fragments.key_of(shown)}


def _workload_context(request, reads: _DashboardReads) -> dict:
    technicians = selectors.technicians_workload(reads.technicians)
    # Sixty rows of a table that changes a few times an hour: kept under the values it shows.
    shown = tuple(
        (
            tech.pk,
            tech.get_full_name(),
            tech.email,
            tech.technician_profile.tier,
            tuple(tech.skill_names),  # type: ignore[attr-defined]
            tech.technician_profile.is_available,
            tech.technician_profile.capacity,
            tuple(tech.open_by_priority),  # type: ignore[attr-defined]
        )
        for tech in technicians
    )
    return {"technicians": technicians, "workload_key": fragments.key_of((get_language(), shown))}


DASHBOARD_PARTS = {
    "triage": ("tickets/dashboard/_triage.html", _triage_context),
    "counts": ("tickets/dashboard/_counts.html", _counts_context),
    "watch": ("tickets/dashboard/_watch.html", _watch_context),
    "workload": ("tickets/dashboard/_workload.html", _workload_context),
}


def _dashboard_context(request) -> dict:
    context = {"refresh_seconds": _refresh_seconds()}
    reads = _DashboardReads()
    for _template, build in DASHBOARD_PARTS.values():
        context.update(build(request, reads))
    return context


@login_required
def dashboard(request):
    require(request.user, "tickets.dashboard")
    return render(request, "tickets/dashboard.html", _dashboard_context(request))


@not_activity  # the page refreshes these by itself: an open dashboard is not someone at work
@login_required
def dashboard_part(request, part):
    """One part of the dashboard, for its periodic refresh (htmx)."""
    require(request.user, "tickets.dashboard")
    if part not in DASHBOARD_PARTS:
        raise Http404
    template, build = DASHBOARD_PARTS[part]
    return render(request, template, {"refresh_seconds": _refresh_seconds(), **build(request, _DashboardReads())})


def _triage_row_response(request, ticket, form, *, status=200, done=None):
    """The row alone for htmx, the whole dashboard otherwise; either with the status that says what happened
    (400 refused, 409 changed meanwhile), which htmx swaps in like a 200 (base.html's htmx configuration)."""
    row = {"ticket": ticket, "form": form, "done": done}
    if request.htmx:
        return render(request, "tickets/dashboard/_triage_row.html", {"row": row}, status=status)
    context = _dashboard_context(request)
    context["triage_rows"] = [row if other["ticket"].pk == ticket.pk else other for other in context["triage_rows"]]
    if not any(other["ticket"].pk == ticket.pk for other in context["triage_rows"]):
        context["triage_rows"].insert(0, row)
    return render(request, "tickets/dashboard.html", context, status=status)


@login_required
@require_POST
def dashboard_triage(request, number):
    """Triage one ticket from its dashboard row, and assign it in the same step if a technician is chosen."""
    ticket = permissions.get_ticket_for(request.user, number)
    if not can(request.user, "tickets.triage"):
        raise PermissionDenied
    choices = forms.triage_row_choices()
    form = forms.TriageRowForm(request.POST, choices=choices, auto_id=f"triage-{ticket.pk}-%s")
    if not form.is_valid():
        return _triage_row_response(request, ticket, form, status=400)
    data = form.cleaned_data
    try:
        changed = services.ticket_triage_and_assign(
            ticket=ticket,
            by=request.user,
            assignee=data["assignee"],
            expected_version=data["version"],
            category=data["category"],
            impact=data["impact"],
            urgency=data["urgency"],
            tier=data["tier"],
            priority=data["priority"],
            priority_reason=data["priority_reason"],
        )
    except services.StaleTicket as error:
        fresh = permissions.get_ticket_for(request.user, ticket.pk)
        again = forms.TriageRowForm.for_row(fresh, choices)
        again.stale_message = error.message
        return _triage_row_response(request, fresh, again, status=409)
    except MissingFields as error:
        for field in error.fields:
            form.add_error(field if field in form.fields else None, error.message)
        return _triage_row_response(request, ticket, form, status=400)
    except WorkflowError as error:
        form.add_error(None, error.message)
        return _triage_row_response(request, ticket, form, status=400)
    changed = permissions.get_ticket_for(request.user, changed.pk)
    if changed.assignee_id:
        done = _("%(ticket)s is triaged and assigned to %(name)s.") % {
            "ticket": changed.reference,
            "name": changed.assignee.get_full_name() or changed.assignee.email,
        }
    else:
        done = _("%(ticket)s is triaged.") % {"ticket": changed.reference}
    if request.htmx:
        return _triage_row_response(request, changed, forms.TriageRowForm.for_row(changed, choices), done=done)
    messages.success(request, done)
    return redirect("tickets:dashboard")


@login_required
def suggestions(request, number):
    """The technicians ranked for one ticket, with reasons. In a dashboard row (htmx) as choices of the row's
    form; otherwise a page with an assign button on each."""
    ticket = permissions.get_ticket_for(request.user, number)
    if not can(request.user, "tickets.assign"):
        raise PermissionDenied
    preview = forms.SuggestionPreviewForm(request.GET or None).preview()
    ranked = selectors.technician_suggestions(ticket, **preview)
    if request.htmx:
        return render(request, "tickets/_suggestion_choices.html", {"ticket": ticket, "suggestions": ranked})
    return render(
        request,
        "tickets/suggestions.html",
        {"ticket": ticket, "suggestions": ranked, "may_assign": permissions.can_act(request.user, "assign", ticket)},
    )


@login_required
def auto_assign_settings(request):
    """Managers choose, per category, whether and how new tickets are assigned automatically."""
    require(request.user, "tickets.categories")
    if request.method == "POST":
        form = forms.AutoAssignForm(request.POST)
        if form.is_valid():
            services.category_set_auto_assign(
                category=form.cleaned_data["category"], by=request.user, mode=form.cleaned_data["mode"]
            )
            messages.success(
                request, _("Automatic assignment saved for %(category)s.") % {"category": form.cleaned_data["category"]}
            )
            return redirect("tickets:auto_assign")
        messages.error(request, _("Choose a category and a mode."))
    categories = Category.objects.select_related("parent").order_by("parent__name", "name")
    return render(request, "tickets/auto_assign.html", {"categories": categories, "modes": AutoAssign.choices})


# --- the staff ticket list ---------------------------------------------------------------------


def _filtered(request, params=None):
    filter_form = forms.TicketFilterForm(request.GET if params is None else params)
    filters = filter_form.filters()
    return filter_form, filters, selectors.tickets_filtered(request.user, filters, sort=filters["sort"])


def _page_number(params) -> int:
    try:
        return max(1, min(int(params.get("page", 1)), 100_000))
    except ValueError:
        return 1


@login_required
def ticket_list(request):
    """Every ticket, for staff: filters, sorting on every column, pages of 50, saved filters, bulk actions."""
    require(request.user, "tickets.view_all")
    query = request.GET.get("q", "")[:100].strip()
    number = selectors.ticket_number_from(query) if query.upper().startswith("HD-") else None
    if number and selectors.tickets_visible_to(request.user).filter(pk=number).exists():
        return redirect("tickets:detail", number=number)
    return _render_list(request, request.GET)


def _render_list(request, params, *, bulk_form=None, status=200):
    """The staff list for the query `params`; `bulk_form` is a refused bulk action, shown with its errors
    beside its fields and the rows it was for still selected."""
    filter_form, filters, qs = _filtered(request, params)
    for notice in filter_form.ignored():
        messages.warning(request, _("A filter was ignored. %(reason)s") % {"reason": notice})
    if bulk_form is None and can(request.user, "tickets.bulk"):
        bulk_form = forms.BulkActionForm(user=request.user)
    # The list shows these forms on every load: their controls are written without templates.
    for form in (filter_form, bulk_form):
        if form is not None:
            forms.use_quick_widgets(form)
    selected = set(bulk_form.cleaned_data.get("tickets", ())) if bulk_form is not None and bulk_form.is_bound else set()
    return render(
        request,
        "tickets/list.html",
        {
            "filter_form": filter_form,
            "sort": filters["sort"],
            "page": selectors.ticket_page(qs, _page_number(params), sort=filters["sort"]),
            "bulk_form": bulk_form,
            "may_bulk": bulk_form is not None,
            "selected": selected,
            # The list's own query: its sort and page links are made from it, also when it is shown again
            # in answer to a refused bulk action (a POST to another address).
            "list_query": params,
            "list_path": f"{reverse('tickets:list')}?{params.urlencode()}" if params else reverse("tickets:list"),
            "row_minute": timezone.now().replace(second=0, microsecond=0),
            "saved_filters": selectors.saved_filters_of(request.user),
            "saved_filter_form": forms.SavedFilterForm(initial={"querystring": filter_form.querystring()}),
            "querystring": filter_form.querystring(),
            "may_export": can(request.user, "tickets.export"),
        },
        status=status,
    )


CSV_COLUMNS = (
    (gettext_lazy("Ticket"), lambda t: t.reference),
    (gettext_lazy("Subject"), lambda t: t.subject),
    (gettext_lazy("Status"), lambda t: t.get_status_display()),
    (gettext_lazy("Priority"), lambda t: t.priority_label),
    (gettext_lazy("Tier"), lambda t: t.tier),
    (gettext_lazy("Category"), lambda t: str(t.category) if t.category_id else ""),
    (gettext_lazy("Requester"), lambda t: t.requester.full_name),
    (gettext_lazy("Department"), lambda t: t.requester.department.name if t.requester.department_id else ""),
    (gettext_lazy("Assignee"), lambda t: (t.assignee.get_full_name() or t.assignee.email) if t.assignee_id else ""),
    (gettext_lazy("Device"), lambda t: t.device.asset_tag if t.device_id else ""),
    (gettext_lazy("Project"), lambda t: t.project.name if t.project_id else ""),
    (gettext_lazy("Created"), lambda t: t.created_at.isoformat()),
    (gettext_lazy("Last update"), lambda t: t.updated_at.isoformat()),
    (gettext_lazy("Resolution due"), lambda t: t.resolution_due_at.isoformat() if t.resolution_due_at else ""),
)


@login_required
def ticket_export(request):
    """CSV of exactly what the list's filters show, every page of it, streamed."""
    require(request.user, "tickets.export")
    _filter_form, _filters, qs = _filtered(request)
    rows = (
        [value(ticket) for _label, value in CSV_COLUMNS]
        for ticket in qs.select_related("device").iterator(chunk_size=2000)
    )
    return csvfiles.response(
        [str(label) for label, _value in CSV_COLUMNS], rows, f"tickets-{timezone.localdate():%Y-%m-%d}.csv"
    )


def _list_url(request, next_url: str) -> str:
    """`next_url` if it is the staff list on this site (with its filters), else the plain list."""
    local = local_path(request, next_url)
    if local and urlsplit(local).path == reverse("tickets:list"):
        return local
    return reverse("tickets:list")


@login_required
@require_POST
def ticket_bulk(request):
    """One action on the selected tickets, through the services one ticket at a time, in one transaction."""
    require(request.user, "tickets.bulk")
    form = forms.BulkActionForm(request.POST, user=request.user)
    back = _list_url(request, request.POST.get("next", ""))
    if not form.is_valid():
        # The list the person was on, with the form's errors beside its fields and their selection kept.
        return _render_list(request, QueryDict(urlsplit(back).query), bulk_form=form, status=400)
    wanted = form.cleaned_data["tickets"]
    found = list(selectors.tickets_visible_to(request.user).filter(pk__in=wanted).order_by("pk"))
    result = services.tickets_bulk_change(
        by=request.user, tickets=found, action=form.cleaned_data["action"], **form.params()
    )
    if result.changed:
        messages.success(
            request, _("Changed: %(tickets)s.") % {"tickets": ", ".join(t.reference for t in result.changed)}
        )
    if result.unchanged:
        messages.info(
            request,
            _("Already so, nothing to change: %(tickets)s.")
            % {"tickets": ", ".join(t.reference for t in result.unchanged)},
        )
    for ticket, reason in result.refused:
        messages.error(request, _("%(ticket)s refused: %(reason)s") % {"ticket": ticket.reference, "reason": reason})
    missing = sorted(set(wanted) - {t.pk for t in found})
    if missing:
        messages.error(request, _("Not found: %(tickets)s.") % {"tickets": ", ".join(f"HD-{pk}" for pk in missing)})
    return redirect(back)


@login_required
@require_POST
def saved_filter_save(request):
    require(request.user, "tickets.view_all")
    form = forms.SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the filters a name."))
        return redirect("tickets:list")
    saved = services.saved_filter_save(
        by=request.user, name=form.cleaned_data["name"], querystring=form.cleaned_data["querystring"]
    )
    messages.success(request, _("Filters saved as %(name)s.") % {"name": saved.name})
    return redirect(f"{reverse('tickets:list')}?{saved.querystring}")


@login_required
@require_POST
def saved_filter_delete(request, pk):
    require(request.user, "tickets.view_all")
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    services.saved_filter_delete(by=request.user, saved=saved)
    messages.success(request, _("Saved filters %(name)s deleted.") % {"name": saved.name})
    return redirect("tickets:list")


# --- projects ----------------------------------------------------------------------------------


@login_required
def project_list(request):
    require(request.user, "projects.view")
    return render(
        request,
        "tickets/projects/list.html",
        {"projects": selectors.projects_for_list()[:200], "may_manage": can(request.user, "projects.manage")},
    )


@login_required
def project_create(request):
    require(request.user, "projects.manage")
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Project %(name)s created.") % {"name": project.name})
        return redirect(project)
    return render(request, "tickets/projects/form.html", {"form": form, "project": None})


@login_required
def project_edit(request, pk):
    require(request.user, "projects.manage")
    project = get_object_or_404(Project, pk=pk)
    form = forms.ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("Project saved."))
        return redirect(project)
    return render(request, "tickets/projects/form.html", {"form": form, "project": project})


@login_required
def project_detail(request, pk):
    require(request.user, "projects.view")
    project = get_object_or_404(
        Project.objects.select_related("project_manager", "facilities_contact", "location", "created_by"), pk=pk
    )
    may_manage = can(request.user, "projects.manage")
    return render(
        request,
        "tickets/projects/detail.html",
        {
            "project": project,
            "progress": selectors.project_progress(project),
            "tickets": selectors.tickets_of_project(project)[:500],
            "may_manage": may_manage,
            "file_form": forms.ProjectTicketsForm(user=request.user) if may_manage else None,
        },
    )


@login_required
@require_POST
def project_file_tickets(request, pk):
    require(request.user, "projects.manage")
    project = get_object_or_404(Project, pk=pk)
    form = forms.ProjectTicketsForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.get("numbers", []):
            messages.error(request, error)
        return redirect(project)
    result = services.tickets_bulk_change(
        by=request.user, tickets=form.cleaned_data["numbers"], action="set_project", project=project
    )
    if result.changed or result.unchanged:
        messages.success(
            request,
            _("Filed under this project: %(tickets)s.")
            % {"tickets": ", ".join(t.reference for t in [*result.changed, *result.unchanged])},
        )
    for ticket, reason in result.refused:
        messages.error(request, _("%(ticket)s refused: %(reason)s") % {"ticket": ticket.reference, "reason": reason})
    return redirect(project)
