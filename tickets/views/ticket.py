"""One ticket's page, with the forms it offers and the forms sent back with their errors."""

from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can
from notifications.selectors import notifications_sent_about
from tickets import forms, fragments, permissions, selectors, services, sla, workflow
from tickets.models import SOLVED_STATUSES, Ticket, reference_of
from tickets.views.action_table import ACTIONS, action_form
from tickets.views.common import (
    STALE,
    SignedInRequest,
    error_onto_form,
    names_fields,
    refused,
)

TIMELINE_SHOWN = 50


def render_ticket(
    request: SignedInRequest,
    ticket: Ticket,
    *,
    bound: dict[str, django_forms.BaseForm] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """The ticket page. `bound` holds forms sent back with their errors, by name."""
    user = request.user
    bound = bound or {}
    actions = permissions.actions_for(user, ticket)
    is_staff_view = "view_internal" in actions
    context: dict[str, Any] = {
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
                "form": bound.get(action) or action_form(action, ticket, user),
                "style": ACTIONS[action].style,
            }
            for action in ACTIONS
            if action in actions
        ],
        # What someone typed for an action the ticket's new state no longer offers them: shown, never lost.
        "kept_input": [
            {"label": workflow.ACTION_LABELS[name], "values": _typed_values(form)}
            for name, form in bound.items()
            if name in ACTIONS and name not in actions and _typed_values(form)
        ],
        "comment_form": bound.get("comment") or forms.CommentForm(initial=_quoted(request, ticket, actions)),
        # A requester sees the details of their own device; of any other only the tag they typed.
        "device_is_theirs": ticket.device is not None and ticket.device.assigned_to_id == ticket.requester_id,
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
                "related": selectors.tickets_related(ticket),
                "may_link": permissions.can(user, "log_time", ticket),
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
    context["timeline"], context["timeline_earlier"] = selectors.ticket_timeline(
        ticket, include_internal=is_staff_view, latest=None if whole else TIMELINE_SHOWN
    )
    for entry in context["timeline"]:
        if entry["kind"] == "event":
            # An event never changes: its line is kept under the digest of what its template is given.
            entry["key"] = fragments.digest({"event": entry["item"], "is_staff_view": is_staff_view})
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
    return render_ticket(request, ticket)


def stale_page(
    request: SignedInRequest, error: services.StaleTicket, name: str, form: django_forms.BaseForm
) -> HttpResponseBase:
    """Someone else changed the ticket: show its new state, keep what this person typed, change nothing."""
    messages.error(request, error.message)
    ticket = permissions.get_ticket_for(request.user, error.ticket.pk)
    # The form was posted: its data is a QueryDict, copied to hold the new version.
    data: dict[str, Any] = cast(QueryDict, form.data).copy()
    data["version"] = ticket.version
    takes_user = name in ACTIONS and ACTIONS[name].form_takes_user
    kwargs: dict[str, Any] = {"user": request.user} if takes_user else {}
    again = type(form)(data, **kwargs)
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
