"""Widgets written without templates, for the pages that show many fields on every load."""

from django import forms
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe


def _flat_attrs(attrs: dict) -> str:
    """Attributes in their order, as Django's widget templates write them (True: bare, False: left out)."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A <select> that writes its options directly instead of rendering a template per option.

    The dashboard shows a triage form on every row of its list: with Django's template-rendered
    widgets, the thousands of <option> tags are most of the page's time. Same HTML, a fraction of it.
    """

    # Set by the form when many rows share these choices: {key: the options' markup, none selected}.
    options_cache: dict[str, str] | None = None
    cache_key = ""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        opening = format_html('<select name="{}"', name) + _flat_attrs(final_attrs) + ">"
        chosen = {str(v) for v in self.format_value(value)}
        if self.options_cache is not None:
            options = self.options_cache.get(self.cache_key)
            if options is None:
                options = self.options_cache[self.cache_key] = self._options(set())
            for value_text in chosen:
                plain = format_html('<option value="{}">', value_text)
                options = options.replace(plain, plain[:-1] + " selected>", 1)
            return mark_safe(f"{opening}{options}</select>")  # noqa: S308 (escaped parts)
        return mark_safe(f"{opening}{self._options(chosen)}</select>")  # noqa: S308 (escaped parts)

    def _options(self, chosen: set[str]) -> str:
        parts: list[str] = []
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):  # an <optgroup>
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(v, label, chosen) for v, label in option_label)
                parts.append(mark_safe("</optgroup>"))
            else:
                parts.append(self._option(option_value, option_label, chosen))
        return "".join(parts)  # every part is escaped by format_html

    @staticmethod
    def _option(value, label, chosen) -> str:
        text = "" if value is None else str(value)
        selected = " selected" if text in chosen else ""
        return f'<option value="{escape(text)}"{selected}>{conditional_escape(label)}</option>'


class _QuickInputMixin:
    """An <input> written directly: the same markup as Django's input template, without a template."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        attrs = mark_safe(_flat_attrs(widget["attrs"]))  # noqa: S308 (escaped by format_html)
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, attrs)


class QuickTextInput(_QuickInputMixin, forms.TextInput):
    pass


class QuickHiddenInput(_QuickInputMixin, forms.HiddenInput):
    pass


class QuickDateInput(_QuickInputMixin, forms.DateInput):
    pass


class QuickNumberInput(_QuickInputMixin, forms.NumberInput):
    pass


class QuickEmailInput(_QuickInputMixin, forms.EmailInput):
    pass


_QUICK_WIDGETS: dict[type, type] = {
    forms.Select: QuickSelect,
    forms.TextInput: QuickTextInput,
    forms.HiddenInput: QuickHiddenInput,
    forms.DateInput: QuickDateInput,
    forms.NumberInput: QuickNumberInput,
    forms.EmailInput: QuickEmailInput,
}


class _ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


def use_quick_widgets(form: forms.BaseForm) -> None:
    """Render the form's plain inputs and selects without templates, on pages that show many of them.

    The widget keeps its attributes, choices and formats; only its class changes, to the subclass that
    writes the same markup directly. Widgets of any other kind are left as they are.
    """
    for field in form.fields.values():
        quick = _QUICK_WIDGETS.get(type(field.widget))
        if quick is not None:
            field.widget.__class__ = quick
        if isinstance(field, forms.ModelChoiceField) and field.iterator is forms.models.ModelChoiceIterator:
            # A few dozen choices: one plain query, not a server-side cursor's three round trips.
            field.iterator = _ListedModelChoiceIterator
            field.widget.choices = field.choices
