"""The staff ticket list's filters, bulk actions and saved filters, and the queue's filters."""

from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier, User
from assets.forms import employee_from_reference
from assets.models import Department, Location
from tickets import selectors
from tickets.forms.fields import categories_offered, choice_field, duplicate_of, model_field
from tickets.forms.triage import technician_label
from tickets.models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Priority,
    Project,
    ReportAs,
    ResolutionCode,
    TicketStatus,
)
from tickets.services import BULK_ACTIONS


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All categories")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "status").choices = [("", _("All open"))] + [
            (value, label) for value, label in TicketStatus.choices if value in OPEN_STATUSES
        ]
        model_field(self, "category").queryset = categories_offered()


# --- the staff ticket list ---------------------------------------------------------------------


SORT_CHOICES = [(key, key) for key in selectors.TICKET_SORTS] + [
    (f"-{key}", f"-{key}") for key in selectors.TICKET_SORTS
]
FILTER_FIELDS = (
    "q",
    "status",
    "priority",
    "tier",
    "category",
    "assignee",
    "requester",
    "department",
    "location",
    "device_model",
    "project",
    "created_from",
    "created_to",
    "due_from",
    "due_to",
    "resolved_from",
    "resolved_to",
    "channel",
    "resolution_code",
    "device",
    "report_as",
    "how_to",
    "escalated",
    "reopened",
    "first_contact",
    "response_met",
    "resolution_met",
    "activity",
    "activity_by",
    "activity_from",
    "activity_to",
    "responded",
    "open_on",
    "days",
    "sort",
)

# What a technician did, as the reports count it (reports.rollups.event_figures): tickets that have such
# an Event.
ACTIVITY_CHOICES = [
    ("escalations_sent", _("Escalations sent")),
    ("escalations_received", _("Escalations received")),
    ("reopened_after", _("Reopened after their resolution")),
    ("time_logged", _("Time logged")),
]
YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
YES = [("", _("Any")), ("yes", _("Yes"))]


