from django import forms
from django.utils.translation import gettext_lazy as _

from assets.forms import EmployeeLookupField


class HeldOpenForm(forms.Form):
    """Whose ticket a held message becomes. One per row of the page: its prefix keeps the ids apart."""

    employee = EmployeeLookupField(label=_("Open a ticket for"), required=True)
