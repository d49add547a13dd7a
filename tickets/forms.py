"""Validation and normalisation for the ticket pages. No side effects: views hand clean data to services."""

import copy
import secrets
from pathlib import Path
from typing import cast

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier, User
from accounts.permissions import can
from assets.forms import EmployeeLookupField, employee_from_reference
from assets.models import Department, Device, Employee, Location
from tickets import selectors
from tickets.models import (
    OPEN_STATUSES,
    AutoAssign,
    Category,
    Impact,
    Priority,
    Project,
    ProjectStatus,
    ResolutionCode,
    Ticket,
    TicketStatus,
    Urgency,
)
from tickets.services import BULK_ACTIONS, PROJECT_FIELDS

# --- attachments -------------------------------------------------------------------------------

MAX_FILES = 5


def max_attachment_bytes() -> int:
    return getattr(settings, "TICKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def _starts_with(*signatures: bytes):
    return lambda head: any(head.startswith(signature) for signature in signatures)


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head


_ZIP = _starts_with(b"PK\x03\x04")
# The allow-list: extension -> what the first bytes of such a file look like. A renamed executable fails.
ALLOWED_TYPES = {
    ".png": _starts_with(b"\x89PNG\r\n\x1a\n"),
    ".jpg": _starts_with(b"\xff\xd8\xff"),
    ".jpeg": _starts_with(b"\xff\xd8\xff"),
    ".gif": _starts_with(b"GIF87a", b"GIF89a"),
    ".webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    ".pdf": _starts_with(b"%PDF-"),
    ".txt": _is_text,
    ".log": _is_text,
    ".csv": _is_text,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".zip": _ZIP,
}


def validate_upload(upload) -> None:
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise forms.ValidationError(
            _("%(name)s: this kind of file cannot be attached. Allowed: %(types)s."),
            params={"name": upload.name, "types": ", ".join(sorted(ALLOWED_TYPES))},
            code="file_type",
        )
    if upload.size > max_attachment_bytes():
        raise forms.ValidationError(
            _("%(name)s is too large: files may be up to %(limit)s."),
            params={"name": upload.name, "limit": filesizeformat(max_attachment_bytes())},
            code="file_size",
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if not ALLOWED_TYPES[extension](head):
        raise forms.ValidationError(
            _("%(name)s does not look like a %(type)s file."),
            params={"name": upload.name, "type": extension.lstrip(".").upper()},
            code="file_content",
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked against the size limit and the allow-list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED_TYPES))}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(upload, initial) for upload in files if upload]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)s files at a time."), params={"count": MAX_FILES})
        errors = []
        for upload in files:
            try:
                validate_upload(upload)
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return files


def _attachments_field():
    return MultipleFileField(
        label=_("Files"),
        help_text=_("Screenshots, photos, logs or documents, up to %(limit)s each.")
        % {"limit": filesizeformat(max_attachment_bytes())},
    )


def _categories():
    return Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name")


def _category_field(required=False):
    return forms.ModelChoiceField(
        label=_("What is it about?"), queryset=_categories(), required=required, empty_label=_("I don't know")
    )


def _device_by_tag(tag: str) -> Device:
    try:
        return Device.objects.get(asset_tag__iexact=tag.strip())
    except Device.DoesNotExist:
        raise forms.ValidationError(
            _("No device has the asset tag %(tag)s. Check the sticker, or leave it empty."), params={"tag": tag}
        ) from None


