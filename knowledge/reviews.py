"""The review reminder: the outbox's kind of mail that tells an article's owner its review day has come.

Registered with the outbox when the app is ready (KnowledgeConfig.ready), like the reports' monthly summary:
its words, its own pair of mail templates (templates/emails/article_review.txt and .html), and how its
values are filled from a row's stored content, in the recipient's language when the mail is rendered.
knowledge.services.article_review_reminders_send writes the rows.
"""

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from knowledge.models import Article
from notifications import kinds

KIND = "article_review"


def register_kind() -> None:
    kinds.register(
        kinds.Kind(
            value=KIND,
            label=_("Review reminder of a help article"),
            headline=_("Time to review %(reference)s: %(title)s"),
            intro=_(
                "Your help article was due for review on %(review_on)s. Check that it is still right, then "
                "set a new review date, or retire the article."
            ),
            audience="",  # part of owning an article: never offered to switch off
            values=_values,
            details=_details,
            template="emails/article_review",
        )
    )


def _values(data: dict[str, Any]) -> dict[str, Any]:
    review_on = data.get("review_on")
    return {
        "reference": data.get("reference", ""),
        "title": data.get("title", ""),
        # Named as the recipient reads dates: filled in when the mail is rendered, in their language.
        "review_on": formats.date_format(date.fromisoformat(review_on), "DATE_FORMAT") if review_on else "",
    }


def _details(data: dict[str, Any]) -> dict[str, Any]:
    return {"reference": data.get("reference", ""), "url": data.get("path", ""), "page_path": data.get("path", "")}


def reminder_content(article: Article) -> dict[str, Any]:
    """What one reminder stores: plain values, rendered later in the owner's language."""
    assert article.review_on is not None
    return {
        "article": article.pk,
        "reference": article.reference,
        "title": article.title,
        "review_on": article.review_on.isoformat(),
        "path": article.get_absolute_url(),
    }
