"""One ticket's page, with the forms it offers and the forms sent back with their errors."""

from collections.abc import Collection
from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can
from notifications.selectors import notifications_sent_about
from tickets import forms, fragments, permissions, selectors, services, sla, workflow
from tickets.models import SOLVED_STATUSES, CannedReply, Ticket, reference_of
from tickets.views.action_table import ACTIONS, DEFAULT_STYLE, action_form
from tickets.views.common import (
    STALE,
    SignedInRequest,
    error_onto_form,
    names_fields,
    refused,
)

TIMELINE_SHOWN = 50
# A timeline longer than this shows its latest entries and folds the earlier ones behind "Show earlier": on a
# phone the reply box stays near the top. A shorter one is shown whole: folding two or three lines would
# hide more than it saves.
TIMELINE_FOLD_OVER = 8
TIMELINE_KEEP_ENTRIES = 4  # the latest entries always in view
TIMELINE_KEEP_COMMENTS = 2  # and at least the latest two replies or notes, however many events came after

# The prefix of the reply box's fields (`reply-body`): every form of the page has its own.
COMMENT_PREFIX = "reply"

# The actions a viewer most likely takes next: offered under the reply box; the others wait under "More
# actions". Starting and resuming work, and what a resolved or closed ticket asks of who sees it.
NEXT_ACTIONS = frozenset({"start", "resume", "confirm", "close", "reopen", "reopen_closed"})


# The forms of "More actions" beside the workflow's: logged time and triage.
SIDE_FORMS = frozenset({"log_time", "triage"})


def _is_next(action: str, ticket: Ticket, user: Any, actions: Collection[str]) -> bool:
    """Whether `action` is among the one or two this viewer most likely takes on `ticket` now: the holder
    resolves, a coordinator assigns and triages a ticket nobody holds yet."""
    if action == "take":
        # A coordinator's next step on a new ticket is triage and assignment; taking it stays under "More".
        return "assign" not in actions
    if action in NEXT_ACTIONS:
        return True
    if action == "resolve":
        return ticket.assignee_id == user.pk
    if action in ("assign", "triage"):
        return ticket.assignee_id is None
    return False


def _style(action: str, is_next: bool) -> str:
    """The button of `action`: the next step stands out; the less common actions are outlined, however
    strong their colour."""
    style = ACTIONS[action].style
    if is_next:
        return "btn-outline-primary" if style == DEFAULT_STYLE else style
    return style if "-outline-" in style else style.replace("btn-", "btn-outline-")


def _fold_at(timeline: list[Any]) -> int:
    """How many of the first timeline entries go behind "Show earlier" (0: the timeline is shown whole)."""
    if len(timeline) <= TIMELINE_FOLD_OVER:
        return 0
    keep_from = len(timeline) - TIMELINE_KEEP_ENTRIES
    comments = [index for index, entry in enumerate(timeline) if entry["kind"] == "comment"]
    if len(comments) >= TIMELINE_KEEP_COMMENTS:
        keep_from = min(keep_from, comments[-TIMELINE_KEEP_COMMENTS])
    return keep_from if keep_from > 2 else 0


