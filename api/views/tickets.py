"""Tickets: the list with the staff list's filters and sorts, opening one, reading one with its timeline,
every workflow action, replies and notes, files."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import can
from api import pagination, serializers
from api.problems import problem
from api.views.base import ApiView, as_bool, as_form_data, form_errors, over_limit, refuse_unknown
from assets.models import Device, Employee
from tickets import attachments, forms, permissions, selectors, services, workflow
from tickets.forms.staff_list import FILTER_FIELDS
from tickets.models import Category, Channel, Impact, Ticket, Urgency
from tickets.selectors import TICKET_SORTS
from tickets.views.action_table import ACTIONS
from tickets.views.common import too_many_replies, too_many_tickets

SORTS = [*TICKET_SORTS, *(f"-{name}" for name in TICKET_SORTS)]
FILTER_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, required=False, description="As the staff ticket list's filter.")
    for name in FILTER_FIELDS
    if name != "sort"
]
LIST_PARAMETERS = [
    *FILTER_PARAMETERS,
    OpenApiParameter("sort", OpenApiTypes.STR, enum=SORTS, description="Default -created (newest first)."),
    OpenApiParameter("cursor", OpenApiTypes.STR, description="The next_cursor of the page before."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 100; 50 by default."),
]
NUMBER = OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH, description="1042 or HD-1042.")


def _is_staff(user: Any) -> bool:
    return can(user, "tickets.work")


# --- the list, and opening a ticket --------------------------------------------------------------


class TicketListView(ApiView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tickets_list",
        parameters=LIST_PARAMETERS,
        responses={200: serializers.TicketPageSerializer},
        description=(
            "The tickets the caller may see: every ticket for staff, their own for a requester. Filters as the "
            "staff ticket list (status defaults to open; status=any for every status). Cursor pages: follow `next`."
        ),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        refuse_unknown(params, {*FILTER_FIELDS, "cursor", "page_size"})
        filter_form = forms.TicketFilterForm(params)
        if not filter_form.is_valid():
            raise form_errors(filter_form)
        filters = filter_form.filters()
        sort = params.get("sort") or selectors.DEFAULT_SORT
        size = pagination.page_size_from(params.get("page_size"))
        qs = selectors.tickets_filtered(request.user, filters, sort=sort)
        rows = pagination.page_rows(qs, sort, params.get("cursor", ""), size)
        page, more = rows[:size], len(rows) > size
        next_cursor = pagination.cursor_for(page[-1], sort) if more else None
        next_url = None
        if next_cursor:
            query = params.copy()
            query["cursor"] = next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(
            {
                "results": serializers.TicketSerializer(page, many=True).data,
                "next": next_url,
                "next_cursor": next_cursor,
            }
        )

    @extend_schema(
        operation_id="tickets_create",
        request=serializers.TicketCreateSerializer,
        responses={201: serializers.TicketDetailSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The same key again returns the ticket it made instead of opening a second one.",
            )
        ],
        description=(
            "Open a ticket. A requester opens one for themselves (requester may not be sent); staff who log "
            "calls name the employee. The priority follows from impact and urgency."
        ),
    )
    def post(self, request: Request) -> Response:
        user = request.user
        staff = can(user, "tickets.log_call")
        allowed = {"subject", "description", "category", "device", "impact", "urgency"}
        if staff:
            allowed.add("requester")
        elif "requester" in request.data:
            raise exceptions.ValidationError({"requester": [_("Your role opens tickets for yourself only.")]})
        refuse_unknown(request.data, allowed)
        if not staff and not can(user, "tickets.submit"):
            raise exceptions.PermissionDenied(_("Your role may not open tickets."))
        incoming = serializers.TicketCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        requester = _requester(user, data.get("requester"), staff)
        # As the report form counts them (a coordinator's logged calls are not limited there either).
        if not staff and over_limit(request, "ticket_create"):
            return problem(status.HTTP_429_TOO_MANY_REQUESTS, too_many_tickets())
        key = request.headers.get("Idempotency-Key", "")[:64]
        ticket = services.ticket_create(
            by=user,
            requester=requester,
            subject=data["subject"],
            description=data.get("description", ""),
            category=_category(data.get("category")),
            device=_device(user, requester, data.get("device"), staff),
            impact=data.get("impact", Impact.LOW),
            urgency=data.get("urgency", Urgency.MEDIUM),
            channel=Channel.API,
            files=request.FILES.getlist("attachments"),
            submission_key=f"api:{key}" if key else "",
        )
        ticket = permissions.get_ticket_for(user, ticket.pk)
        response = Response(_detail(request, ticket), status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:ticket", kwargs={"number": ticket.pk})
        return response


def _requester(user: User, employee_id: int | None, staff: bool) -> Employee:
    if not staff:
        employee = getattr(user, "employee", None)
        if employee is None:
            raise exceptions.ValidationError(
                {"requester": [_("Your login is not linked to an employee record: ask the help desk.")]}
            )
        return employee
    if employee_id is None:
        raise exceptions.ValidationError({"requester": [_("Name the employee the ticket is for (their id).")]})
    employee = Employee.objects.filter(pk=employee_id, is_active=True).first()
    if employee is None:
        raise exceptions.ValidationError({"requester": [_("No active employee has this id.")]})
    return employee


def _category(pk: int | None) -> Category | None:
    if pk is None:
        return None
    category = forms.categories_offered().filter(pk=pk).first()
    if category is None:
        raise exceptions.ValidationError({"category": [_("No category offered has this id.")]})
    return category


def _device(user: User, requester: Employee, pk: int | None, staff: bool) -> Device | None:
    if pk is None:
        return None
    devices = Device.objects.all() if staff else selectors.devices_of_employee(requester)
    device = devices.filter(pk=pk).first()
    if device is None:
        raise exceptions.ValidationError({"device": [_("No device of yours has this id.")]})
    return device


# --- one ticket --------------------------------------------------------------------------------


def _detail(request: Request, ticket: Ticket) -> dict[str, Any]:
    user = request.user
    include_internal = permissions.can(user, "view_internal", ticket)
    entries, _earlier = selectors.ticket_timeline(ticket, include_internal=include_internal)
    files = {entry["item"].pk: entry["files"] for entry in entries if entry["kind"] == "comment"}
    context = {"staff": _is_staff(user), "files": files}
    timeline = [
        {
            "kind": entry["kind"],
            "at": entry["at"],
            "event": serializers.EventSerializer(entry["item"]).data if entry["kind"] == "event" else None,
            "comment": serializers.CommentSerializer(entry["item"], context=context).data
            if entry["kind"] == "comment"
            else None,
        }
        for entry in entries
    ]
    ticket.actions = sorted(permissions.actions_for(user, ticket))  # type: ignore[attr-defined]
    ticket.timeline = timeline  # type: ignore[attr-defined]
    return serializers.TicketDetailSerializer(ticket, context=context).data


class TicketView(ApiView):
    @extend_schema(operation_id="tickets_retrieve", parameters=[NUMBER], responses=serializers.TicketDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        ticket = permissions.get_ticket_for(request.user, number)
        return Response(_detail(request, ticket))


TIER_MOVES: dict[str, Callable[..., Ticket]] = {
    "escalate": services.ticket_escalate,
    "de_escalate": services.ticket_de_escalate,
}
ACTION_FIELDS: dict[str, set[str]] = {
    **{name: set(action.form.base_fields) for name, action in ACTIONS.items()},
    "escalate": {"version", "note", "assignee", "priority"},
    "de_escalate": {"version", "note", "assignee"},
    # Merged into the ticket numbered `into` (tickets.services.ticket_merge); `confirmed` when its requester
    # is another's, whose public replies each then reads.
    "merge": {"version", "into", "confirmed"},
}
ACTION_DESCRIPTION = (
    "Take a workflow action, with the version of the ticket you last read. Fields by action: "
    + "; ".join(f"{name}: {', '.join(sorted(fields))}" for name, fields in ACTION_FIELDS.items())
)


class TicketActionView(ApiView):
    @extend_schema(
        operation_id="tickets_action",
        parameters=[
            NUMBER,
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ACTION_FIELDS)),
        ],
        request=serializers.ActionSerializer,
        responses={200: serializers.TicketDetailSerializer},
        description=ACTION_DESCRIPTION,
    )
    def post(self, request: Request, number: str, action: str) -> Response:
        ticket = permissions.get_ticket_for(request.user, number)
        if action not in ACTION_FIELDS:
            raise Http404
        data = as_form_data(request.data)
        refuse_unknown(data, ACTION_FIELDS[action], reason=_("This action does not take this field."))
        version = _version(data)
        if version != ticket.version:
            raise services.StaleTicket(ticket)
        workflow.check(ticket, action, request.user)
        if action in TIER_MOVES:
            ticket = _tier_move(request.user, ticket, action, data, version)
        elif action == "merge":
            _merge(request.user, ticket, data, version)
        else:
            entry = ACTIONS[action]
            kwargs = {"user": request.user} if entry.form_takes_user else {}
            form = entry.form(data, **kwargs)
            if not form.is_valid():
                raise form_errors(form)
            entry.run(ticket, request.user, form.cleaned_data)
        return Response(_detail(request, permissions.get_ticket_for(request.user, ticket.pk)))


def _version(data: Any) -> int:
    value = data.get("version")
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise exceptions.ValidationError(
            {"version": [_("Send the version of the ticket you last read (its `version`).")]}
        ) from None
    if version < 1:
        raise exceptions.ValidationError(
            {"version": [_("Send the version of the ticket you last read (its `version`).")]}
        )
    return version


def _tier_move(user: User, ticket: Ticket, action: str, data: Any, version: int) -> Ticket:
    note = str(data.get("note") or "").strip()
    if not note:
        raise exceptions.ValidationError({"note": [_("Say why.")]})
    to = None
    if data.get("assignee") not in (None, ""):
        to = User.objects.filter(pk=_number(data, "assignee"), is_active=True).first()
        if to is None:
            raise exceptions.ValidationError({"assignee": [_("No active technician has this id.")]})
    options = {}
    if action == "escalate" and data.get("priority") not in (None, ""):
        options["priority"] = _number(data, "priority")
    return TIER_MOVES[action](ticket=ticket, by=user, note=note, to=to, expected_version=version, **options)


def _merge(user: User, ticket: Ticket, data: Any, version: int) -> None:
    into = permissions.ticket_number_from(data.get("into") or "")
    kept = permissions.tickets_visible_to(user).filter(pk=into).first() if into is not None else None
    if kept is None:
        raise exceptions.ValidationError({"into": [_("No ticket you can see has this number.")]})
    services.ticket_merge(
        ticket=ticket, into=kept, by=user, confirmed=as_bool(data.get("confirmed")), expected_version=version
    )


def _number(data: Any, name: str) -> int:
    try:
        return int(data.get(name))
    except (TypeError, ValueError):
        raise exceptions.ValidationError({name: [_("Give a whole number.")]}) from None


# --- the conversation and files ----------------------------------------------------------------


class CommentListView(ApiView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tickets_comments_list",
        parameters=[NUMBER],
        responses=serializers.CommentSerializer(many=True),
        description="Replies, and internal notes for staff, oldest first.",
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = permissions.get_ticket_for(request.user, number)
        comments = list(
            permissions.comments_visible_to(request.user)
            .filter(ticket=ticket)
            .select_related("author")
            .order_by("created_at", "pk")
        )
        files: dict[int | None, list] = {}
        for attachment in _files(request, ticket):
            files.setdefault(attachment.comment_id, []).append(attachment)
        context = {"staff": _is_staff(request.user), "files": files}
        return Response(serializers.CommentSerializer(comments, many=True, context=context).data)

    @extend_schema(
        operation_id="tickets_comments_create",
        parameters=[NUMBER],
        request={
            "application/json": serializers.CommentCreateSerializer,
            "multipart/form-data": serializers.CommentCreateSerializer,
        },
        responses={201: serializers.CommentSerializer},
        description="A public reply, or an internal note (is_internal, staff only), with files as multipart.",
    )
    def post(self, request: Request, number: str) -> Response:
        ticket = permissions.get_ticket_for(request.user, number)
        return _comment(request, ticket)


def _comment(request: Request, ticket: Ticket, *, files_only: bool = False) -> Response:
    data = as_form_data(request.data)
    refuse_unknown(data, {"is_internal", "attachments"} if files_only else {"body", "is_internal", "attachments"})
    is_internal = as_bool(data.get("is_internal", ""))
    if not permissions.can_act(request.user, "note" if is_internal else "reply", ticket):
        raise exceptions.PermissionDenied(
            _("Only staff leave internal notes.") if is_internal else _("This ticket takes no replies from you now.")
        )
    form = forms.CommentForm({"body": "" if files_only else data.get("body", "")}, request.FILES)
    if not form.is_valid():
        raise form_errors(form)
    if files_only and not form.cleaned_data["attachments"]:
        raise exceptions.ValidationError({"attachments": [_("Add a file.")]})
    if over_limit(request, "comment_add"):
        return problem(status.HTTP_429_TOO_MANY_REQUESTS, too_many_replies())
    comment = services.comment_add(
        ticket=ticket,
        by=request.user,
        body=form.cleaned_data["body"],
        is_internal=is_internal,
        files=form.cleaned_data["attachments"],
    )
    files = {comment.pk: list(comment.attachments.all())} if hasattr(comment, "attachments") else {}
    context = {"staff": _is_staff(request.user), "files": files}
    return Response(serializers.CommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED)


def _files(request: Request, ticket: Ticket) -> list:
    return list(permissions.attachments_visible_on(request.user, ticket).order_by("created_at", "pk"))


class AttachmentListView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tickets_attachments_list",
        parameters=[NUMBER],
        responses=serializers.AttachmentSerializer(many=True),
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = permissions.get_ticket_for(request.user, number)
        return Response(serializers.AttachmentSerializer(_files(request, ticket), many=True).data)

    @extend_schema(
        operation_id="tickets_attachments_create",
        parameters=[NUMBER],
        request={"multipart/form-data": serializers.CommentCreateSerializer},
        responses={201: serializers.CommentSerializer},
        description="Files, through the same type and size checks as the page: a reply (or note) with no text.",
    )
    def post(self, request: Request, number: str) -> Response:
        ticket = permissions.get_ticket_for(request.user, number)
        return _comment(request, ticket, files_only=True)


class AttachmentDownloadView(ApiView):
    @extend_schema(
        operation_id="attachments_download",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return attachments.download_response(permissions.get_attachment_for(request.user, pk))