class TicketFilterForm(forms.Form):
    """The staff list's filters, from the query string. A value that does not fit is ignored, never a 500:
    `filters()` keeps the valid ones and `ignored()` says which were dropped and why."""

    q = forms.CharField(label=_("Number or subject"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), required=False, coerce=int, empty_value=None, choices=[("", _("Any")), *Priority.choices]
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=[("", _("Any")), *Tier.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("Any")
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    requester = forms.CharField(
        label=_("Requester"), required=False, max_length=120, help_text=_("Employee number or email.")
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("Any")
    )
    location = forms.ModelChoiceField(
        label=_("Requester's location"), queryset=Location.objects.none(), required=False, empty_label=_("Any")
    )
    device_model = forms.CharField(label=_("Device model"), required=False, max_length=120)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("Any")
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    resolved_from = forms.DateField(
        label=_("Resolved from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    resolved_to = forms.DateField(
        label=_("Resolved until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices])
    resolution_code = forms.ChoiceField(
        label=_("Resolution code"), required=False, choices=[("", _("Any")), *ResolutionCode.choices]
    )
    report_as = forms.ChoiceField(
        label=_("Reported as"),
        required=False,
        choices=[
            ("", _("Any")),
            (ReportAs.HARDWARE, _("Hardware fault")),
            (ReportAs.HOW_TO, _("Question of knowing how")),
        ],
    )
    escalated = forms.ChoiceField(label=_("Escalated"), required=False, choices=YES_NO)
    reopened = forms.ChoiceField(label=_("Reopened"), required=False, choices=YES_NO)
    response_met = forms.ChoiceField(label=_("First response in time"), required=False, choices=YES_NO)
    resolution_met = forms.ChoiceField(label=_("Resolved in time"), required=False, choices=YES_NO)
    # The Insight reports' drill-downs: set by their links, shown as a line of their own above the list.
    device = forms.IntegerField(label=_("Device"), required=False, min_value=1, widget=forms.HiddenInput)
    how_to = forms.ChoiceField(
        label=_("Question of knowing how"), required=False, choices=YES, widget=forms.HiddenInput
    )
    first_contact = forms.ChoiceField(
        label=_("Solved at first contact"), required=False, choices=YES, widget=forms.HiddenInput
    )
    activity = forms.ChoiceField(
        label=_("Activity"), required=False, choices=[("", _("Any")), *ACTIVITY_CHOICES], widget=forms.HiddenInput
    )
    activity_by = forms.IntegerField(label=_("Activity of"), required=False, min_value=1, widget=forms.HiddenInput)
    activity_from = forms.DateField(label=_("Activity from"), required=False, widget=forms.HiddenInput)
    activity_to = forms.DateField(label=_("Activity until"), required=False, widget=forms.HiddenInput)
    responded = forms.ChoiceField(
        label=_("First response measured"), required=False, choices=YES, widget=forms.HiddenInput
    )
    # Open at the end of that day, as the reports count the backlog: created by then, not yet resolved or
    # cancelled by then (a resolution since reopened does not count).
    open_on = forms.DateField(label=_("Open at the end of"), required=False, widget=forms.HiddenInput)
    # The reports count the desk's days (settings.TIME_ZONE): their links ask the list to count the same.
    days = forms.ChoiceField(
        label=_("Days of"),
        required=False,
        choices=[("", _("Your time zone")), ("desk", _("The desk's time zone"))],
        widget=forms.HiddenInput,
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "status").choices = [
            ("open", _("All open")),
            ("any", _("Any status")),
            ("solved", _("Resolved or closed")),
            *TicketStatus.choices,
        ]
        # A report of past days names categories since retired and technicians who have left: the list
        # still filters on them (offered beside the others when asked for), so that it counts what the
        # report counted.
        model_field(self, "category").queryset = _categories_offered_and(self._id_asked("category"))
        model_field(self, "department").queryset = Department.objects.order_by("name")
        model_field(self, "location").queryset = Location.objects.order_by("site", "building", "floor", "room")
        model_field(self, "project").queryset = Project.objects.order_by("name")
        technicians = [(str(u.pk), technician_label(u)) for u in selectors.technicians_for_assignment()]
        asked = self._id_asked("assignee")
        if asked is not None and str(asked) not in dict(technicians):
            technicians += [
                (str(u.pk), f"{u.get_full_name() or u.email} · {_('no longer assignable')}")
                for u in User.objects.filter(pk=asked, technician_profile__isnull=False)
            ]
        choice_field(self, "assignee").choices = [("", _("Anyone")), ("none", _("Nobody")), *technicians]

    def _id_asked(self, name: str) -> int | None:
        """The id the query string gives for `name`, if it is one."""
        value = self.data.get(name) if self.is_bound else None
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None

    def clean_requester(self) -> Any:
        text = self.cleaned_data["requester"].strip()
        return employee_from_reference(text) if text else None

    def clean_device_model(self) -> Any:
        return self.cleaned_data["device_model"].strip()

    def filters(self) -> dict:
        """The valid filters; invalid ones fall back to their default."""
        self.is_valid()
        values = {}
        for name in FILTER_FIELDS:
            if name in self.errors:
                continue
            values[name] = self.cleaned_data.get(name)
        status = values.get("status")
        if not self.data.get("status") or status is None:
            values["status"] = "open"
        elif status == "any":
            values["status"] = ""
        values["sort"] = values.get("sort") or selectors.DEFAULT_SORT
        return values

    def drilled(self) -> list[str]:
        """The valid filters that have no control of their own (the reports' links set them), as
        "label: value", so that the list says what it is narrowed by."""
        self.is_valid()
        shown = []
        for name in FILTER_FIELDS:
            field = self.fields[name]
            value = self.cleaned_data.get(name)
            if name == "sort" or name in self.errors or not field.widget.is_hidden or value in (None, ""):
                continue
            if name == "activity_by":
                # The technicians are the assignee's choices, already read.
                choices: dict[Any, Any] = dict(cast(list, choice_field(self, "assignee").choices))
                value = choices.get(str(value), value)
            else:
                value = dict(cast(list, getattr(field, "choices", ()))).get(value, value)
            shown.append(f"{field.label}: {value}")
        return shown

    def ignored(self) -> list[str]:
        self.is_valid()
        return [f"{self.fields[name].label}: {' '.join(map(str, errors))}" for name, errors in self.errors.items()]

    def querystring(self) -> str:
        """The valid filters as a query string, for saved filters and the export link."""
        pairs = []
        for name in FILTER_FIELDS:
            if name in self.errors:
                continue
            value = self.data.get(name, "")
            if value not in ("", None):
                pairs.append((name, value))
        return urlencode(pairs)


def _categories_offered_and(pk: int | None) -> QuerySet[Category]:
    """The categories offered, and the one of id `pk` even when it is no longer active."""
    if pk is None:
        return categories_offered()
    return (
        Category.objects.filter(Q(is_active=True) | Q(pk=pk)).select_related("parent").order_by("parent__name", "name")
    )


class BulkActionForm(forms.Form):
    """Bulk actions on the selected rows of the staff list. Each action needs its own field."""

    tickets = forms.TypedMultipleChoiceField(
        label=_("Tickets"), coerce=int, error_messages={"required": _("Select the tickets to change first.")}
    )
    action = forms.ChoiceField(label=_("Action"))
    assignee = forms.ModelChoiceField(
        label=_("Technician"), queryset=selectors.technicians_for_assignment(), required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "---------"), *Priority.choices],
    )
    priority_reason = forms.CharField(label=_("Why this priority"), required=False, max_length=300)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=[("", "---------"), *Tier.choices]
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("No project")
    )
    duplicate_of = forms.CharField(label=_("Duplicate of"), required=False, max_length=24)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    ACTION_LABELS = {
        "assign": _("Assign to"),
        "set_priority": _("Set priority"),
        "set_category": _("Set category"),
        "set_tier": _("Set tier"),
        "set_project": _("File under project"),
        "cancel_duplicate": _("Cancel as duplicate of"),
    }
    REQUIRED = {
        "assign": "assignee",
        "set_priority": "priority",
        "set_category": "category",
        "set_tier": "tier",
        "cancel_duplicate": "duplicate_of",
    }

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        # On the page beside the filters, which have fields of the same names: ids of its own, so that each
        # label names its own control.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.user = user
        # Which numbers are real and visible is the view's business (selectors); here, any id.
        choice_field(self, "tickets").choices = (
            [(value, value) for value in self.data.getlist("tickets")] if self.data else []  # type: ignore[attr-defined]
        )
        choice_field(self, "action").choices = [(name, self.ACTION_LABELS[name]) for name in BULK_ACTIONS]
        model_field(self, "assignee").queryset = selectors.technicians_for_assignment()
        model_field(self, "category").queryset = categories_offered()
        model_field(self, "project").queryset = Project.objects.order_by("name")

    def clean_duplicate_of(self) -> Any:
        return duplicate_of(self.user, self.cleaned_data["duplicate_of"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = self.REQUIRED.get(data.get("action", ""))
        if needed and data.get(needed) in (None, ""):
            self.add_error(needed, _("This action needs a value here."))
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "assignee": data.get("assignee"),
            "priority": data.get("priority"),
            "priority_reason": data.get("priority_reason", ""),
            "category": data.get("category"),
            "tier": data.get("tier"),
            "project": data.get("project"),
            "duplicate_of": data.get("duplicate_of"),
        }


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name for these filters"), max_length=80)
    querystring = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_querystring(self) -> Any:
        # Keep only the list's own filters: a saved filter is never a way to carry anything else.
        pairs = parse_qsl(self.cleaned_data["querystring"], keep_blank_values=False)
        return urlencode([(key, value) for key, value in pairs if key in FILTER_FIELDS])
