"""Triage: the ticket page's form, and the dashboard row's (the same fields, and the assignee)."""

import copy
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier, User
from tickets import selectors
from tickets.forms.actions import VersionForm
from tickets.forms.fields import categories_offered, category_field, model_field
from tickets.models import (
    Category,
    Impact,
    Priority,
    Ticket,
    Urgency,
)


class TriageForm(VersionForm):
    category = category_field()
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "category").queryset = categories_offered()
        self.fields["category"].label = _("Category")
        model_field(self, "category").empty_label = "---------"

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
    def for_ticket(cls, ticket: Ticket, *, prefix: str | None = None) -> "TriageForm":
        return cls(initial=cls.initial_for(ticket), prefix=prefix)


# --- the coordinator's dashboard ---------------------------------------------------------------


def technician_label(user) -> str:
    profile = user.technician_profile
    return _technician_label(user.get_full_name(), user.email, profile.tier, profile.is_available)


def _technician_label(full_name: str, email: str, tier: int, is_available: bool) -> str:
    away = "" if is_available else f" · {_('away')}"
    return f"{full_name or email} · {Tier(tier).label}{away}"


class TriageChoices(dict):
    """The choices shared by every row of one page, and the form every row of the page copies."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prototype: forms.Form | None = None


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "category").queryset = categories_offered()

    def preview(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        values = {}
        if "category" in self.data:
            values["category"] = self.cleaned_data["category"]
        if self.cleaned_data.get("tier"):
            values["tier"] = self.cleaned_data["tier"]
        return values


class TriageRowForm(TriageForm):
    """Triage one ticket from its row on the dashboard, and give it to a technician in the same step."""

    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=selectors.technicians_for_assignment(), required=False
    )

    def __init__(self, *args: Any, choices: dict | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = selectors.technicians_for_assignment()
        for name, values in (choices or {}).items():
            if self.is_bound:
                # Validation reads the field's choices; rendering never reads the queryset again.
                cast(forms.ChoiceField, self.fields[name]).choices = values
            else:
                # A row only shown: its widget needs the choices, the field (validation) does not.
                self.fields[name].widget.choices = values
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    @classmethod
    def for_row(cls, ticket: Ticket, choices: TriageChoices) -> "TriageRowForm":
        """The form a row shows. Every row of a page is a copy of one form built for the page: rows differ
        only in their starting values and ids, so the fields (and their widgets) are made once, not per row.
        Only for showing: a posted row is validated by a form of its own."""
        if choices.prototype is None:
            choices.prototype = cls(choices=choices)
        form = cast(TriageRowForm, copy.copy(choices.prototype))
        form.initial = {**cls.initial_for(ticket), "assignee": ticket.assignee_id}
        form.auto_id = f"triage-{ticket.pk}-%s"
        form._bound_fields_cache = {}  # type: ignore[attr-defined]  # the copy needs its own bound fields
        return form
