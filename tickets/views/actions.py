"""The POST endpoints on one ticket: workflow actions, tier moves, replies and notes, time."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.ratelimit import by_user, limit_count
from tickets import attachments, forms, permissions, selectors, services, workflow
from tickets.models import Ticket
from tickets.views.action_table import ACTIONS, action_form, success_message
from tickets.views.common import (
    FILES_NOT_STORED,
    REFUSED,
    SERVICE_ERRORS,
    STALE,
    SignedInRequest,
    error_onto_form,
    is_stale,
    posted_version,
    prefixed,
    refused,
    too_many_replies,
)
from tickets.views.ticket import COMMENT_PREFIX, canned_posted, render_ticket, service_refusal, stale_page
from tickets.workflow import WorkflowError


def _ticket_for_action(
    request: SignedInRequest, number: int, action: str, known: Any
) -> tuple[Ticket, bool, HttpResponseBase | None]:
    """The ticket, whether the post was made on an older version of it, and a refusal (None when `action`, one
    of `known`, may be taken now). A 404 for an unknown action or an invisible ticket, a 403 for a role
    without the right, else a refusal saying why not.

    A post made on an older version is stale before anything else: whether the action is still this person's
    to take is a question about the new state, which they have not seen yet. They get the 409 page with the
    new state and what they typed, never a bare 403 that loses it."""
    ticket = permissions.get_ticket_for(request.user, number)
    if action not in known:
        raise Http404
    posted = posted_version(request, action) if request.method == "POST" else None
    if posted is not None and posted != ticket.version:
        return ticket, True, None
    try:
        workflow.check(ticket, action, request.user)
    except WorkflowError as error:
        return ticket, False, refused(request, ticket, error.message)
    return ticket, False, None


@login_required
@require_POST
def act(request: SignedInRequest, number: int, action: str) -> HttpResponseBase:
    """Take a workflow action (assign, take, resolve, confirm, reopen, cancel, ...) on a ticket: the form and
    the service call of ACTIONS[action]."""
    ticket, stale, refusal = _ticket_for_action(request, number, action, ACTIONS)
    if refusal is not None:
        return refusal
    form = action_form(action, ticket, request.user, request.POST)
    if stale:
        form.is_valid()
        return stale_page(request, services.StaleTicket(ticket), action, form)
    if not form.is_valid():
        return render_ticket(request, ticket, bound={action: form}, status=REFUSED)
    try:
        ACTIONS[action].run(ticket, request.user, form.cleaned_data)
    except SERVICE_ERRORS as error:
        return service_refusal(request, ticket, action, form, error)
    messages.success(request, success_message(action))
    return redirect(ticket)


TIER_MOVES = {"escalate": 1, "de_escalate": -1}


@login_required
def tier_move(request: SignedInRequest, number: int, action: str) -> HttpResponseBase:
    """Escalate a ticket a tier up, or send it a tier down: its own page, since choosing the person means
    ranking every technician of the new tier (the ticket page does not pay for that on every view)."""
    ticket, stale, refusal = _ticket_for_action(request, number, action, TIER_MOVES)
    if refusal is not None:
        return refusal
    step = TIER_MOVES[action]
    suggestions = selectors.technician_suggestions(ticket, tier=ticket.tier + step)
    form_kwargs: dict[str, Any] = {"ticket": ticket, "user": request.user, "step": step, "suggestions": suggestions}
    form = forms.TierMoveForm(
        request.POST if request.method == "POST" else None, initial={"version": ticket.version}, **form_kwargs
    )
    status = 200
    if stale:
        ticket, form, status = _tier_move_stale(request, services.StaleTicket(ticket), form_kwargs)
    elif request.method == "POST":
        status = REFUSED
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
            except SERVICE_ERRORS as error:
                status = error_onto_form(form, error)
                if is_stale(error):
                    ticket, form, status = _tier_move_stale(request, error, form_kwargs)
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


def _tier_move_stale(
    request: SignedInRequest, error: Any, form_kwargs: dict[str, Any]
) -> tuple[Ticket, forms.TierMoveForm, int]:
    """Changed meanwhile: the form again, on the ticket as it is now, with what was typed; and the 409."""
    messages.error(request, error.message)
    ticket = permissions.get_ticket_for(request.user, error.ticket.pk)
    data = request.POST.copy()
    data["version"] = str(ticket.version)
    form = forms.TierMoveForm(data, **{**form_kwargs, "ticket": ticket})
    form.is_valid()
    return ticket, form, STALE


def _comment(request: SignedInRequest, number: int, *, is_internal: bool) -> HttpResponseBase:
    ticket = permissions.get_ticket_for(request.user, number)
    if not permissions.can_act(request.user, "note" if is_internal else "reply", ticket):
        raise PermissionDenied
    data = prefixed(request.POST, COMMENT_PREFIX)
    # A public reply begun from a canned one carries it, and what follows it (tickets.services.replies).
    canned = None if is_internal else canned_posted(request.user, data.get(f"{COMMENT_PREFIX}-canned"))
    form = forms.CommentForm(data, prefixed(request.FILES, COMMENT_PREFIX), prefix=COMMENT_PREFIX, canned=canned)
    if not form.is_valid():
        return render_ticket(request, ticket, bound={"comment": form}, status=REFUSED)
    if limit_count(request, "comment_add", key=by_user):
        form.add_error(None, too_many_replies())
        return render_ticket(request, ticket, bound={"comment": form}, status=429)
    try:
        if canned is not None:
            services.reply_with_canned(
                ticket=ticket,
                by=request.user,
                reply=canned,
                body=form.cleaned_data["body"],
                then=form.cleaned_data.get("then") or "",
                minutes=form.cleaned_data.get("minutes") or 0,
                files=form.cleaned_data["attachments"],
            )
        else:
            services.comment_add(
                ticket=ticket,
                by=request.user,
                body=form.cleaned_data["body"],
                is_internal=is_internal,
                files=form.cleaned_data["attachments"],
            )
    except attachments.FilesNotStored as error:
        form.add_error("attachments", error.message)
        return render_ticket(request, ticket, bound={"comment": form}, status=FILES_NOT_STORED)
    except SERVICE_ERRORS as error:
        error_onto_form(form, error)
        return render_ticket(request, ticket, bound={"comment": form}, status=REFUSED)
    messages.success(request, _("Your note is saved.") if is_internal else _("Your reply is sent."))
    return redirect(ticket)


@login_required
@require_POST
def reply(request: SignedInRequest, number: int) -> HttpResponseBase:
    return _comment(request, number, is_internal=False)


@login_required
@require_POST
def note(request: SignedInRequest, number: int) -> HttpResponseBase:
    return _comment(request, number, is_internal=True)


@login_required
@require_POST
def log_time(request: SignedInRequest, number: int) -> HttpResponseBase:
    ticket = permissions.get_ticket_for(request.user, number)
    if not permissions.can_act(request.user, "log_time", ticket):
        raise PermissionDenied
    form = forms.LogTimeForm(prefixed(request.POST, "log_time"), prefix="log_time")
    if not form.is_valid():
        return render_ticket(request, ticket, bound={"log_time": form}, status=REFUSED)
    services.ticket_log_time(
        ticket=ticket, by=request.user, minutes=form.cleaned_data["minutes"], note=form.cleaned_data["note"]
    )
    messages.success(request, _("Time logged."))
    return redirect(ticket)
