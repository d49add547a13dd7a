"""Canned replies: the list (with how often each was used), their forms, and a reply's text filled for one
ticket (the reply box inserts it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can, require
from tickets import forms, permissions, selectors, services
from tickets.models import CannedReply
from tickets.selectors import canned_replies_for
from tickets.services.replies import may_edit
from tickets.views.common import REFUSED, SERVICE_ERRORS, SignedInRequest, error_onto_form


@login_required
def canned_list(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "tickets.canned_replies")
    replies = list(selectors.canned_replies_for(request.user))
    return render(
        request,
        "tickets/replies/list.html",
        {
            "shared": [reply for reply in replies if reply.owner_id is None],
            "own": [reply for reply in replies if reply.owner_id is not None],
            "may_manage_shared": can(request.user, "tickets.canned_manage"),
        },
    )


@login_required
def canned_create(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "tickets.canned_replies")
    shared_choice = can(request.user, "tickets.canned_manage")
    form = forms.CannedReplyForm(request.POST or None, shared_choice=shared_choice)
    status = 200
    if request.method == "POST":
        status = REFUSED
        if form.is_valid():
            data = dict(form.cleaned_data)
            shared = bool(data.pop("shared", False))
            try:
                services.canned_reply_create(by=request.user, shared=shared, **data)
            except SERVICE_ERRORS as error:
                status = error_onto_form(form, error)
            else:
                messages.success(request, _("The canned reply “%(title)s” is saved.") % {"title": data["title"]})
                return redirect("tickets:canned_list")
    return render(request, "tickets/replies/form.html", {"form": form, "reply": None}, status=status)


@login_required
def canned_edit(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "tickets.canned_replies")
    reply = get_object_or_404(CannedReply, pk=pk)
    if not may_edit(request.user, reply):
        # Another technician's private reply is as if it did not exist.
        raise PermissionDenied if reply.owner_id is None else Http404
    form = forms.CannedReplyForm(request.POST) if request.method == "POST" else forms.CannedReplyForm.for_reply(reply)
    status = 200
    if request.method == "POST":
        status = REFUSED
        if form.is_valid():
            try:
                services.canned_reply_update(reply=reply, by=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                status = error_onto_form(form, error)
            else:
                messages.success(request, _("The canned reply “%(title)s” is saved.") % {"title": reply.title})
                return redirect("tickets:canned_list")
    return render(request, "tickets/replies/form.html", {"form": form, "reply": reply}, status=status)


@login_required
@require_POST
def canned_delete(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "tickets.canned_replies")
    reply = get_object_or_404(CannedReply, pk=pk)
    if not may_edit(request.user, reply):
        raise PermissionDenied
    services.canned_reply_delete(reply=reply, by=request.user)
    messages.success(request, _("The canned reply “%(title)s” is deleted.") % {"title": reply.title})
    return redirect("tickets:canned_list")


@login_required
def canned_fill(request: SignedInRequest, number: int, pk: int) -> HttpResponseBase:
    """A canned reply's text filled for one ticket, for the reply box's script: the text, then what follows."""
    ticket = permissions.get_ticket_for(request.user, number)
    reply = get_object_or_404(canned_replies_for(request.user), pk=pk)
    return JsonResponse(
        {
            "id": reply.pk,
            "text": services.canned_reply_fill(reply, ticket=ticket, by=request.user),
            "then": reply.then,
            "minutes": reply.minutes,
            "follows": _follows(reply),
        }
    )


def _follows(reply: CannedReply) -> str:
    """What sending the reply also does, in a line under the reply box."""
    parts = []
    if reply.then:
        parts.append(_("then: %(status)s") % {"status": reply.get_then_display()})
    if reply.minutes:
        parts.append(_("%(minutes)s minutes logged") % {"minutes": reply.minutes})
    return _("Sent with: %(what)s.") % {"what": ", ".join(parts)} if parts else ""
