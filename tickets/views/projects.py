"""Projects and the tickets filed under them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can, require
from tickets import forms, selectors, services
from tickets.models import Project
from tickets.views.common import SignedInRequest

# --- projects ----------------------------------------------------------------------------------


@login_required
def project_list(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "projects.view")
    return render(
        request,
        "tickets/projects/list.html",
        {"projects": selectors.projects_for_list()[:200], "may_manage": can(request.user, "projects.manage")},
    )


@login_required
def project_create(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "projects.manage")
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Project %(name)s created.") % {"name": project.name})
        return redirect(project)
    return render(request, "tickets/projects/form.html", {"form": form, "project": None})


@login_required
def project_edit(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "projects.manage")
    project = get_object_or_404(Project, pk=pk)
    form = forms.ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("Project saved."))
        return redirect(project)
    return render(request, "tickets/projects/form.html", {"form": form, "project": project})


@login_required
def project_detail(request: SignedInRequest, pk: int) -> HttpResponseBase:
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
def project_file_tickets(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "projects.manage")
    project = get_object_or_404(Project, pk=pk)
    form = forms.ProjectTicketsForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.get("numbers", []):
            messages.error(request, str(error))
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