class SubmissionKeyField(forms.CharField):
    """A hidden one-time key, new on every empty form and carried back with the post: the same form posted
    twice (a double click, a resent request) makes one ticket (tickets.services.ticket_create)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            max_length=64,
            validators=[RegexValidator(r"^[A-Za-z0-9_-]*$")],
            initial=lambda: secrets.token_urlsafe(16),
            **kwargs,
        )


# --- requesters --------------------------------------------------------------------------------


class TicketSubmitForm(forms.Form):
    """What a requester may set on a new ticket: nothing else posted is ever read."""

    subject = forms.CharField(label=_("In a few words, what is wrong?"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, any error message, what you tried."),
    )
    category = _category_field()
    device = forms.ModelChoiceField(
        label=_("Which device?"), queryset=Device.objects.none(), required=False, empty_label=_("None, or not listed")
    )
    other_asset_tag = forms.CharField(
        label=_("Another device: its asset tag"),
        required=False,
        max_length=40,
        help_text=_("The number on the sticker, for a device that is not yours (a shared printer, say)."),
    )
    impact = forms.TypedChoiceField(
        label=_("Who is affected?"), choices=Impact.choices, coerce=int, widget=forms.RadioSelect, initial=Impact.LOW
    )
    urgency = forms.TypedChoiceField(
        label=_("How much does it stop your work?"),
        choices=Urgency.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=Urgency.MEDIUM,
    )
    attachments = None  # set in __init__ so the help text follows the configured limit
    submission = SubmissionKeyField()

    def __init__(self, *args, employee: Employee | None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = _categories()
        cast(forms.ModelChoiceField, self.fields["device"]).queryset = selectors.devices_of_employee(employee)
        self.fields["attachments"] = _attachments_field()

    def clean(self):
        data = super().clean()
        tag = data.get("other_asset_tag", "").strip()
        data["reported_asset_tag"] = tag
        if tag:
            # Linked for the staff when the inventory knows it; the requester is answered alike for an unknown
            # tag and for someone else's device, and is only ever shown the tag they typed.
            data["device"] = Device.objects.filter(asset_tag__iexact=tag).first()
        return data


# --- coordinators: a phone call ----------------------------------------------------------------


class LogCallForm(forms.Form):
    requester = forms.CharField(
        label=_("Caller"),
        max_length=120,
        help_text=_("Employee number, email or name."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autofocus": True,
                # htmx: who matches, shown as the coordinator types.
                "hx-get": reverse_lazy("tickets:caller_search"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#caller-matches",
            }
        ),
    )
    asset_tag = forms.CharField(label=_("Asset tag"), required=False, max_length=40)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = _category_field()
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int, initial=Impact.LOW)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM)
    minutes = forms.IntegerField(label=_("Minutes on the call"), required=False, min_value=0, max_value=24 * 60)
    resolve_now = forms.BooleanField(label=_("Fixed during the call: resolve it now"), required=False)
    resolution_code = forms.ChoiceField(
        label=_("Resolution code"), choices=[("", "---------"), *ResolutionCode.choices], required=False
    )
    resolution_notes = forms.CharField(
        label=_("How it was fixed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    submission = SubmissionKeyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()

    def clean_requester(self):
        text = self.cleaned_data["requester"]
        matches = selectors.employees_matching(text)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(_("No employee matches %(text)s."), params={"text": text})
        names = "; ".join(f"{e.full_name} ({e.employee_number})" for e in matches)
        raise forms.ValidationError(
            _("Several employees match: %(names)s. Type the employee number."), params={"names": names}
        )

    def clean_asset_tag(self):
        tag = self.cleaned_data["asset_tag"].strip()
        return _device_by_tag(tag) if tag else None

    def clean(self):
        data = super().clean()
        if data.get("resolve_now"):
            if not data.get("resolution_code"):
                self.add_error("resolution_code", _("Choose a resolution code."))
            if not data.get("resolution_notes", "").strip():
                self.add_error("resolution_notes", _("Say how it was fixed."))
        return data


# --- actions on a ticket -----------------------------------------------------------------------


class VersionForm(forms.Form):
    """Every change carries the version of the ticket its page showed (the optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OptionalNoteForm(VersionForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(VersionForm):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(VersionForm):
    assignee = forms.ModelChoiceField(label=_("Technician"), queryset=selectors.technicians_for_assignment())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.technicians_for_assignment()
        self.fields["assignee"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.email} · {user.technician_profile.get_tier_display()}"
        )


class TierMoveForm(VersionForm):
    """Escalate a ticket one tier up, or send it one tier down: why, to whom, and (up, coordinators only)
    a higher priority. The people offered are the ranked suggestions restricted to the new tier."""

    note = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))
    to = forms.TypedChoiceField(label=_("To"), coerce=int, required=False, empty_value=None)
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, required=False, empty_value=None, help_text=_("Escalating may raise it.")
    )

    def __init__(self, *args, ticket: Ticket, user, step: int, suggestions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_tier = ticket.tier + step
        self.suggestions = [s for s in suggestions if s.tier == self.target_tier]
        self.people = {s.technician.pk: s.technician for s in self.suggestions}
        triage = _("Back to triage, at tier %(tier)s") % {"tier": self.target_tier}
        cast(forms.ChoiceField, self.fields["to"]).choices = [("", triage), *((pk, str(pk)) for pk in self.people)]
        if step > 0 and can(user, "tickets.triage") and ticket.priority > min(Priority.values):
            self.fields["priority"].widget.attrs["class"] = "form-select"
            keep = _("Keep %(priority)s") % {"priority": ticket.priority_label}
            cast(forms.ChoiceField, self.fields["priority"]).choices = [("", keep)] + [
                (value, label) for value, label in Priority.choices if value < ticket.priority
            ]
        else:
            del self.fields["priority"]
        if not self.is_bound:
            best = next((s for s in self.suggestions if s.qualified), None)
            self.initial.setdefault("to", best.technician.pk if best else "")

    def clean_to(self):
        pk = self.cleaned_data["to"]
        return self.people[pk] if pk is not None else None


class ResolveForm(VersionForm):
    resolution_code = forms.ChoiceField(label=_("Resolution code"), choices=ResolutionCode.choices)
    resolution_notes = forms.CharField(label=_("Resolution notes"), widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(VersionForm):
    note = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = forms.CharField(
        label=_("Duplicate of"), required=False, max_length=24, help_text=_("The other ticket's number, e.g. HD-1042.")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_duplicate_of(self):
        text = self.cleaned_data["duplicate_of"].strip()
        if not text:
            return None
        number = selectors.ticket_number_from(text)
        ticket = selectors.tickets_visible_to(self.user).filter(pk=number).first() if number else None
        if ticket is None:
            raise forms.ValidationError(_("There is no ticket %(number)s."), params={"number": text})
        return ticket


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("body", "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Write something or add a file."))
        return data


class LogTimeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("What was done"), required=False, max_length=300)


class TriageForm(VersionForm):
    category = _category_field()
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)
    tier = forms.TypedChoiceField(label=_("Tier"), choices=Tier.choices, coerce=int)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("From impact and urgency")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    priority_reason = forms.CharField(label=_("Why this priority"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["category"].label = _("Category")
        self.fields["category"].empty_label = "---------"

    @staticmethod
    def initial_for(ticket: Ticket) -> dict:
        """The form's starting values: the ticket as it is, a hand-set priority only if it was overridden."""
        return {
            "version": ticket.version,
            "category": ticket.category_id,
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "tier": ticket.tier,
            "priority": ticket.priority if ticket.priority_overridden else None,
            "priority_reason": ticket.priority_reason,
        }

    @classmethod
    def for_ticket(cls, ticket: Ticket):
        return cls(initial=cls.initial_for(ticket))


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All categories")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All open"))] + [
            (value, label) for value, label in TicketStatus.choices if value in OPEN_STATUSES
        ]
        self.fields["category"].queryset = _categories()


