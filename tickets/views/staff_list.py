"""The staff ticket list: filters, sorting, pages, bulk actions, saved filters and the CSV export."""

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import can, require
from core import csvfiles
from core.http import local_path
from tickets import forms, fragments, selectors, services
from tickets.models import SavedFilter, Ticket, reference_of
from tickets.views.common import SignedInRequest

# --- the staff ticket list ---------------------------------------------------------------------


def _filtered(
    request: SignedInRequest, params: QueryDict | None = None
) -> tuple[forms.TicketFilterForm, dict[str, Any], QuerySet[Ticket]]:
    filter_form = forms.TicketFilterForm(request.GET if params is None else params)
    filters = filter_form.filters()
    return filter_form, filters, selectors.tickets_filtered(request.user, filters, sort=filters["sort"])


def _page_number(params: QueryDict) -> int:
    try:
        return max(1, min(int(params.get("page", 1)), 100_000))
    except ValueError:
        return 1


@login_required
def ticket_list(request: SignedInRequest) -> HttpResponseBase:
    """Every ticket, for staff: filters, sorting on every column, pages of 50, saved filters, bulk actions."""
    require(request.user, "tickets.view_all")
    query = request.GET.get("q", "")[:100].strip()
    number = selectors.ticket_number_from(query) if query.upper().startswith("HD-") else None
    if number and selectors.tickets_visible_to(request.user).filter(pk=number).exists():
        return redirect("tickets:detail", number=number)
    return _render_list(request, request.GET)


def _render_list(
    request: SignedInRequest, params: QueryDict, *, bulk_form: forms.BulkActionForm | None = None, status: int = 200
) -> HttpResponseBase:
    """The staff list for the query `params`; `bulk_form` is a refused bulk action, shown with its errors
    beside its fields and the rows it was for still selected."""
    filter_form, filters, qs = _filtered(request, params)
    for notice in filter_form.ignored():
        messages.warning(request, _("A filter was ignored. %(reason)s") % {"reason": notice})
    if bulk_form is None and can(request.user, "tickets.bulk"):
        bulk_form = forms.BulkActionForm(user=request.user)
    # The list shows these forms on every load: their model choices are read by one plain query each.
    forms.choices_in_one_query(filter_form, bulk_form)
    selected = set(bulk_form.cleaned_data.get("tickets", ())) if bulk_form is not None and bulk_form.is_bound else set()
    page = selectors.ticket_page(qs, _page_number(params), sort=filters["sort"])
    # What every row shows besides its ticket; the minute makes "last update" ages right.
    shared = {"may_bulk": bulk_form is not None, "minute": timezone.now().replace(second=0, microsecond=0)}
    return render(
        request,
        "tickets/list.html",
        {
            "filter_form": filter_form,
            # The filters' and bulk action's fields are kept under the digest of their forms (every value,
            # error and choice they show): most loads of the list show them exactly as the one before.
            "filters_key": fragments.digest(filter_form),
            "bulk_key": fragments.digest(bulk_form) if bulk_form is not None else "",
            "sort": filters["sort"],
            "page": page,
            "rows": [_keyed(list_row_context(ticket, shared, selected)) for ticket in page["object_list"]],
            "bulk_form": bulk_form,
            "may_bulk": bulk_form is not None,
            "selected": selected,
            # The list's own query: its sort and page links are made from it, also when it is shown again
            # in answer to a refused bulk action (a POST to another address).
            "list_query": params,
            "list_path": f"{reverse('tickets:list')}?{params.urlencode()}" if params else reverse("tickets:list"),
            "saved_filters": selectors.saved_filters_of(request.user),
            "saved_filter_form": forms.SavedFilterForm(initial={"querystring": filter_form.querystring()}),
            "querystring": filter_form.querystring(),
            "may_export": can(request.user, "tickets.export"),
        },
        status=status,
    )


def list_row_context(ticket: Ticket, shared: dict[str, Any], selected: set[int]) -> dict[str, Any]:
    """What one row's template (tickets/_list_row.html, given `row` and nothing else) shows."""
    return {"ticket": ticket, **shared, "selected": ticket.pk in selected}


def _keyed(row: dict[str, Any]) -> dict[str, Any]:
    """`row` with "key", the digest of all of it, under which its markup is kept (fragments.digest)."""
    return {**row, "key": fragments.digest(row)}


CSV_COLUMNS = (
    (gettext_lazy("Ticket"), lambda t: t.reference),
    (gettext_lazy("Subject"), lambda t: t.subject),
    (gettext_lazy("Status"), lambda t: t.get_status_display()),
    (gettext_lazy("Priority"), lambda t: t.priority_label),
    (gettext_lazy("Tier"), lambda t: t.tier),
    (gettext_lazy("Category"), lambda t: str(t.category) if t.category_id else ""),
    (gettext_lazy("Requester"), lambda t: t.requester.full_name),
    (gettext_lazy("Department"), lambda t: t.requester.department.translated_name if t.requester.department_id else ""),
    (gettext_lazy("Assignee"), lambda t: (t.assignee.get_full_name() or t.assignee.email) if t.assignee_id else ""),
    (gettext_lazy("Device"), lambda t: t.device.asset_tag if t.device_id else ""),
    (gettext_lazy("Project"), lambda t: t.project.name if t.project_id else ""),
    (gettext_lazy("Created"), lambda t: t.created_at.isoformat()),
    (gettext_lazy("Last update"), lambda t: t.updated_at.isoformat()),
    (gettext_lazy("Resolution due"), lambda t: t.resolution_due_at.isoformat() if t.resolution_due_at else ""),
)


@login_required
def ticket_export(request: SignedInRequest) -> HttpResponseBase:
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


def _list_url(request: SignedInRequest, next_url: str) -> str:
    """`next_url` if it is the staff list on this site (with its filters), else the plain list."""
    local = local_path(request, next_url)
    if local and urlsplit(local).path == reverse("tickets:list"):
        return local
    return reverse("tickets:list")


@login_required
@require_POST
def ticket_bulk(request: SignedInRequest) -> HttpResponseBase:
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
        messages.error(
            request, _("Not found: %(tickets)s.") % {"tickets": ", ".join(reference_of(pk) for pk in missing)}
        )
    return redirect(back)


@login_required
@require_POST
def saved_filter_save(request: SignedInRequest) -> HttpResponseBase:
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
def saved_filter_delete(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "tickets.view_all")
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    services.saved_filter_delete(by=request.user, saved=saved)
    messages.success(request, _("Saved filters %(name)s deleted.") % {"name": saved.name})
    return redirect("tickets:list")
