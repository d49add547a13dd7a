"""The forms of the technician's day: canned replies, merges and parents, known problems, visits, remote
sessions, repairs and recurring tickets."""

from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assets.models import Device, Employee, Location
from tickets import selectors
from tickets.forms.fields import TicketNumberField, categories_offered, model_field
from tickets.models import CannedReply, Category, RecurringTicket, ReplyThen, Ticket, Visit
from tickets.services.replies import PLACEHOLDERS, placeholders_unknown

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _technician_field(label: Any = None, required: bool = True) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=label or _("Technician"), queryset=selectors.technicians_for_assignment(), required=required
    )
    field.label_from_instance = lambda user: user.get_full_name() or user.email  # type: ignore[method-assign,assignment]
    return field


# --- canned replies -------------------------------------------------------------------------------


def placeholder_help() -> str:
    return str(_("Placeholders: %(names)s.")) % {
        "names": ", ".join(f"{{{name}}} ({label})" for name, label in PLACEHOLDERS.items())
    }


class CannedReplyForm(forms.Form):
    """A canned reply with a text for each language the desk speaks (empty: the default text is used)."""

    title = forms.CharField(label=_("Title"), max_length=120, help_text=_("What technicians look it up by."))
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    then = forms.ChoiceField(label=_("Then"), choices=ReplyThen.choices, required=False)
    minutes = forms.IntegerField(label=_("Minutes to log"), min_value=0, max_value=24 * 60, initial=0, required=False)

    def __init__(self, *args: Any, shared_choice: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = placeholder_help()
        for code, name in settings.LANGUAGES:
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text in %(language)s") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
            )
        if shared_choice:
            self.fields["shared"] = forms.BooleanField(
                label=_("Shared by the desk"),
                required=False,
                initial=True,
                help_text=_("Unticked, it is yours alone."),
            )

    @classmethod
    def for_reply(cls, reply: CannedReply, *args: Any, **kwargs: Any) -> "CannedReplyForm":
        initial = {"title": reply.title, "body": reply.body, "then": reply.then, "minutes": reply.minutes}
        initial.update({f"body_{code}": text for code, text in (reply.bodies or {}).items()})
        return cls(*args, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ["body", *(f"body_{code}" for code, _name in settings.LANGUAGES)]:
            unknown = placeholders_unknown(data.get(name) or "")
            if unknown:
                self.add_error(
                    name,
                    _("No such placeholder: %(names)s. %(known)s")
                    % {"names": ", ".join(f"{{{n}}}" for n in unknown), "known": placeholder_help()},
                )
        data["bodies"] = {code: data.pop(f"body_{code}", "") or "" for code, _name in settings.LANGUAGES}
        data["minutes"] = data.get("minutes") or 0
        return data


class CannedChoiceForm(forms.Form):
    """The reply box's "Insert a canned reply": one of those the technician may use."""

    canned = forms.ModelChoiceField(label=_("Canned reply"), queryset=CannedReply.objects.none(), empty_label=None)

    def __init__(self, *args: Any, replies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "canned").queryset = replies


# --- merged and child tickets ---------------------------------------------------------------------


class MergeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    into = TicketNumberField(label=_("Merge into"), help_text=_("The ticket that goes on, e.g. HD-1042."))
    confirmed = forms.BooleanField(
        label=_("Yes: their public replies become visible to each other"), required=False, widget=forms.HiddenInput
    )


class ParentForm(forms.Form):
    parent = TicketNumberField(
        label=_("Parent ticket"),
        required=False,
        help_text=_("The ticket of the whole (a move, an outage), e.g. HD-1042. Empty: no parent."),
    )


# --- known problems -------------------------------------------------------------------------------


class KnownProblemForm(forms.Form):
    public_text = forms.CharField(
        label=_("What everyone reads"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A sentence or two: “Mail is down since 09:10; we are on it.”"),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Shown beside the report form of"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("None chosen: beside every report form."),
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("For the people of"),
        queryset=Location.objects.none(),
        required=False,
        help_text=_("None chosen: for everyone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "categories").queryset = categories_offered()
        model_field(self, "locations").queryset = Location.objects.order_by("site", "building", "floor", "room")
        for name in ("categories", "locations"):
            self.fields[name].widget.attrs["size"] = 6


# --- visits and remote sessions -------------------------------------------------------------------


class VisitForm(forms.Form):
    technician = _technician_field()
    day = forms.DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=_("From"), widget=TIME)
    ends = forms.TimeField(label=_("Until"), widget=TIME)
    place = forms.CharField(label=_("Place"), max_length=200, help_text=_("From the employee's location."))
    bring = forms.CharField(label=_("What to bring"), max_length=300, required=False)

    @classmethod
    def for_ticket(cls, ticket: Ticket, user: User, *args: Any, **kwargs: Any) -> "VisitForm":
        location = ticket.requester.location
        initial = {"technician": user.pk, "place": str(location) if location else "", "day": timezone.localdate()}
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        return cls(*args, **kwargs)

    @classmethod
    def for_visit(cls, visit: Visit, *args: Any, **kwargs: Any) -> "VisitForm":
        start, end = timezone.localtime(visit.starts_at), timezone.localtime(visit.ends_at)
        initial = {
            "technician": visit.technician_id,
            "day": start.date(),
            "starts": start.time(),
            "ends": end.time(),
            "place": visit.place,
            "bring": visit.bring,
        }
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        return cls(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = _window(super().clean() or {}, "starts_at", "ends_at")
        if "starts_at" in data and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", _("The visit must end after it starts."))
        return data


def _window(data: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    """The form's day and its from and until times as two moments in the reader's time zone, when all three
    are valid."""
    if data.get("day") and data.get("starts") and data.get("ends"):
        data[start] = timezone.make_aware(datetime.combine(data["day"], data["starts"]))
        data[end] = timezone.make_aware(datetime.combine(data["day"], data["ends"]))
    return data


class VisitChangeForm(forms.Form):
    proposal = forms.CharField(
        label=_("Which time suits you?"), max_length=300, help_text=_("For instance: Thursday after 13:00.")
    )


class VisitOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("How it went"), widget=forms.Textarea(attrs={"rows": 3}))


class RemoteSessionForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=_("Started"), widget=TIME)
    ends = forms.TimeField(label=_("Ended"), widget=TIME)
    tool = forms.CharField(label=_("Tool"), max_length=80, help_text=_("For instance: Quick Assist, TeamViewer."))
    consent = forms.BooleanField(label=_("The requester gave consent before the session"), required=True)
    note = forms.CharField(label=_("What was done"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        return _window(super().clean() or {}, "started_at", "ended_at")


# --- repairs --------------------------------------------------------------------------------------


class RepairForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=120)
    rma_number = forms.CharField(label=_("RMA number"), max_length=60, required=False)
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE)
    expected_back = forms.DateField(label=_("Expected back"), widget=DATE, required=False)
    under_warranty = forms.BooleanField(label=_("Under warranty"), required=False)
    cost = forms.DecimalField(label=_("Cost"), min_value=0, max_digits=10, decimal_places=2, required=False)


class RepairReturnForm(forms.Form):
    returned_on = forms.DateField(label=_("Back on"), widget=DATE)
    outcome = forms.CharField(label=_("Outcome"), max_length=300, required=False)
    cost = forms.DecimalField(label=_("Final cost"), min_value=0, max_digits=10, decimal_places=2, required=False)


# --- recurring tickets ----------------------------------------------------------------------------


class RecurringForm(forms.ModelForm):
    class Meta:
        model = RecurringTicket
        fields = [
            "subject",
            "description",
            "requester",
            "category",
            "tier",
            "assignee",
            "device",
            "location",
            "every",
            "unit",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "requester": forms.TextInput,
            "device": forms.TextInput,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "category").queryset = categories_offered()
        self.fields["assignee"] = _technician_field(_("Assignee"), required=False)
        self.fields["assignee"].help_text = _("Empty: each ticket waits in triage.")
        # The employee and the device by number and tag: a list of ten thousand employees helps nobody.
        self.fields["requester"] = forms.CharField(
            label=_("On behalf of"),
            max_length=32,
            help_text=_(
                "The employee number of the person the tickets are for (the device's holder, or the desk's own)."
            ),
        )
        self.fields["device"] = forms.CharField(
            label=_("Device"), max_length=40, required=False, help_text=_("Asset tag.")
        )
        model_field(self, "location").queryset = Location.objects.order_by("site", "building", "floor", "room")
        if self.instance.pk:
            self.initial["requester"] = self.instance.requester.employee_number
            self.initial["device"] = self.instance.device.asset_tag if self.instance.device else ""

    def clean_requester(self) -> Employee:
        number = self.cleaned_data["requester"].strip()
        employee = Employee.objects.filter(employee_number__iexact=number, is_active=True).first()
        if employee is None:
            raise forms.ValidationError(_("No current employee has this number."))
        return employee

    def clean_device(self) -> Device | None:
        tag = self.cleaned_data["device"].strip()
        if not tag:
            return None
        device = Device.objects.filter(asset_tag__iexact=tag).first()
        if device is None:
            raise forms.ValidationError(_("No device has this asset tag."))
        return device
