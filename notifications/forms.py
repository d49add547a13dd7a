from django import forms
from django.utils.translation import gettext_lazy as _


class WatcherForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("A colleague or anyone else who should get this ticket's public updates."),
    )
