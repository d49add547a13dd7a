"""Projects, filing tickets under one, and the categories' automatic assignment."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assets.forms import EmployeeLookupField
from assets.models import Location
from tickets import selectors
from tickets.forms.fields import choice_field, model_field
from tickets.models import (
    AutoAssign,
    Category,
    Project,
    ProjectStatus,
    reference_of,
)
from tickets.services import PROJECT_FIELDS

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "location").queryset = Location.objects.order_by("site", "building", "floor", "room")
        choice_field(self, "status").choices = ProjectStatus.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_numbers(self) -> Any:
        words = self.cleaned_data["numbers"].replace(",", " ").split()
        numbers: list[int] = []
        unknown: list[str] = []
        for word in words:
            number = selectors.ticket_number_from(word)
            if number:
                numbers.append(number)
            else:
                unknown.append(word)
        found = list(selectors.tickets_visible_to(self.user).filter(pk__in=numbers).order_by("pk"))
        unknown += [reference_of(n) for n in numbers if n not in {t.pk for t in found}]
        if unknown:
            raise forms.ValidationError(
                _("There are no tickets %(numbers)s."), params={"numbers": ", ".join(str(u) for u in unknown)}
            )
        return found


class AutoAssignForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    mode = forms.ChoiceField(label=_("Automatic assignment"), choices=AutoAssign.choices)
