"""The forms of the actions on one ticket: the version seen, notes, assignment, tier moves, resolution,
cancellation, replies and logged time."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets import selectors
from tickets.forms.fields import TicketNumberField, attachments_field, duplicate_of, model_field
from tickets.models import (
    CannedReply,
    Priority,
    ReplyThen,
    ResolutionCode,
    Ticket,
)

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "assignee").queryset = selectors.technicians_for_assignment()
        model_field(self, "assignee").label_from_instance = lambda user: (  # type: ignore[method-assign,assignment]
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

    def __init__(self, *args: Any, ticket: Ticket, user: User, step: int, suggestions: list, **kwargs: Any) -> None:
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

    def clean_to(self) -> Any:
        pk = self.cleaned_data["to"]
        return self.people[pk] if pk is not None else None


class ResolveForm(VersionForm):
    resolution_code = forms.ChoiceField(label=_("Resolution code"), choices=ResolutionCode.choices)
    resolution_notes = forms.CharField(label=_("Resolution notes"), widget=forms.Textarea(attrs={"rows": 3}))
    # Offered on a parent with open children (the ticket page removes it elsewhere).
    with_children = forms.BooleanField(
        label=_("Also resolve its open child tickets with these notes"), required=False, initial=True
    )


class CancelForm(VersionForm):
    note = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = forms.CharField(
        label=_("Duplicate of"), required=False, max_length=24, help_text=_("The other ticket's number, e.g. HD-1042.")
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_duplicate_of(self) -> Any:
        return duplicate_of(self.user, self.cleaned_data["duplicate_of"])


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, canned: CannedReply | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()
        self.canned = canned
        if canned is not None:
            # Begun from a canned reply: what follows it, as the reply brings it and the technician leaves it.
            self.fields["canned"] = forms.IntegerField(widget=forms.HiddenInput, initial=canned.pk)
            self.fields["then"] = forms.ChoiceField(
                label=_("Then"), choices=ReplyThen.choices, required=False, initial=canned.then
            )
            self.fields["minutes"] = forms.IntegerField(
                label=_("Minutes to log"), min_value=0, max_value=24 * 60, required=False, initial=canned.minutes
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("body", "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Write something or add a file."))
        return data


class LogTimeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("What was done"), required=False, max_length=300)


class LinkTicketForm(forms.Form):
    """Another ticket to link to as related, by number."""

    other = TicketNumberField()
