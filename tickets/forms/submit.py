"""A requester's report of a problem, and a phone call a coordinator logs."""

from typing import Any, cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from assets.models import Device, Employee
from tickets import selectors
from tickets.forms.fields import (
    SubmissionKeyField,
    attachments_field,
    categories_offered,
    category_field,
    device_by_tag,
    model_field,
)
from tickets.models import (
    Impact,
    ResolutionCode,
    Urgency,
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
    category = category_field()
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

    def __init__(self, *args: Any, employee: Employee | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = categories_offered()
        cast(forms.ModelChoiceField, self.fields["device"]).queryset = selectors.devices_of_employee(employee)
        self.fields["attachments"] = attachments_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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
                "data-hx-get": reverse_lazy("tickets:caller_search"),
                "data-hx-trigger": "input changed delay:300ms",
                "data-hx-target": "#caller-matches",
            }
        ),
    )
    asset_tag = forms.CharField(label=_("Asset tag"), required=False, max_length=40)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = category_field()
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "category").queryset = categories_offered()

    def clean_requester(self) -> Any:
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

    def clean_asset_tag(self) -> Any:
        tag = self.cleaned_data["asset_tag"].strip()
        return device_by_tag(tag) if tag else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("resolve_now"):
            if not data.get("resolution_code"):
                self.add_error("resolution_code", _("Choose a resolution code."))
            if not data.get("resolution_notes", "").strip():
                self.add_error("resolution_notes", _("Say how it was fixed."))
        return data
