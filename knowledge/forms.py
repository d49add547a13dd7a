"""Validation and normalisation for the knowledge pages. No writes: views hand cleaned data to services."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from knowledge import selectors
from knowledge.models import Article, ArticleStatus, Audience
from knowledge.services import ArticleFields
from tickets.forms.fields import TicketNumberField
from tickets.models import Category

# The longest article text accepted; a manual longer than this belongs in several articles.
BODY_MAX = 50_000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ArticleForm(forms.ModelForm):
    """Write or edit an article; the status moves with Publish and Retire, never here."""

    class Meta:
        model = Article
        fields = ["title", "language", "audience", "category", "keywords", "body", "review_on"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16}), "review_on": DateInput()}

    def __init__(self, *args: Any, languages: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.filter(is_active=True).select_related("parent").order_by("name")
        body = self.fields["body"]
        body.validators.append(MaxLengthValidator(BODY_MAX))
        body.widget.attrs["maxlength"] = str(BODY_MAX)
        if languages is not None:  # a new version: only the languages the article is not written in yet
            cast(forms.ChoiceField, self.fields["language"]).choices = languages

    def article_fields(self) -> ArticleFields:
        data = self.cleaned_data
        return ArticleFields(
            title=data["title"].strip(),
            body=data["body"],
            language=data["language"],
            audience=data["audience"],
            category=data.get("category"),
            keywords=(data.get("keywords") or "").strip(),
            review_on=data.get("review_on"),
        )


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=selectors.MAX_QUERY)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *ArticleStatus.choices])
    audience = forms.ChoiceField(label=_("Audience"), required=False, choices=[("", _("All")), *Audience.choices])
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", _("All")), *settings.LANGUAGES])
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("", _("Latest change")),
            ("helped", _("Most “this helped”")),
            ("avoided", _("Most tickets avoided")),
            ("linked", _("Most tickets linked")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Words of the title, keywords or text")
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = Category.objects.order_by("name")

    def value(self, name: str, default: Any = "") -> Any:
        # A bad value (an unknown status, a category since deleted) drops that filter only.
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def filters(self) -> selectors.ArticleFilters:
        category = self.value("category", None)
        return selectors.ArticleFilters(
            query=self.value("q"),
            status=self.value("status"),
            audience=self.value("audience"),
            language=self.value("language"),
            category=category.pk if category is not None else None,
            order=self.value("order"),
        )


class ReaderSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the help articles"), required=False, max_length=selectors.MAX_QUERY)

    def query(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return str(self.cleaned_data.get("q") or "").strip()


class LinkTicketForm(forms.Form):
    """From an article's page: the ticket it was used on, by number (HD-1042 or 1042)."""

    ticket = TicketNumberField()


class LinkArticleForm(forms.Form):
    """From a ticket's page: the article used, by its number (KB-12 or 12)."""

    article = forms.CharField(label=_("Article number"), max_length=24)

    def clean_article(self) -> int:
        text = str(self.cleaned_data["article"]).strip().upper().removeprefix("KB-")
        if not text.isdigit() or len(text) > 18 or int(text) == 0:
            raise forms.ValidationError(_("Give an article number such as KB-12."))
        return int(text)
