"""What the API shows of each resource, and the shapes of what it accepts.

Reads are plain serializers over objects the selectors fetched (with their relations, so a page of any size
costs the same queries). Writes are validated by the web pages' own forms and carried out by the services:
the request serializers here only describe them in the schema, and refuse fields a role may not set.
"""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Tier
from api.models import ApiToken
from assets.imports.columns import ImportKind
from assets.models import Device, DeviceStatus, DeviceType, Employee, ImportJobStatus
from tickets.models import Category, Channel, Impact, Priority, Project, ResolutionCode, Ticket, TicketStatus, Urgency
from tickets.workflow import ACTIONS


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _user(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.get_full_name() or user.email}


def _employee(employee: Any) -> dict[str, Any] | None:
    return None if employee is None else {"id": employee.pk, "name": employee.full_name}


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the caller's language, with its parent: 'Hardware > Printer'.")


class TicketSerializer(serializers.Serializer):
    """A row of a ticket list."""

    number = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    tier = serializers.ChoiceField(choices=Tier.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.SerializerMethodField()
    requester = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Send it back with a change: a change made meanwhile is a 409.")
    url = serializers.SerializerMethodField()

    @extend_schema_field(CategoryRefSerializer(allow_null=True))
    def get_category(self, ticket: Ticket) -> dict[str, Any] | None:
        return None if ticket.category is None else {"id": ticket.category_id, "name": str(ticket.category)}

    @extend_schema_field(PersonSerializer)
    def get_requester(self, ticket: Ticket) -> dict[str, Any] | None:
        return _employee(ticket.requester)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_assignee(self, ticket: Ticket) -> dict[str, Any] | None:
        return _user(ticket.assignee)

    def get_url(self, ticket: Ticket) -> str:
        return reverse("api:ticket", kwargs={"number": ticket.pk})


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment: Any) -> str:
        return reverse("api:attachment_download", kwargs={"pk": attachment.pk})


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    is_internal = serializers.BooleanField()
    author = serializers.SerializerMethodField()
    sender_email = serializers.SerializerMethodField(help_text="A reply by mail from someone without a login.")
    created_at = serializers.DateTimeField()
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, comment: Any) -> dict[str, Any] | None:
        return _user(comment.author)

    def get_sender_email(self, comment: Any) -> str:
        # Staff see the address a mail came from; requesters the name only, as on the page.
        return comment.sender_email if self.context.get("staff") else ""

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, comment: Any) -> list[dict[str, Any]]:
        files = self.context.get("files", {}).get(comment.pk, [])
        return AttachmentSerializer(files, many=True).data


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    action = serializers.CharField()
    old = serializers.JSONField()
    new = serializers.JSONField()
    note = serializers.CharField()
    actor = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_actor(self, event: Any) -> dict[str, Any] | None:
        return _user(event.actor)


TIMELINE_KINDS = [("event", "event"), ("comment", "comment")]


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TIMELINE_KINDS)
    at = serializers.DateTimeField()
    event = EventSerializer(allow_null=True, required=False)
    comment = CommentSerializer(allow_null=True, required=False)


class DeviceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    asset_tag = serializers.CharField()
    model = serializers.CharField()


class TicketDetailSerializer(TicketSerializer):
    """One ticket, with what the caller may see of its timeline and the actions they may take now."""

    description = serializers.CharField()
    impact = serializers.ChoiceField(choices=Impact.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    device = serializers.SerializerMethodField()
    project = serializers.SerializerMethodField()
    first_response_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    resolution_code = serializers.CharField()
    resolution_notes = serializers.CharField()
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="What the caller may do now: workflow actions, reply, note…"
    )
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, ticket: Ticket) -> list[dict[str, Any]]:
        return getattr(ticket, "timeline", [])  # serialized by the view, which reads it with the caller's rights

    @extend_schema_field(DeviceRefSerializer(allow_null=True))
    def get_device(self, ticket: Ticket) -> dict[str, Any] | None:
        device = ticket.device
        if device is None:
            return None
        return {"id": device.pk, "asset_tag": device.asset_tag, "model": device.model}

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_project(self, ticket: Ticket) -> dict[str, Any] | None:
        if ticket.project is None or not self.context.get("staff"):
            return None
        return {"id": ticket.project_id, "name": ticket.project.name}


