"""The caller, employees, devices, categories and projects."""

from typing import Any

from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, status
from rest_framework import serializers as drf
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import can
from api import serializers
from api.problems import problem
from api.views.base import ApiView, as_bool, as_form_data, form_errors, refuse_unknown, require, with_model_defaults
from assets import permissions as asset_permissions
from assets import selectors as asset_selectors
from assets import services as asset_services
from assets.forms import DeviceForm, EmployeeForm, ImportUploadForm
from assets.imports import jobs, stash
from assets.models import Device, Employee, ImportJob
from tickets import forms as ticket_forms
from tickets import services as ticket_services
from tickets.forms import ProjectForm
from tickets.models import Project

PAGE_SIZE = 100
AFTER = OpenApiParameter("after", OpenApiTypes.INT, description="The last id of the page before.")
SEARCH = OpenApiParameter("q", OpenApiTypes.STR, description="Words of a name, an email, a number or a tag.")


def _page(request: Request, qs: QuerySet, serializer: Any) -> Response:
    """Pages by id: `after` is the last id of the page before; `next` is null on the last page."""
    after = request.query_params.get("after")
    if after not in (None, ""):
        try:
            qs = qs.filter(pk__gt=int(after))
        except ValueError:
            raise exceptions.ValidationError(
                {"after": [_("Give the id of the last row of the page before.")]}
            ) from None
    rows = list(qs.order_by("pk")[: PAGE_SIZE + 1])
    page = rows[:PAGE_SIZE]
    next_url = None
    if len(rows) > PAGE_SIZE:
        query = request.query_params.copy()
        query["after"] = str(page[-1].pk)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return Response({"results": serializer(page, many=True).data, "next": next_url})


def _page_schema(name: str, serializer: Any) -> Any:
    return inline_serializer(
        name=name, fields={"results": serializer(many=True), "next": drf.CharField(allow_null=True)}
    )


class NotFoundView(ApiView):
    """No such address in the API. Answers before any authentication: nothing is there to protect."""

    authentication_classes: list = []
    permission_classes: list = []
    schema = None  # not an operation of the schema

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound(_("Not found."))