# --- the coordinator's dashboard ---------------------------------------------------------------


def technician_label(user) -> str:
    profile = user.technician_profile
    return _technician_label(user.get_full_name(), user.email, profile.tier, profile.is_available)


def _technician_label(full_name: str, email: str, tier: int, is_available: bool) -> str:
    away = "" if is_available else f" · {_('away')}"
    return f"{full_name or email} · {Tier(tier).label}{away}"


class TriageChoices(dict):
    """The choices shared by every row of one page, and their <option> markup once it is written."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rendered: dict[str, str] = {}
        self.prototype: forms.Form | None = None

    def key(self) -> tuple:
        """What the choices offer, as a value: part of the key under which a row's markup is kept."""
        return tuple(
            (name, tuple((str(value), str(label)) for value, label in values)) for name, values in self.items()
        )


def triage_row_choices(
    categories: list[Category] | None = None, technicians: list[User] | None = None
) -> TriageChoices:
    """The choices every triage row offers, read once for the whole list rather than once per row, as plain
    values. `categories` (selectors.categories_by_name) and `technicians` (selectors.technicians_for_assignment)
    when the page has read them already for another part."""
    if categories is None:
        categories = selectors.categories_by_name()
    if technicians is None:
        technicians = list(selectors.technicians_for_assignment())
    return TriageChoices(
        category=[("", "---------"), *((c.pk, str(c)) for c in categories if c.is_active)],
        assignee=[("", _("Leave unassigned")), *((user.pk, technician_label(user)) for user in technicians)],
    )


