"""The reports' period and filters, from the query string. A value that does not fit is shown with its
message beside the field, and the report falls back to its default for it: never a 500."""

from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from assets.models import Department, Location
from reports.periods import DEFAULT_PRESET, LONGEST, PRESETS, Period, preset
from tickets.models import Category, Channel, Priority, ReportAs, ResolutionCode

# The desk report's filters: the rollups keep the desk within one member of each, one filter at a time.
DESK_FILTERS = ("department", "location", "category", "tier", "priority", "channel")
# Filters that choose a row of a table (pk or value) -> the staff list's parameter of the same name.
_DATE = {"type": "date"}


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, choices=list(PRESETS.items()))
    first = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=_DATE))
    last = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=_DATE))

    # The preset shown when none is asked for.
    default_preset = DEFAULT_PRESET

    def __init__(self, data: Any = None, *, today: date | None = None, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("period") and not (data.get("first") or data.get("last")):
            data["period"] = self.default_preset  # shown selected, and used
        elif not data.get("period"):
            data["period"] = "custom"  # dates given without a preset: the dates are meant
        super().__init__(data, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("period") or self.default_preset) != "custom":
            return data
        first, last = data.get("first"), data.get("last")
        if first is None and "first" not in self.errors:
            self.add_error("first", _("Give the first day of the period, or choose a preset."))
        if last is None and "last" not in self.errors:
            self.add_error("last", _("Give the last day of the period, or choose a preset."))
        if first and last and last < first:
            self.add_error("last", _("The last day comes before the first."))
        elif first and last and last - first > LONGEST:
            self.add_error("first", _("Choose at most three years."))
        return data

    def chosen_period(self) -> Period:
        """The period asked for; the default preset while what was asked for does not fit."""
        if not self.is_valid():
            return preset(self.default_preset, self.today)
        name = self.cleaned_data.get("period") or self.default_preset
        if name == "custom":
            return Period(self.cleaned_data["first"], self.cleaned_data["last"])
        return preset(name, self.today)

    def querystring(self, **changes: Any) -> str:
        """The form's values as a query string (the export link, the links between reports)."""
        pairs = {name: value for name, value in self.data.items() if value not in ("", None) and name in self.fields}
        pairs.update({name: value for name, value in changes.items() if value is not None})
        return urlencode(pairs)


class DeskForm(PeriodForm):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False, empty_label=_("All")
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.order_by("site", "building", "floor", "room"),
        required=False,
        empty_label=_("All"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.select_related("parent").order_by("parent__name", "name"),
        required=False,
        empty_label=_("All"),
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=[("", _("All")), *Tier.choices]
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), required=False, coerce=int, empty_value=None, choices=[("", _("All")), *Priority.choices]
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [name for name in DESK_FILTERS if data.get(name) not in (None, "")]
        for name in chosen[1:]:
            self.add_error(
                name,
                _("One filter at a time: the figures are kept for each filter alone. Clear “%(first)s” or this one.")
                % {"first": self.fields[chosen[0]].label},
            )
        return data

    def within(self) -> tuple[str, str]:
        """The one filter chosen, as the rollups name it: ("department", "5"); ("", "") for the whole desk."""
        if not self.is_valid():
            return "", ""
        for name in DESK_FILTERS:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                return name, str(getattr(value, "pk", value))
        return "", ""


class TechniciansForm(PeriodForm):
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=[("", _("All")), *Tier.choices]
    )

    def tier_chosen(self) -> int | None:
        return self.cleaned_data.get("tier") if self.is_valid() else None


class SetupForm(forms.Form):
    """What the reports read as a question of knowing how or a hardware fault."""

    how_to_codes = forms.MultipleChoiceField(
        label=_("Resolution codes that mean the requester needed guidance"),
        required=False,
        choices=ResolutionCode.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, categories: list[Category], codes: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["how_to_codes"].initial = sorted(codes)
        self.categories = categories
        for category in categories:
            self.fields[f"category_{category.pk}"] = forms.ChoiceField(
                label=str(category),
                choices=ReportAs.choices,
                required=False,
                initial=category.report_as,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def category_fields(self) -> list[forms.BoundField]:
        return [self[f"category_{category.pk}"] for category in self.categories]

    def kinds(self) -> dict[int, str]:
        return {category.pk: self.cleaned_data.get(f"category_{category.pk}") or "" for category in self.categories}


class TrendsForm(PeriodForm):
    # What is rising shows month against month; a year against a year hides a problem of a few weeks.
    default_preset = "last_month"

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False, empty_label=_("All")
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.order_by("site", "building", "floor", "room"),
        required=False,
        empty_label=_("All"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("department") and data.get("location"):
            self.add_error(
                "location",
                _("One filter at a time: the figures are kept for each filter alone. Clear “%(first)s” or this one.")
                % {"first": self.fields["department"].label},
            )
        return data

    def within(self) -> tuple[Literal["", "department", "location"], str]:
        if not self.is_valid():
            return "", ""
        if self.cleaned_data.get("department"):
            return "department", str(self.cleaned_data["department"].pk)
        if self.cleaned_data.get("location"):
            return "location", str(self.cleaned_data["location"].pk)
        return "", ""