def render_ticket(
    request: SignedInRequest,
    ticket: Ticket,
    *,
    bound: dict[str, django_forms.BaseForm] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """The ticket page. `bound` holds forms sent back with their errors, by name.

    Each form has its own prefix (an action's name, `reply`, `log_time`, `triage`), so no two fields of the
    page share an id. What the viewer came for comes first (the problem, the conversation, the reply box and
    the next step: `next_actions`), the rest after it in sections that fold."""
    user = request.user
    bound = bound or {}
    actions = permissions.actions_for(user, ticket)
    is_staff_view = "view_internal" in actions
    action_forms = [
        {
            "name": action,
            "label": workflow.ACTION_LABELS[action],
            "form": bound.get(action) or action_form(action, ticket, user),
            "style": _style(action, is_next),
            "is_next": is_next,
        }
        for action in ACTIONS
        if action in actions
        for is_next in [_is_next(action, ticket, user, actions)]
    ]
    work = selectors.ticket_work(ticket, staff=is_staff_view)
    if not work.children_open:
        for action in action_forms:
            if action["name"] == "resolve":
                cast(django_forms.BaseForm, action["form"]).fields.pop("with_children", None)
    may_use_canned = is_staff_view and "reply" in actions and can(user, "tickets.canned_replies")
    canned = (
        canned_posted(user, request.GET.get("canned"))
        if may_use_canned and request.method == "GET" and "comment" not in bound
        else None
    )
    triage_is_next = "triage" in actions and _is_next("triage", ticket, user, actions)
    next_names = {action["name"] for action in action_forms if action["is_next"]} | (
        {"triage"} if triage_is_next else set()
    )
    context: dict[str, Any] = {
        "ticket": ticket,
        "actions": actions,
        "is_staff_view": is_staff_view,
        "report_attachments": [
            a for a in selectors.ticket_first_attachments(ticket) if is_staff_view or not a.is_internal
        ],
        "action_forms": action_forms,
        "next_actions": [action for action in action_forms if action["is_next"]],
        "more_actions": [action for action in action_forms if not action["is_next"]],
        "triage_is_next": triage_is_next,
        # A form sent back with its errors opens the section that holds it.
        "more_actions_open": any(name not in next_names for name in bound if name in ACTIONS or name in SIDE_FORMS),
        # What someone typed for an action the ticket's new state no longer offers them: shown, never lost.
        "kept_input": [
            {"label": workflow.ACTION_LABELS[name], "values": _typed_values(form)}
            for name, form in bound.items()
            if name in ACTIONS and name not in actions and _typed_values(form)
        ],
        "comment_form": bound.get("comment")
        or forms.CommentForm(
            initial=_canned_text(canned, ticket, user) if canned else _quoted(request, ticket, actions),
            prefix=COMMENT_PREFIX,
            canned=canned,
        ),
        "canned_replies": list(selectors.canned_replies_for(user).values("pk", "title")) if may_use_canned else [],
        "canned_active": canned,
        "work": work,
        # A requester sees the details of their own device; of any other only the tag they typed.
        "device_is_theirs": ticket.device is not None and ticket.device.assigned_to_id == ticket.requester_id,
        "sla": sla.clocks(ticket, timezone.now()) if ticket.is_open or ticket.status == "resolved" else None,
    }
    if is_staff_view:
        context.update(
            {
                "time_form": bound.get("log_time") or forms.LogTimeForm(prefix="log_time"),
                "tier_chain": selectors.ticket_tier_chain(ticket),
                "triage_form": (bound.get("triage") or forms.TriageForm.for_ticket(ticket, prefix="triage"))
                if "triage" in actions
                else None,
                "requester_recent": selectors.tickets_recent_for_employee(ticket.requester, exclude=ticket),
                "related": selectors.tickets_related(ticket),
                "may_link": permissions.can(user, "log_time", ticket),
                "may_merge": "merge" in actions,
                "may_work": "log_time" in actions,
                "may_publish": permissions.can(user, "publish_known_problem", ticket),
                "parent_form": forms.ParentForm(
                    initial={"parent": reference_of(ticket.parent_id) if ticket.parent_id else ""}, prefix="parent"
                ),
                "device_recent": selectors.tickets_recent_for_device(ticket.device, exclude=ticket)
                if ticket.device is not None
                else [],
                "requester_url": reverse("assets:employee_detail", args=[ticket.requester_id]),
                "device_url": reverse("assets:device_detail", args=[ticket.device_id]) if ticket.device_id else None,
                "sent_notifications": notifications_sent_about(ticket)
                if can(user, "notifications.delivery_log")
                else None,
            }
        )
    # The latest entries; the whole history a click away (a ticket can gather hundreds).
    whole = request.method == "GET" and request.GET.get("timeline") == "all"
    timeline, context["timeline_earlier"] = selectors.ticket_timeline(
        ticket, include_internal=is_staff_view, latest=None if whole else TIMELINE_SHOWN
    )
    for entry in timeline:
        if entry["kind"] == "event":
            # An event never changes: its line is kept under the digest of what its template is given.
            entry["key"] = fragments.digest({"event": entry["item"], "is_staff_view": is_staff_view})
    fold = 0 if whole else _fold_at(timeline)
    context["timeline_folded"], context["timeline"] = timeline[:fold], timeline[fold:]
    context.update(extra or {})
    return render(request, "tickets/detail.html", context, status=status)


def _quoted(request: SignedInRequest, ticket: Ticket, actions: set[str] | frozenset[str]) -> dict[str, str]:
    """The reply box filled with another solved ticket's resolution (`?quote=1042`, from "How it was solved
    before"), for staff who may write on this ticket; nothing for anyone else or any other value."""
    number = permissions.ticket_number_from(request.GET.get("quote", "")) if request.method == "GET" else None
    if number is None or "view_internal" not in actions or not ({"reply", "note"} & set(actions)):
        return {}
    quoted = (
        permissions.tickets_visible_to(request.user)
        .filter(pk=number, status__in=SOLVED_STATUSES)
        .exclude(resolution_notes="")
        .values_list("resolution_notes", flat=True)
        .first()
    )
    if quoted is None:
        return {}
    lines = "\n".join(f"> {line}".rstrip() for line in quoted.splitlines())
    return {"body": _("How %(reference)s was solved:") % {"reference": reference_of(number)} + "\n" + lines + "\n\n"}


def canned_posted(user: Any, value: object) -> CannedReply | None:
    """The canned reply `value` names, when `user` may use it; None for anything else."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    return selectors.canned_replies_for(user).filter(pk=pk).first()


def _canned_text(canned: CannedReply, ticket: Ticket, user: Any) -> dict[str, str]:
    return {"body": services.canned_reply_fill(canned, ticket=ticket, by=user)}


def _typed_values(form: django_forms.BaseForm) -> list[tuple[str, str]]:
    """(label, text) of each visible field the person filled in."""
    typed: list[tuple[str, str]] = []
    for field in form.visible_fields():
        value = str(form.data.get(field.html_name, ""))
        if value.strip():
            choices = {str(key): label for key, label in getattr(field.field, "choices", ())}
            typed.append((str(field.label), str(choices.get(value, value))))
    return typed


def render_ticket_page(
    request: SignedInRequest, ticket: Ticket, *, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponseBase:
    """The ticket page with more context (another app's form sent back with its errors)."""
    return render_ticket(request, ticket, extra=extra, status=status)


@login_required
def detail(request: SignedInRequest, number: int) -> HttpResponseBase:
    ticket = permissions.get_ticket_for(request.user, number)
    if ticket.merged_into_id is not None and request.GET.get("merged") != "show":
        # A merged ticket's address leads to the kept one, for whoever may see it.
        kept = permissions.tickets_visible_to(request.user).filter(pk=ticket.merged_into_id).first()
        if kept is not None:
            messages.info(
                request,
                _("%(ticket)s was merged into %(kept)s.") % {"ticket": ticket.reference, "kept": kept.reference},
            )
            return redirect(kept)
    return render_ticket(request, ticket)


def stale_page(
    request: SignedInRequest, error: services.StaleTicket, name: str, form: django_forms.BaseForm
) -> HttpResponseBase:
    """Someone else changed the ticket: show its new state, keep what this person typed, change nothing."""
    messages.error(request, error.message)
    ticket = permissions.get_ticket_for(request.user, error.ticket.pk)
    # The form was posted: its data is a QueryDict, copied to hold the new version.
    data: dict[str, Any] = cast(QueryDict, form.data).copy()
    data[form.add_prefix("version")] = ticket.version
    takes_user = name in ACTIONS and ACTIONS[name].form_takes_user
    kwargs: dict[str, Any] = {"user": request.user} if takes_user else {}
    again = type(form)(data, prefix=form.prefix, **kwargs)
    again.is_valid()
    return render_ticket(request, ticket, bound={name: again}, status=STALE)


def service_refusal(
    request: SignedInRequest, ticket: Ticket, name: str, form: django_forms.BaseForm, error: Exception
) -> HttpResponseBase:
    """The answer to a change on the ticket page that a service refused (common.SERVICE_ERRORS), the form
    `name` kept as typed: changed meanwhile, the page on the new state (409); fields to fill in, the page with
    the errors beside them (400); an action not possible now, the refusal (common.refused)."""
    status = error_onto_form(form, error)
    if isinstance(error, services.StaleTicket):
        return stale_page(request, error, name, form)
    if names_fields(error):
        return render_ticket(request, ticket, bound={name: form}, status=status)
    return refused(request, ticket, getattr(error, "message", str(error)))