class SuggestionPreviewForm(forms.Form):
    """The category and tier a coordinator has chosen in a triage row, not saved yet: the ranking follows them."""

    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False)
    tier = forms.TypedChoiceField(choices=Tier.choices, coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()

    def preview(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        values = {}
        if "category" in self.data:
            values["category"] = self.cleaned_data["category"]
        if self.cleaned_data.get("tier"):
            values["tier"] = self.cleaned_data["tier"]
        return values


def _flat_attrs(attrs: dict) -> str:
    """Attributes in their order, as Django's widget templates write them (True: bare, False: left out)."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A <select> that writes its options directly instead of rendering a template per option.

    The dashboard shows a triage form on every row of its list: with Django's template-rendered
    widgets, the thousands of <option> tags are most of the page's time. Same HTML, a fraction of it.
    """

    # Set by the form when many rows share these choices: {key: the options' markup, none selected}.
    options_cache: dict[str, str] | None = None
    cache_key = ""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        opening = format_html('<select name="{}"', name) + _flat_attrs(final_attrs) + ">"
        chosen = {str(v) for v in self.format_value(value)}
        if self.options_cache is not None:
            options = self.options_cache.get(self.cache_key)
            if options is None:
                options = self.options_cache[self.cache_key] = self._options(set())
            for value_text in chosen:
                plain = format_html('<option value="{}">', value_text)
                options = options.replace(plain, plain[:-1] + " selected>", 1)
            return mark_safe(f"{opening}{options}</select>")  # noqa: S308 (escaped parts)
        return mark_safe(f"{opening}{self._options(chosen)}</select>")  # noqa: S308 (escaped parts)

    def _options(self, chosen: set[str]) -> str:
        parts: list[str] = []
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):  # an <optgroup>
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(v, label, chosen) for v, label in option_label)
                parts.append(mark_safe("</optgroup>"))
            else:
                parts.append(self._option(option_value, option_label, chosen))
        return "".join(parts)  # every part is escaped by format_html

    @staticmethod
    def _option(value, label, chosen) -> str:
        text = "" if value is None else str(value)
        selected = " selected" if text in chosen else ""
        return f'<option value="{escape(text)}"{selected}>{conditional_escape(label)}</option>'


