from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications import webhooks

# Times a period may start and end: far from the ends of Python's calendar, where converting a time typed
# in one time zone to another (the database's, the page's) would overflow.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker, in the person's time zone, to the minute."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"min": EARLIEST.strftime("%Y-%m-%dT%H:%M"), "max": LATEST.strftime("%Y-%m-%dT%H:%M")}
        super().__init__(format="%Y-%m-%dT%H:%M", attrs=attrs, **kwargs)


class PeriodEndField(forms.DateTimeField):
    widget = DateTimeLocalInput

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValidationError(_("Enter a time between the years 2000 and 9998."), code="out_of_range")


class FailedPeriodForm(forms.Form):
    """The period of failed messages a manager sends again at once, by when they were created."""

    since = PeriodEndField(label=_("Created from"))
    until = PeriodEndField(label=_("Created until"))

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        # The last 24 hours, to the next whole minute: the inputs show minutes, so the period a manager sees
        # counted is the one they send.
        until = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
        kwargs.setdefault("initial", {"since": until - timedelta(hours=24), "until": until})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since is not None and until is not None and since >= until:
            self.add_error("until", _("The end of the period must be later than its start."))
        return cleaned

    def period(self) -> tuple[datetime, datetime] | None:
        """The period chosen, or the default one before anything is chosen; None while it is invalid."""
        if not self.is_bound:
            return self.initial["since"], self.initial["until"]
        if not self.is_valid():
            return None
        return self.cleaned_data["since"], self.cleaned_data["until"]


class WebhookForm(forms.Form):
    """A subscription: its name, its URL and the events it hears of (the apps register which exist)."""

    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("Whose receiver it is, e.g. the chat bot."))
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the events are posted (https)."),
        # Several lines: a receiver's address is often longer than a phone's width.
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    events = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = webhooks.event_choices()  # type: ignore[attr-defined]
