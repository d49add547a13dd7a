"""The widgets written without templates give exactly the markup of Django's own."""

import datetime
import re

import pytest
from django import forms

from tickets.forms import use_quick_widgets


class Everything(forms.Form):
    text = forms.CharField(max_length=20, required=False, widget=forms.TextInput(attrs={"placeholder": 'a "b" <c>'}))
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.IntegerField(required=False, min_value=1)
    email = forms.EmailField(required=False, disabled=True)
    choice = forms.ChoiceField(choices=[("", "---"), ("a", "A & a"), ("Group", [("b", "<B>"), ("c", "C")])])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)


def _tight(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": 'quote " and <tag>', "hidden": "7", "day": "2026-03-01", "number": "0", "choice": "b", "many": ["y"]},
        {"text": "", "hidden": "x", "day": "not a date", "choice": "zzz"},
    ],
)
def test_same_markup_as_django(data):
    initial = {"hidden": 3, "day": datetime.date(2026, 1, 2), "choice": "a", "email": "a@example.com"}
    plain = Everything(data, initial=initial)
    quick = Everything(data, initial=initial)
    use_quick_widgets(quick)
    if data is not None:
        plain.is_valid(), quick.is_valid()
    for name in plain.fields:
        # Django's select template puts line breaks between the options; nothing else may differ.
        assert _tight(str(quick[name])) == _tight(str(plain[name])), name


def test_only_the_plain_widgets_change():
    form = Everything()
    use_quick_widgets(form)
    assert type(form.fields["many"].widget) is forms.SelectMultiple
    assert type(form.fields["text"].widget).__name__ == "QuickTextInput"
    assert isinstance(form.fields["day"].widget, forms.DateInput)
