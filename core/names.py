"""Names the managers give (categories, departments, calendars, ...) in the reader's language.

The name column holds the name in the default language (settings.LANGUAGE_CODE); `name_translations` holds
the same name in other languages, language code -> text, edited in the admin. Whoever reads the name gets it
in the active language, or the default name where no translation was given. The translations live on the
row itself, so showing them costs no query beyond the one that read the row.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import translation
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _


def translated(default: str, translations: Mapping[str, Any] | None, language: str | None = None) -> str:
    """`default` in `language` (the active one unless given): its translation there, or `default` itself."""
    if translations:
        language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
        for code in (language, language.split("-")[0]):
            text = translations.get(code)
            if isinstance(text, str) and text.strip():
                return text
    return default


def in_every_language(named: object) -> dict[str, str]:
    """str(named) in each language of settings.LANGUAGES: for content stored now and read later by someone
    whose language is not known yet (a mail rendered in its recipient's language)."""
    names = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            names[code] = str(named)
    return names


def other_languages() -> list[tuple[str, Any]]:
    """The languages a name may be translated into: every one of settings.LANGUAGES but the default."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class TranslatedName(models.Model):
    """A model whose name (the `translated_field`, `name` unless said otherwise) is given per language."""

    translated_field: ClassVar[str] = "name"

    name_translations = models.JSONField(
        _("translations of the name"),
        default=dict,
        blank=True,
        editable=False,  # edited through one text field per language (name_translations_form)
        help_text=_("Language code -> the name in that language; the default language's name is the name itself."),
    )

    class Meta:
        abstract = True

    @property
    def translated_name(self) -> str:
        """The name in the active language, the default one where it has no translation."""
        return translated(getattr(self, self.translated_field), self.name_translations)


def translation_field_name(field: str, code: str) -> str:
    return f"{field}_{code.replace('-', '_')}"


class NameTranslationsForm(forms.ModelForm):
    """Shows the model's `name_translations` as one text field per other language, and stores them back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.name_translations or {}
        for code, _language in other_languages():
            name = translation_field_name(self.instance.translated_field, code)
            if name in self.fields and not self.is_bound:
                self.fields[name].initial = stored.get(code, "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Languages no longer offered keep what they had; an emptied field drops its language.
        translations = {
            code: text
            for code, text in (self.instance.name_translations or {}).items()
            if code not in dict(other_languages())
        }
        for code, _language in other_languages():
            text = (cleaned.get(translation_field_name(self.instance.translated_field, code)) or "").strip()
            if text:
                translations[code] = text
        self.instance.name_translations = translations
        return cleaned


def name_translations_form(model: type[TranslatedName]) -> type[NameTranslationsForm]:
    """A model form for `model` with a "Name (Swedish)" field for each language but the default."""
    field = model._meta.get_field(model.translated_field)
    assert isinstance(field, models.Field)
    max_length = getattr(field, "max_length", None)
    extra: dict[str, Any] = {
        translation_field_name(model.translated_field, code): forms.CharField(
            label=format_lazy("{} ({})", capfirst(field.verbose_name), language),
            required=False,
            max_length=max_length,
        )
        for code, language in other_languages()
    }
    meta = type("Meta", (), {"model": model, "fields": "__all__"})
    return type(f"{model.__name__}NameTranslationsForm", (NameTranslationsForm,), {**extra, "Meta": meta})


class NameTranslationsAdmin(admin.options.BaseModelAdmin):
    """Admin (or inline) of a TranslatedName model: the translations in a fieldset of their own."""

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        model: Any = self.model
        names = [translation_field_name(model.translated_field, code) for code, _language in other_languages()]
        rest = [
            (title, {**options, "fields": [f for f in options["fields"] if f not in names]})
            for title, options in fieldsets
        ]
        return [*rest, (_("Translations"), {"fields": names})]
