from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class WatcherForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))

    def __init__(self, *args: Any, outside_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        if outside_allowed:
            field.help_text = _(
                "A colleague, or someone outside the organisation (a supplier, say): they are told why they get "
                "mail and can stop it with one click."
            )
        else:
            field.label = _("A colleague's work email")
            field.help_text = _("Colleagues of the organisation only; they get this ticket's public updates.")