class MeView(ApiView):
    @extend_schema(operation_id="me", responses=serializers.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(serializers.MeSerializer(request.user, context={"token": request.auth}).data)


# --- employees ---------------------------------------------------------------------------------


def _employees(request: Request) -> QuerySet[Employee]:
    qs = Employee.objects.select_related("department", "location")
    if not asset_permissions.can_see_all_staff(request.user):
        # A requester sees their own record, and nobody else's.
        return qs.filter(user=request.user) if asset_permissions.can(request.user, "assets.view_own") else qs.none()
    return qs


def _saved_employee(request: Request, instance: Employee | None) -> Employee:
    require(request, "staff.manage")
    fields = set(EmployeeForm.Meta.fields)
    data = as_form_data(request.data)
    refuse_unknown(data, fields)
    if instance is not None:
        current = model_to_dict(instance, fields=EmployeeForm.Meta.fields)
        current["manager"] = instance.manager.employee_number if instance.manager is not None else ""
        data = {**{k: ("" if v is None else v) for k, v in current.items()}, **dict(data.items())}
    else:
        data = with_model_defaults(EmployeeForm, data)
    form = EmployeeForm(data, instance=instance)
    if not form.is_valid():
        raise form_errors(form)
    values = {name: form.cleaned_data[name] for name in EmployeeForm.Meta.fields}
    try:
        if instance is None:
            return asset_services.employee_create(by=request.user, **values)
        return asset_services.employee_update(employee=instance, by=request.user, **values)
    except asset_services.AssetError as error:
        raise exceptions.ValidationError({"non_field_errors": [str(error)]}) from None


EMPLOYEE_WRITE = inline_serializer(
    name="EmployeeWrite",
    fields={
        "first_name": drf.CharField(),
        "last_name": drf.CharField(),
        "email": drf.EmailField(),
        "employee_number": drf.CharField(),
        "phone": drf.CharField(required=False),
        "job_title": drf.CharField(required=False),
        "department": drf.IntegerField(required=False, allow_null=True),
        "location": drf.IntegerField(required=False, allow_null=True),
        "manager": drf.CharField(required=False, help_text="The manager's employee number or email."),
        "is_active": drf.BooleanField(required=False),
        "user": drf.IntegerField(required=False, allow_null=True, help_text="A login to link."),
    },
)


class EmployeeListView(ApiView):
    @extend_schema(
        operation_id="employees_list",
        parameters=[SEARCH, AFTER],
        responses=_page_schema("EmployeePage", serializers.EmployeeSerializer),
        description="Every employee for staff; a requester's own record only.",
    )
    def get(self, request: Request) -> Response:
        refuse_unknown(request.query_params, {"q", "after"})
        qs = asset_selectors.employees_matching(_employees(request), request.query_params.get("q", "")[:200])
        return _page(request, qs, serializers.EmployeeSerializer)

    @extend_schema(
        operation_id="employees_create", request=EMPLOYEE_WRITE, responses={201: serializers.EmployeeSerializer}
    )
    def post(self, request: Request) -> Response:
        employee = _saved_employee(request, None)
        return Response(serializers.EmployeeSerializer(_employees(request).get(pk=employee.pk)).data, status=201)


class EmployeeView(ApiView):
    @extend_schema(operation_id="employees_retrieve", responses=serializers.EmployeeSerializer)
    def get(self, request: Request, pk: int) -> Response:
        employee = _employees(request).filter(pk=pk).first()
        if employee is None:
            raise exceptions.NotFound(_("Not found."))
        return Response(serializers.EmployeeSerializer(employee).data)

    @extend_schema(operation_id="employees_update", request=EMPLOYEE_WRITE, responses=serializers.EmployeeSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        employee = _employees(request).filter(pk=pk).first()
        if employee is None:
            raise exceptions.NotFound(_("Not found."))
        employee = _saved_employee(request, employee)
        return Response(serializers.EmployeeSerializer(_employees(request).get(pk=employee.pk)).data)


# --- devices -----------------------------------------------------------------------------------


def _devices(request: Request) -> QuerySet[Device]:
    qs = Device.objects.select_related("assigned_to")
    if not asset_permissions.can_see_all_devices(request.user):
        return (
            qs.filter(assigned_to__user=request.user)
            if asset_permissions.can(request.user, "assets.view_own")
            else qs.none()
        )
    return qs


def _saved_device(request: Request, instance: Device | None) -> Device:
    require(request, "assets.manage" if instance is None else "assets.update_device")
    fields = set(DeviceForm.Meta.fields) | ({"assigned_to"} if instance is None else set())
    data = as_form_data(request.data)
    refuse_unknown(data, fields)
    if instance is not None:
        current = model_to_dict(instance, fields=DeviceForm.Meta.fields)
        data = {**{k: ("" if v is None else v) for k, v in current.items()}, **dict(data.items())}
    else:
        data = with_model_defaults(DeviceForm, data)
    form = DeviceForm(data, instance=instance, can_manage=can(request.user, "assets.manage"))
    if not form.is_valid():
        raise form_errors(form)
    try:
        if instance is None:
            return asset_services.device_create(by=request.user, **form.cleaned_data)
        values = {name: form.cleaned_data[name] for name in DeviceForm.Meta.fields}
        return asset_services.device_update(device=instance, by=request.user, **values)
    except asset_services.AssetError as error:
        raise exceptions.ValidationError({"non_field_errors": [str(error)]}) from None


DEVICE_WRITE = inline_serializer(
    name="DeviceWrite",
    fields={
        "asset_tag": drf.CharField(),
        "serial_number": drf.CharField(required=False),
        "device_type": drf.CharField(required=False),
        "manufacturer": drf.CharField(required=False),
        "model": drf.CharField(required=False),
        "operating_system": drf.CharField(required=False),
        "purchase_date": drf.DateField(required=False, allow_null=True),
        "warranty_end": drf.DateField(required=False, allow_null=True),
        "status": drf.CharField(required=False),
        "location": drf.IntegerField(required=False, allow_null=True),
        "notes": drf.CharField(required=False),
        "assigned_to": drf.CharField(required=False, help_text="On create: the employee number or email."),
    },
)


class DeviceListView(ApiView):
    @extend_schema(
        operation_id="devices_list",
        parameters=[SEARCH, AFTER],
        responses=_page_schema("DevicePage", serializers.DeviceSerializer),
        description="Every device for staff; a requester's own devices only.",
    )
    def get(self, request: Request) -> Response:
        refuse_unknown(request.query_params, {"q", "after"})
        qs = asset_selectors.devices_matching(_devices(request), request.query_params.get("q", "")[:200])
        return _page(request, qs, serializers.DeviceSerializer)

    @extend_schema(operation_id="devices_create", request=DEVICE_WRITE, responses={201: serializers.DeviceSerializer})
    def post(self, request: Request) -> Response:
        device = _saved_device(request, None)
        return Response(serializers.DeviceSerializer(_devices(request).get(pk=device.pk)).data, status=201)


class DeviceView(ApiView):
    @extend_schema(operation_id="devices_retrieve", responses=serializers.DeviceSerializer)
    def get(self, request: Request, pk: int) -> Response:
        device = _devices(request).filter(pk=pk).first()
        if device is None:
            raise exceptions.NotFound(_("Not found."))
        return Response(serializers.DeviceSerializer(device).data)

    @extend_schema(operation_id="devices_update", request=DEVICE_WRITE, responses=serializers.DeviceSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        device = _devices(request).filter(pk=pk).first()
        if device is None:
            raise exceptions.NotFound(_("Not found."))
        device = _saved_device(request, device)
        return Response(serializers.DeviceSerializer(_devices(request).get(pk=device.pk)).data)


# --- categories and projects -------------------------------------------------------------------


class CategoryListView(ApiView):
    @extend_schema(
        operation_id="categories_list",
        responses=serializers.CategorySerializer(many=True),
        description="The categories a ticket may be filed under, names in the caller's language.",
    )
    def get(self, request: Request) -> Response:
        categories = ticket_forms.categories_offered().select_related("parent")
        return Response(serializers.CategorySerializer(categories, many=True).data)


PROJECT_WRITE = inline_serializer(
    name="ProjectWrite",
    fields={
        "name": drf.CharField(),
        "description": drf.CharField(required=False),
        "project_manager": drf.CharField(help_text="The project manager's employee number or email."),
        "facilities_contact": drf.CharField(required=False, help_text="An employee number or email."),
        "location": drf.IntegerField(required=False, allow_null=True),
        "status": drf.CharField(required=False),
        "starts_on": drf.DateField(required=False, allow_null=True),
        "ends_on": drf.DateField(required=False, allow_null=True),
    },
)


class ProjectListView(ApiView):
    @extend_schema(operation_id="projects_list", responses=serializers.ProjectSerializer(many=True))
    def get(self, request: Request) -> Response:
        require(request, "projects.view")
        projects = Project.objects.order_by("-created_at", "-pk")  # the counts of projects_for_list are not shown
        return Response(serializers.ProjectSerializer(projects, many=True).data)

    @extend_schema(
        operation_id="projects_create", request=PROJECT_WRITE, responses={201: serializers.ProjectSerializer}
    )
    def post(self, request: Request) -> Response:
        require(request, "projects.manage")
        data = as_form_data(request.data)
        refuse_unknown(data, set(ProjectForm.Meta.fields))
        form = ProjectForm(with_model_defaults(ProjectForm, data))
        if not form.is_valid():
            raise form_errors(form)
        project = ticket_services.project_create(by=request.user, **form.cleaned_data)
        return Response(serializers.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectView(ApiView):
    @extend_schema(operation_id="projects_retrieve", responses=serializers.ProjectSerializer)
    def get(self, request: Request, pk: int) -> Response:
        require(request, "projects.view")
        project = Project.objects.filter(pk=pk).first()
        if project is None:
            raise exceptions.NotFound(_("Not found."))
        return Response(serializers.ProjectSerializer(project).data)


# --- CSV imports as jobs -------------------------------------------------------------------------


class ImportListView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_create",
        request={"multipart/form-data": serializers.ImportStartSerializer},
        responses={202: serializers.ImportJobSerializer},
        description=(
            "Import staff or devices from a CSV file in the background, with the checks of the import page. "
            "Answers at once with the job; follow its url until its status is done or failed."
        ),
    )
    def post(self, request: Request) -> Response:
        require(request, "assets.import")
        refuse_unknown(request.data, {"kind", "file", "skip_invalid"})
        data = as_form_data(request.data)
        form = ImportUploadForm(data, request.FILES)
        if not form.is_valid():
            raise form_errors(form)
        try:
            job = jobs.import_job_start(
                by=request.user,
                kind=form.cleaned_data["kind"],
                data=form.cleaned_data["file"].read(),
                skip_invalid=as_bool(data.get("skip_invalid", "")),
            )
        except stash.StashFailed as error:
            return problem(status.HTTP_507_INSUFFICIENT_STORAGE, str(error.message))
        response = Response(serializers.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api:import", kwargs={"pk": job.pk})
        return response


class ImportView(ApiView):
    @extend_schema(operation_id="imports_retrieve", responses=serializers.ImportJobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        require(request, "assets.import")
        job = ImportJob.objects.filter(pk=pk, created_by=request.user).first()
        if job is None:
            raise exceptions.NotFound(_("Not found."))
        return Response(serializers.ImportJobSerializer(job).data)
