from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import require
from intake import held as held_mail
from intake.forms import HeldOpenForm
from intake.models import InboundMessage

PAGE_SIZE = 25


def _prefix(message_id: int) -> str:
    return f"held-{message_id}"


@login_required
def held(request: HttpRequest, bound: HeldOpenForm | None = None, bound_id: int | None = None) -> HttpResponse:
    """The messages from unknown addresses waiting for a coordinator, each with its own form."""
    require(request.user, "intake.held")
    page = Paginator(held_mail.held_messages(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (row, bound if row.pk == bound_id and bound is not None else HeldOpenForm(prefix=_prefix(row.pk)))
        for row in page.object_list
    ]
    return render(request, "intake/held.html", {"page": page, "rows": rows})


@login_required
@require_POST
def held_open(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "intake.held")
    get_object_or_404(InboundMessage, pk=pk)
    form = HeldOpenForm(request.POST, prefix=_prefix(pk))
    if not form.is_valid():
        return held(request, bound=form, bound_id=pk)
    try:
        row = held_mail.held_message_open(
            message_id=pk, employee=form.cleaned_data["employee"], by=cast(User, request.user)
        )
    except held_mail.HeldMessageGone as gone:
        messages.warning(request, str(gone))
    else:
        assert row.ticket is not None
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Ticket opened for %(employee)s:") % {"employee": form.cleaned_data["employee"]},
                row.ticket.get_absolute_url(),
                row.ticket.reference,
            ),
        )
    return redirect("intake:held")


@login_required
@require_POST
def held_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "intake.held")
    get_object_or_404(InboundMessage, pk=pk)
    try:
        row = held_mail.held_message_dismiss(message_id=pk, by=cast(User, request.user))
    except held_mail.HeldMessageGone as gone:
        messages.warning(request, str(gone))
    else:
        messages.success(request, _("The message from %(sender)s was set aside.") % {"sender": row.sender})
    return redirect("intake:held")