class TicketPageSerializer(serializers.Serializer):
    results = TicketSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="The next page's URL; null on the last page.")
    next_cursor = serializers.CharField(allow_null=True)


# --- what the API accepts ----------------------------------------------------------------------


class TicketCreateSerializer(serializers.Serializer):
    """A new ticket. A requester opens one for themselves; staff who log calls name the employee."""

    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.IntegerField(required=False, allow_null=True, help_text="A category's id.")
    device = serializers.IntegerField(required=False, allow_null=True, help_text="A device's id.")
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    requester = serializers.IntegerField(
        required=False, help_text="The employee's id: staff who log calls only. A requester's ticket is their own."
    )


class ActionSerializer(serializers.Serializer):
    """The fields of a workflow action; which it requires is in the action's description."""

    version = serializers.IntegerField(min_value=1, help_text="The ticket's version you last read.")
    note = serializers.CharField(required=False, allow_blank=True)
    assignee = serializers.IntegerField(required=False, help_text="assign: the technician's user id.")
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, required=False)
    resolution_notes = serializers.CharField(required=False, allow_blank=True)
    duplicate_of = serializers.CharField(required=False, allow_blank=True, help_text="cancel: e.g. HD-1042.")
    with_children = serializers.BooleanField(
        required=False, help_text="resolve: also resolve the parent's open child tickets with the same notes."
    )
    into = serializers.CharField(required=False, allow_blank=True, help_text="merge: the ticket kept, e.g. HD-1042.")
    confirmed = serializers.BooleanField(
        required=False, help_text="merge: yes, though the tickets' requesters differ (each reads the other's replies)."
    )


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True)
    is_internal = serializers.BooleanField(required=False, default=False, help_text="An internal note: staff only.")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Files, sent as multipart/form-data."
    )


# --- the other resources -----------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    email = serializers.EmailField()
    name = serializers.SerializerMethodField()
    role = serializers.CharField()
    language = serializers.CharField()
    employee = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField(help_text="The token this call was made with, if any.")

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.email

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_employee(self, user: Any) -> dict[str, Any] | None:
        return _employee(getattr(user, "employee", None))

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_token(self, user: Any) -> dict[str, Any] | None:
        token = self.context.get("token")
        if not isinstance(token, ApiToken):
            return None
        return {"name": token.name, "read_only": token.read_only, "expires_at": token.expires_at}


class EmployeeSerializer(serializers.ModelSerializer):
    department = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()

    class Meta:
        model = Employee
        fields = [
            "id",
            "employee_number",
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "department",
            "location",
            "is_active",
        ]

    def get_department(self, employee: Employee) -> str | None:
        return str(employee.department) if employee.department_id else None

    def get_location(self, employee: Employee) -> str | None:
        return str(employee.location) if employee.location_id else None


class DeviceSerializer(serializers.ModelSerializer):
    device_type = serializers.ChoiceField(choices=DeviceType.choices)
    status = serializers.ChoiceField(choices=DeviceStatus.choices)
    assigned_to = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = [
            "id",
            "asset_tag",
            "serial_number",
            "device_type",
            "manufacturer",
            "model",
            "operating_system",
            "purchase_date",
            "warranty_end",
            "status",
            "assigned_to",
        ]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_assigned_to(self, device: Device) -> dict[str, Any] | None:
        return _employee(device.assigned_to)


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "name", "parent", "default_tier", "is_active"]

    def get_name(self, category: Category) -> str:
        return str(category)


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "description", "status", "starts_on", "ends_on", "created_at"]
        read_only_fields = ["id", "created_at"]


class ActionNameSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in ACTIONS])


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    status = serializers.ChoiceField(choices=ImportJobStatus.choices)
    skip_invalid = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    result = serializers.JSONField(
        help_text="When done: total_rows, valid_rows, created, updated, unchanged, file_errors, row_errors."
    )
    url = serializers.SerializerMethodField()

    def get_url(self, job: Any) -> str:
        return reverse("api:import", kwargs={"pk": job.pk})


class ImportStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(help_text="The CSV file, as on the import page (its templates name the columns).")
    skip_invalid = serializers.BooleanField(
        required=False, default=False, help_text="Import the valid rows of a file with errors."
    )