class _QuickInputMixin:
    """An <input> written directly: the same markup as Django's input template, without a template."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        attrs = mark_safe(_flat_attrs(widget["attrs"]))  # noqa: S308 (escaped by format_html)
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, attrs)


class QuickTextInput(_QuickInputMixin, forms.TextInput):
    pass


class QuickHiddenInput(_QuickInputMixin, forms.HiddenInput):
    pass


class QuickDateInput(_QuickInputMixin, forms.DateInput):
    pass


class QuickNumberInput(_QuickInputMixin, forms.NumberInput):
    pass


class QuickEmailInput(_QuickInputMixin, forms.EmailInput):
    pass


_QUICK_WIDGETS: dict[type, type] = {
    forms.Select: QuickSelect,
    forms.TextInput: QuickTextInput,
    forms.HiddenInput: QuickHiddenInput,
    forms.DateInput: QuickDateInput,
    forms.NumberInput: QuickNumberInput,
    forms.EmailInput: QuickEmailInput,
}


def use_quick_widgets(form: forms.BaseForm) -> None:
    """Render the form's plain inputs and selects without templates, on pages that show many of them.

    The widget keeps its attributes, choices and formats; only its class changes, to the subclass that
    writes the same markup directly. Widgets of any other kind are left as they are.
    """
    for field in form.fields.values():
        quick = _QUICK_WIDGETS.get(type(field.widget))
        if quick is not None:
            field.widget.__class__ = quick
        if isinstance(field, forms.ModelChoiceField) and field.iterator is forms.models.ModelChoiceIterator:
            # A few dozen choices: one plain query, not a server-side cursor's three round trips.
            field.iterator = _ListedModelChoiceIterator
            field.widget.choices = field.choices


class _ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class TriageRowForm(TriageForm):
    """Triage one ticket from its row on the dashboard, and give it to a technician in the same step."""

    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=selectors.technicians_for_assignment(), required=False
    )

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = selectors.technicians_for_assignment()
        for name, values in (choices or {}).items():
            if self.is_bound:
                # Validation reads the field's choices; rendering never reads the queryset again.
                cast(forms.ChoiceField, self.fields[name]).choices = values
            else:
                # A row only shown: its widget needs the choices, the field (validation) does not.
                self.fields[name].widget.choices = values
        use_quick_widgets(self)
        rendered = getattr(choices, "rendered", None)
        for name, field in self.fields.items():
            is_select = isinstance(field.widget, forms.Select)
            if rendered is not None and isinstance(field.widget, QuickSelect):
                # Every row offers the same options: their markup is written once for the page.
                field.widget.options_cache, field.widget.cache_key = rendered, name
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    @classmethod
    def for_row(cls, ticket: Ticket, choices: TriageChoices):
        """The form a row shows. Every row of a page is a copy of one form built for the page: rows differ
        only in their starting values and ids, so the fields (and their widgets) are made once, not per row.
        Only for showing: a posted row is validated by a form of its own."""
        if choices.prototype is None:
            choices.prototype = cls(choices=choices)
        form = copy.copy(choices.prototype)
        form.initial = {**cls.initial_for(ticket), "assignee": ticket.assignee_id}
        form.auto_id = f"triage-{ticket.pk}-%s"
        form._bound_fields_cache = {}  # type: ignore[attr-defined]  # the copy needs its own bound fields
        return form


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
    "sort",
)


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
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("open", _("All open")), ("any", _("Any status")), *TicketStatus.choices]
        self.fields["category"].queryset = _categories()
        self.fields["department"].queryset = Department.objects.order_by("name")
        self.fields["location"].queryset = Location.objects.order_by("site", "building", "floor", "room")
        self.fields["project"].queryset = Project.objects.order_by("name")
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("none", _("Nobody")),
            *((str(u.pk), technician_label(u)) for u in selectors.technicians_for_assignment()),
        ]

    def clean_requester(self):
        text = self.cleaned_data["requester"].strip()
        return employee_from_reference(text) if text else None

    def clean_device_model(self):
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

    def ignored(self) -> list[str]:
        self.is_valid()
        return [f"{self.fields[name].label}: {' '.join(map(str, errors))}" for name, errors in self.errors.items()]

    def querystring(self) -> str:
        """The valid filters as a query string, for saved filters and the export link."""
        from urllib.parse import urlencode

        pairs = []
        for name in FILTER_FIELDS:
            if name in self.errors:
                continue
            value = self.data.get(name, "")
            if value not in ("", None):
                pairs.append((name, value))
        return urlencode(pairs)


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

    def __init__(self, *args, user=None, **kwargs):
        # On the page beside the filters, which have fields of the same names: ids of its own, so that each
        # label names its own control.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.user = user
        # Which numbers are real and visible is the view's business (selectors); here, any id.
        self.fields["tickets"].choices = [(value, value) for value in self.data.getlist("tickets")] if self.data else []
        self.fields["action"].choices = [(name, self.ACTION_LABELS[name]) for name in BULK_ACTIONS]
        self.fields["assignee"].queryset = selectors.technicians_for_assignment()
        self.fields["category"].queryset = _categories()
        self.fields["project"].queryset = Project.objects.order_by("name")

    def clean_duplicate_of(self):
        text = self.cleaned_data["duplicate_of"].strip()
        if not text:
            return None
        number = selectors.ticket_number_from(text)
        ticket = selectors.tickets_visible_to(self.user).filter(pk=number).first() if number else None
        if ticket is None:
            raise forms.ValidationError(_("There is no ticket %(number)s."), params={"number": text})
        return ticket

    def clean(self):
        data = super().clean()
        needed = self.REQUIRED.get(data.get("action"))
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

    def clean_querystring(self):
        # Keep only the list's own filters: a saved filter is never a way to carry anything else.
        from urllib.parse import parse_qsl, urlencode

        pairs = parse_qsl(self.cleaned_data["querystring"], keep_blank_values=False)
        return urlencode([(key, value) for key, value in pairs if key in FILTER_FIELDS])


# --- projects ----------------------------------------------------------------------------------


class ProjectForm(forms.ModelForm):
    # Anyone on the staff list, as the project may outlive a manager's employment.
    project_manager = EmployeeLookupField(label=_("Project manager"), active_only=False)
    facilities_contact = EmployeeLookupField(label=_("Facilities contact"), required=False, active_only=False)

    class Meta:
        model = Project
        fields = list(PROJECT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.order_by("site", "building", "floor", "room")
        self.fields["status"].choices = ProjectStatus.choices

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot be before the start."))
        return data


class ProjectTicketsForm(forms.Form):
    numbers = forms.CharField(
        label=_("Tickets to file under this project"),
        max_length=2000,
        help_text=_("Ticket numbers, separated by commas or spaces, e.g. HD-1042, HD-1043."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_numbers(self):
        words = self.cleaned_data["numbers"].replace(",", " ").split()
        numbers, unknown = [], []
        for word in words:
            number = selectors.ticket_number_from(word)
            (numbers if number else unknown).append(number or word)
        found = list(selectors.tickets_visible_to(self.user).filter(pk__in=numbers).order_by("pk"))
        unknown += [f"HD-{n}" for n in numbers if n not in {t.pk for t in found}]
        if unknown:
            raise forms.ValidationError(
                _("There are no tickets %(numbers)s."), params={"numbers": ", ".join(str(u) for u in unknown)}
            )
        return found


class AutoAssignForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    mode = forms.ChoiceField(label=_("Automatic assignment"), choices=AutoAssign.choices)
