"""Who should get a ticket: the ranked technicians, and the categories' automatic assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import can, require
from tickets import forms, permissions, selectors, services
from tickets.models import AutoAssign, Category
from tickets.views.common import SignedInRequest


@login_required
def suggestions(request: SignedInRequest, number: int) -> HttpResponseBase:
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
def auto_assign_settings(request: SignedInRequest) -> HttpResponseBase:
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
