"""The token form of the profile's API tokens page."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACCESS_CHOICES = [("read", _("Read only")), ("write", _("Read and write"))]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("What it is for, e.g. the monitoring server."))
    access = forms.ChoiceField(label=_("Access"), choices=ACCESS_CHOICES, initial="read", widget=forms.RadioSelect)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: it works until you revoke it."),
    )

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day in the future, or none."))
        return day

    def expires_at(self) -> datetime.datetime | None:
        """The end of the chosen day, in the person's time zone."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
