import zoneinfo
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import NotificationDelivery, User
from accounts.offers import notification_kinds_offered


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for email. Its error is the same for unknown and known emails."""

    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    keep_signed_in = forms.BooleanField(
        label=_("Keep me signed in on this device"),
        required=False,
        help_text=_("Only on a computer or phone that is yours alone. Staff are signed out after a few idle hours."),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        # Said alike for an unknown address, a wrong password and a closed account: no one learns which.
        "invalid_login": _("That email and password do not match an account. Check both and try again."),
    }


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app or one recovery code. Checking it is accounts.services' job."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class TwoFactorSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        strip=True,
        help_text=_("The 6-digit code your authenticator app shows for the help desk."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _time_zone_choices():
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [("", _("The desk's time zone"))] + [(z, z.replace("_", " ")) for z in zones]


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=_time_zone_choices)
    notification_delivery = forms.ChoiceField(
        label=_("How to tell me about my tickets"),
        choices=NotificationDelivery.choices,
        widget=forms.RadioSelect,
    )

    notification_kinds = forms.MultipleChoiceField(
        label=_("Tell me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick what you do not want to hear about, by email or in the app."),
    )

    class Meta:
        model = User
        fields = [
            "language",
            "time_zone",
            "notification_delivery",
            "notification_kinds",
            "notify_new_tickets",
            "monthly_summary",
        ]

    def __init__(self, *args, show_coordinator_options: bool = False, show_manager_options: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        offered = notification_kinds_offered(self.instance.role)
        self.available_kinds = [value for value, _label in offered]
        kinds_field = cast(forms.MultipleChoiceField, self.fields["notification_kinds"])
        kinds_field.choices = offered
        muted = set(self.instance.muted_notification_kinds or [])
        self.fields["notification_kinds"].initial = [kind for kind in self.available_kinds if kind not in muted]
        language_field = cast(forms.ChoiceField, self.fields["language"])
        language_field.choices = [("", _("As my browser says")), *settings.LANGUAGES]
        if not show_coordinator_options:
            del self.fields["notify_new_tickets"]
        if not show_manager_options:
            del self.fields["monthly_summary"]

    @property
    def muted_kinds(self) -> list[str]:
        """The kinds the person unticked. Stored as such, so a kind added later is on by default."""
        chosen = set(self.cleaned_data.get("notification_kinds") or [])
        return [kind for kind in self.available_kinds if kind not in chosen]


class AvailabilityForm(forms.Form):
    is_available = forms.BooleanField(label=_("I am available for new tickets"), required=False)
