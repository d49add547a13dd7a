"""Staff directory, device inventory, their pages and forms, and the CSV import.

Thin views: permission (assets.permissions) -> form (assets.forms) -> service (assets.services) ->
redirect. Reads go through assets.selectors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import can, require
from assets import exports, imports, selectors, services
from assets.forms import (
    DepartmentForm,
    DeviceAssignForm,
    DeviceFilterForm,
    DeviceForm,
    EmployeeFilterForm,
    EmployeeForm,
    ImportConfirmForm,
    ImportUploadForm,
    LocationForm,
)
from assets.permissions import device_actions_for, get_device_for, get_employee_for

PAGE_SIZE = 50


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# --- staff ----------------------------------------------------------------------------------------


@login_required
@require_GET
def employee_list(request):
    require(request.user, "staff.view")
    form = EmployeeFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.employees_search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assets/employee_list.html", {"form": form, "filters": filters, "page": page})


@login_required
@require_GET
def employee_export(request):
    require(request.user, "staff.view")
    filters = EmployeeFilterForm(request.GET or None).filters()
    return exports.employees_csv(selectors.employees_search(filters), f"staff-{_stamp()}.csv")


@login_required
@require_GET
def employee_detail(request, pk: int):
    employee = get_employee_for(request.user, pk)
    sees_all = can(request.user, "staff.view")
    return render(
        request,
        "assets/employee_detail.html",
        {
            "employee": employee,
            "devices": list(selectors.employee_devices(employee)),
            "past_assignments": list(selectors.employee_past_assignments(employee)[:20]) if sees_all else [],
            "sees_all": sees_all,
            "can_edit": can(request.user, "staff.manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request):
    require(request.user, "staff.manage")
    form = EmployeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EmployeeForm.Meta.fields}
        employee = services.employee_create(by=request.user, **fields)
        messages.success(request, _("%(name)s is added to the staff directory.") % {"name": employee})
        return redirect(employee)
    return render(request, "assets/employee_form.html", {"form": form, "employee": None})


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request, pk: int):
    require(request.user, "staff.manage")
    employee = get_employee_for(request.user, pk)
    form = EmployeeForm(request.POST or None, instance=employee)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EmployeeForm.Meta.fields}
        try:
            services.employee_update(employee=employee, by=request.user, **fields)
        except services.AssetError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The changes to %(name)s are saved.") % {"name": employee})
            return redirect(employee)
    return render(request, "assets/employee_form.html", {"form": form, "employee": employee})


@login_required
@require_GET
def employee_lookup(request):
    """Suggestions for the employee pickers (htmx): <option>s for a <datalist>."""
    require(request.user, "staff.view")
    query = request.GET.get("q") or next((v for v in request.GET.values() if v), "")
    return render(request, "assets/_employee_options.html", {"employees": selectors.employees_lookup(query)})


# --- devices --------------------------------------------------------------------------------------


@login_required
@require_GET
def device_list(request):
    require(request.user, "assets.view")
    form = DeviceFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.devices_search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assets/device_list.html",
        {"form": form, "filters": filters, "page": page, "today": timezone.localdate()},
    )


@login_required
@require_GET
def device_export(request):
    require(request.user, "assets.view")
    filters = DeviceFilterForm(request.GET or None).filters()
    return exports.devices_csv(selectors.devices_search(filters), f"devices-{_stamp()}.csv")


@login_required
@require_GET
def device_detail(request, pk: int):
    device = get_device_for(request.user, pk)
    actions = device_actions_for(request.user, device)
    return render(
        request,
        "assets/device_detail.html",
        {
            "device": device,
            "actions": actions,
            "assignments": list(selectors.device_assignments(device)) if actions["history"] else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_create(request):
    require(request.user, "assets.manage")
    form = DeviceForm(request.POST or None, can_manage=True)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.device_create(by=request.user, **form.cleaned_data)
        except services.AssetError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Device %(tag)s is added.") % {"tag": device.asset_tag})
            return redirect(device)
    return render(request, "assets/device_form.html", {"form": form, "device": None})


@login_required
@require_http_methods(["GET", "POST"])
def device_edit(request, pk: int):
    require(request.user, "assets.update_device")
    device = get_device_for(request.user, pk)
    form = DeviceForm(request.POST or None, instance=device, can_manage=can(request.user, "assets.manage"))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in DeviceForm.Meta.fields}
        try:
            services.device_update(device=device, by=request.user, **fields)
        except services.AssetError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The changes to %(tag)s are saved.") % {"tag": device.asset_tag})
            return redirect(device)
    return render(request, "assets/device_form.html", {"form": form, "device": device})


@login_required
@require_http_methods(["GET", "POST"])
def device_assign(request, pk: int):
    require(request.user, "assets.manage")
    device = get_device_for(request.user, pk)
    form = DeviceAssignForm(request.POST or None, initial={"employee": device.assigned_to})
    if request.method == "POST" and form.is_valid():
        employee = form.cleaned_data["employee"]
        try:
            services.device_assign(device=device, employee=employee, by=request.user)
        except services.AssetError as error:
            form.add_error(None, str(error))
        else:
            if employee is None:
                messages.success(request, _("%(tag)s is back in stock.") % {"tag": device.asset_tag})
            else:
                messages.success(
                    request, _("%(tag)s is assigned to %(name)s.") % {"tag": device.asset_tag, "name": employee}
                )
            return redirect(device)
    return render(request, "assets/device_assign.html", {"form": form, "device": device})


@login_required
@require_POST
def device_retire(request, pk: int):
    require(request.user, "assets.manage")
    device = get_device_for(request.user, pk)
    services.device_retire(device=device, by=request.user)
    messages.success(request, _("%(tag)s is retired.") % {"tag": device.asset_tag})
    return redirect(device)


# --- departments and locations --------------------------------------------------------------------


def _places(request, department_form=None, location_form=None, status=200):
    return render(
        request,
        "assets/places.html",
        {
            "departments": selectors.departments_all(),
            "locations": selectors.locations_all(),
            "department_form": department_form or DepartmentForm(prefix="department"),
            "location_form": location_form or LocationForm(prefix="location"),
        },
        status=status,
    )


@login_required
@require_GET
def places(request):
    require(request.user, "staff.manage")
    return _places(request)


@login_required
@require_POST
def department_create(request):
    require(request.user, "staff.manage")
    form = DepartmentForm(request.POST, prefix="department")
    if not form.is_valid():
        return _places(request, department_form=form, status=400)
    department = services.department_create(by=request.user, name=form.cleaned_data["name"])
    messages.success(request, _("Department %(name)s is added.") % {"name": department})
    return redirect("assets:places")


@login_required
@require_POST
def location_create(request):
    require(request.user, "assets.manage")
    form = LocationForm(request.POST, prefix="location")
    if not form.is_valid():
        return _places(request, location_form=form, status=400)
    location = services.location_create(by=request.user, **form.cleaned_data)
    messages.success(request, _("Location %(path)s is added.") % {"path": location.path})
    return redirect("assets:places")


# --- CSV import -----------------------------------------------------------------------------------


def _columns():
    return [
        {
            "kind": kind,
            "label": label,
            "columns": [(c.name, c.required, imports.column_help(c), c.example) for c in imports.COLUMNS[kind]],
        }
        for kind, label in imports.ImportKind.choices
    ]


def _import_page(request, form, preview=None, token=None, status=200):
    return render(
        request,
        "assets/import.html",
        {"form": form, "preview": preview, "token": token, "columns": _columns()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    """Upload a file and see what it would do; nothing is written here."""
    require(request.user, "assets.import")
    if request.method != "POST":
        return _import_page(request, ImportUploadForm(initial={"kind": request.GET.get("kind", "employees")}))
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    data = form.cleaned_data["file"].read()
    kind = form.cleaned_data["kind"]
    preview = imports.validate(kind, data)
    try:
        token = imports.stash_upload(user=request.user, data=data) if preview.can_import else None
    except imports.StashFailed as error:
        # 507 Insufficient Storage, as for a ticket's files (tickets.views.FILES_NOT_STORED says why).
        form.add_error("file", error.message)
        return _import_page(request, form, status=507)
    return _import_page(request, ImportUploadForm(initial={"kind": kind}), preview=preview, token=token)


@login_required
@require_POST
def import_confirm(request):
    """Write the stashed file: all rows, or the valid ones when the user chose to skip the rest."""
    require(request.user, "assets.import")
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That import is not known. Upload the file again."))
        return redirect("assets:import")
    kind, token = form.cleaned_data["kind"], form.cleaned_data["token"]
    data = imports.load_upload(user=request.user, token=token)
    if data is None:
        messages.error(request, _("The uploaded file is no longer here. Upload it again."))
        return redirect("assets:import")
    try:
        preview, result = imports.run(kind, data, by=request.user, skip_invalid=form.cleaned_data["skip_invalid"])
    except IntegrityError:
        # Someone changed the same records meanwhile; the transaction rolled back whole.
        messages.error(request, _("Nothing was imported: the records changed meanwhile. Try again."))
        return redirect("assets:import")
    if result is None:
        # The database changed since the preview and the file now has errors: show them again.
        return _import_page(request, ImportUploadForm(initial={"kind": kind}), preview=preview, token=token, status=409)
    imports.discard_upload(user=request.user, token=token)
    messages.success(
        request,
        _("Import done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s rows skipped.")
        % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": preview.error_count,
        },
    )
    return redirect("assets:employee_list" if kind == imports.ImportKind.EMPLOYEES else "assets:device_list")


@login_required
@require_GET
def import_template(request, kind: str):
    """The CSV template: the documented header and an example row."""
    require(request.user, "assets.import")
    if kind not in imports.ImportKind.values:
        raise Http404
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response
