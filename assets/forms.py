"""Validation and normalisation for the asset pages. No writes: views hand cleaned data to services."""

import re
from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assets import selectors
from assets.imports import ImportKind
from assets.models import Department, Device, DeviceStatus, DeviceType, Employee, Location

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
IMPORT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def employee_from_reference(text: str, *, active_only: bool = False) -> Employee:
    """One employee by employee number or work email, exactly (a suggestion "E1001 · Anna Berg" counts by its
    number). Raises ValidationError, said for the field, when there is none or the email is shared."""
    key = text.split("·")[0].strip()
    qs = Employee.objects.filter(Q(employee_number__iexact=key) | Q(email__iexact=key))
    if active_only:
        qs = qs.filter(is_active=True)
    matches = list(qs[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        message = _("More than one employee has the email “%(value)s”: use the employee number.")
    elif active_only:
        message = _("No active employee has the number or email “%(value)s”.")
    else:
        message = _("No employee has the number or email “%(value)s”.")
    raise forms.ValidationError(message, params={"value": key})


class EmployeeLookupInput(forms.TextInput):
    """A text input with its own <datalist>, which assets:employee_lookup fills with suggestions (htmx)."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "data-hx-get": reverse_lazy("assets:employee_lookup"),
                "data-hx-trigger": "input changed delay:250ms",
                "data-hx-swap": "innerHTML",
                **(attrs or {}),
            }
        )

    def render(self, name, value, attrs=None, renderer=None):
        options = f"{name}-options"
        attrs = {**(attrs or {}), "list": options, "data-hx-target": f"#{options}"}
        field = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', field, options)


class EmployeeLookupField(forms.CharField):
    """An employee, typed as their employee number or work email, with suggestions as one types.

    Cleans to an Employee (or None when left empty). Thousands of staff do not fit a <select>; the
    suggestions come from assets:employee_lookup into the input's own <datalist>.
    """

    widget = EmployeeLookupInput

    def __init__(self, *, active_only: bool = True, **kwargs):
        self.active_only = active_only
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("help_text", _("Type a name, an email or an employee number and pick from the suggestions."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Employee):
            return value.employee_number
        if isinstance(value, int):  # a model form's starting value: the primary key
            employee = Employee.objects.filter(pk=value).only("employee_number").first()
            return employee.employee_number if employee else ""
        return value

    def clean(self, value):
        value = super().clean(value)
        if isinstance(value, Employee):
            return value
        if not value:
            return None
        return employee_from_reference(value, active_only=self.active_only)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DeviceForm(forms.ModelForm):
    """Create or edit a device. The holder is set on create only; afterwards through Assign."""

    assigned_to = EmployeeLookupField(label=_("Assign to"), required=False)

    class Meta:
        model = Device
        fields = [
            "asset_tag",
            "serial_number",
            "device_type",
            "manufacturer",
            "model",
            "operating_system",
            "purchase_date",
            "warranty_end",
            "status",
            "location",
            "notes",
        ]
        widgets = {
            "purchase_date": DateInput(),
            "warranty_end": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, can_manage: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        is_new = self.instance.pk is None
        retired = self.instance.status == DeviceStatus.RETIRED
        status = cast(forms.ChoiceField, self.fields["status"])
        if not retired:
            # Retiring is its own action: it ends the assignment too. (The getter returns the normalised list;
            # django-stubs types it as everything the setter accepts.)
            status.choices = [(v, label) for v, label in status.choices if v != DeviceStatus.RETIRED]  # type: ignore[misc, union-attr]
        elif not can_manage:
            status.disabled = True
            status.help_text = _("Only a coordinator or a manager can bring a retired device back.")
        if not is_new:
            del self.fields["assigned_to"]
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = selectors.locations_all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purchase, warranty = data.get("purchase_date"), data.get("warranty_end")
        if purchase and warranty and warranty < purchase:
            self.add_error("warranty_end", _("The warranty cannot end before the purchase date."))
        holder = data.get("assigned_to") if "assigned_to" in self.fields else self.instance.assigned_to
        if holder and data.get("status") == DeviceStatus.IN_STOCK and self.instance.pk:
            self.add_error("status", _("This device is held by someone; assign it back to stock first."))
        return data


class DeviceAssignForm(forms.Form):
    employee = EmployeeLookupField(
        label=_("Employee"),
        required=False,
        help_text=_("Type a name, an email or an employee number. Leave empty to put the device back in stock."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class EmployeeForm(forms.ModelForm):
    manager = EmployeeLookupField(label=_("Manager"), required=False, active_only=False)

    class Meta:
        model = Employee
        fields = [
            "first_name",
            "last_name",
            "email",
            "employee_number",
            "phone",
            "job_title",
            "department",
            "location",
            "manager",
            "is_active",
            "started_on",
            "left_on",
            "user",
        ]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["email"].required = True
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.order_by("name")
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = selectors.locations_all()
        # Only accounts not linked to someone else.
        free = User.objects.filter(Q(employee__isnull=True) | Q(employee=self.instance.pk or 0))
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = free.order_by("email")
        self.fields["user"].help_text = _("Link a login account so this person can report problems themselves.")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        if manager is not None and self.instance.pk and manager.pk == self.instance.pk:
            raise forms.ValidationError(_("Someone cannot be their own manager."))
        return manager

    def clean_left_on(self):
        started, left = self.cleaned_data.get("started_on"), self.cleaned_data.get("left_on")
        if started and left and left < started:
            raise forms.ValidationError(_("Someone cannot leave before they joined."))
        return left


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name"]

    def clean_name(self):
        # The import matches department names without case: "finance" and "Finance" would be one.
        name = self.cleaned_data["name"].strip()
        if Department.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already a department called “%(name)s”."), params={"name": name})
        return name


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["site", "building", "floor", "room"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("site", "building", "floor", "room"):
            if "/" in (data.get(name) or ""):
                self.add_error(name, _("A slash separates the parts of a location path; leave it out."))
        return data


# --- list filters -----------------------------------------------------------------------------------


class _FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def value(self, name, default=""):
        # A bad value (an unknown sort, a department since deleted) drops that filter only.
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class EmployeeFilterForm(_FilterForm):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All")
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("All")
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("active", _("Active")), ("left", _("Left"))],
    )
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in selectors.EMPLOYEE_SORTS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, email or employee number")
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.order_by("name")
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = selectors.locations_all()

    def filters(self) -> selectors.EmployeeFilters:
        return selectors.EmployeeFilters(
            query=self.value("q"),
            department=self.value("department", None),
            location=self.value("location", None),
            active=self.value("active"),
            sort=self.value("sort", selectors.EMPLOYEE_DEFAULT_SORT),
        )


class DeviceFilterForm(_FilterForm):
    department = forms.ModelChoiceField(
        label=_("Holder's department"), queryset=Department.objects.none(), required=False, empty_label=_("All")
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("All")
    )
    device_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *DeviceType.choices])
    model = forms.ChoiceField(label=_("Model"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *DeviceStatus.choices])
    warranty = forms.ChoiceField(
        label=_("Warranty"),
        required=False,
        choices=[
            ("", _("All")),
            (selectors.WarrantyFilter.DAYS_30, _("Ends within 30 days")),
            (selectors.WarrantyFilter.DAYS_90, _("Ends within 90 days")),
            (selectors.WarrantyFilter.EXPIRED, _("Expired")),
            (selectors.WarrantyFilter.NONE, _("Not recorded")),
        ],
    )
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in selectors.DEVICE_SORTS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Asset tag, serial number, model or holder")
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.order_by("name")
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = selectors.locations_all()
        cast(forms.ChoiceField, self.fields["model"]).choices = [
            ("", _("All")),
            *((m, m) for m in selectors.device_models()),
        ]

    def filters(self) -> selectors.DeviceFilters:
        return selectors.DeviceFilters(
            query=self.value("q"),
            department=self.value("department", None),
            location=self.value("location", None),
            device_type=self.value("device_type"),
            model=self.value("model"),
            status=self.value("status"),
            warranty=self.value("warranty"),
            sort=self.value("sort", selectors.DEVICE_DEFAULT_SORT),
        )


# --- import -----------------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, with the header line described below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ImportConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, widget=forms.HiddenInput)
    token = forms.RegexField(regex=IMPORT_TOKEN, widget=forms.HiddenInput)
    skip_invalid = forms.BooleanField(required=False, widget=forms.HiddenInput)
