"""Every write to the knowledge base: the pages, the admin, Celery beat and (later) self-help call these.

Each takes the acting user as `by=` and asks knowledge.permissions.can first: a role without the right gets
PermissionDenied, whoever calls. Rules of the knowledge base itself (one version per language) raise
KnowledgeError with a message for the person who tried. Counters move with F() in the database, so two
requests at once never lose a count.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.expressions import CombinedExpression
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assets.models import Employee
from core.days import day_of
from knowledge import permissions, reviews, selectors
from knowledge.models import (
    Article,
    ArticleFamily,
    ArticleLink,
    ArticleSource,
    ArticleStatus,
    ArticleVote,
    Audience,
    ProblemSolved,
)
from notifications.models import Notification, NotificationChannel
from notifications.services import notifications_save
from tickets import search
from tickets.models import Category, Ticket

# What the article form may change; status moves only through publish and retire, the counters only here.
EDITABLE_FIELDS = frozenset({"title", "body", "category", "keywords", "language", "audience", "review_on"})


class KnowledgeError(Exception):
    """A rule of the knowledge base was broken; the message is for the person who tried."""


def _require(by: User, action: str, article: Article | None = None) -> None:
    if not permissions.can(by, action, article):
        raise PermissionDenied


@dataclass(frozen=True)
class ArticleFields:
    """What an author writes: the fields of the article form."""

    title: str
    body: str
    language: str
    audience: str = Audience.STAFF
    category: Category | None = None
    keywords: str = ""
    review_on: date | None = None


def article_create(
    *,
    by: User,
    fields: ArticleFields,
    version_of: Article | None = None,
    source_ticket: Ticket | None = None,
    now: datetime | None = None,
) -> Article:
    """A new draft owned by `by`. `version_of`: the same subject in another language (its family; one version
    per language). `source_ticket`: the solved ticket it was written up from, kept as its source."""
    _require(by, "knowledge.write")
    if version_of is not None:
        _require(by, "translate", version_of)
    if source_ticket is not None and not permissions.may_write_up(by, source_ticket):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        if version_of is not None:
            family = ArticleFamily.objects.select_for_update().get(pk=version_of.family_id)
            if Article.objects.filter(family=family, language=fields.language).exists():
                raise KnowledgeError(_("This article already has a version in that language."))
        else:
            family = ArticleFamily.objects.create(created_at=now)
        article = Article.objects.create(
            family=family,
            owner=by,
            status=ArticleStatus.DRAFT,
            created_at=now,
            updated_at=now,
            **_field_values(fields),
        )
        if source_ticket is not None:
            ArticleSource.objects.create(article=article, ticket=source_ticket, added_by=by, added_at=now)
    return article


def article_vector(*, title: str, keywords: str, body: str, language: str) -> CombinedExpression | None:
    """The `search` value of an article (None off PostgreSQL): title and keywords first, then the text, stemmed
    in the article's language (tickets.search)."""
    if not search.enabled():
        return None
    config = search.config_of(language)
    return (
        SearchVector(Value(title), config=config, weight="A")
        + SearchVector(Value(keywords), config=config, weight="A")
        + SearchVector(Value(body), config=config, weight="B")
    )


def _field_values(fields: ArticleFields) -> dict[str, Any]:
    return {
        "search": article_vector(
            title=fields.title, keywords=fields.keywords, body=fields.body, language=fields.language
        ),
        "title": fields.title,
        "body": fields.body,
        "language": fields.language,
        "audience": fields.audience,
        "category": fields.category,
        "keywords": fields.keywords,
        "review_on": fields.review_on,
    }


def article_update(*, article: Article, by: User, fields: ArticleFields, now: datetime | None = None) -> Article:
    """Save an author's changes. A language another version of the family already has is refused."""
    _require(by, "edit", article)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if (
            fields.language != locked.language
            and Article.objects.filter(family_id=locked.family_id, language=fields.language).exists()
        ):
            raise KnowledgeError(_("This article already has a version in that language."))
        for name, value in _field_values(fields).items():
            setattr(locked, name, value)
        locked.updated_at = now or timezone.now()
        locked.save()
    return locked


def article_publish(*, article: Article, by: User, now: datetime | None = None) -> Article:
    """Publish a draft, or bring back a retired article: requesters see it if its audience is them."""
    _require(by, "publish", article)
    now = now or timezone.now()
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.PUBLISHED, published_at=now, updated_at=now)
    article.refresh_from_db()
    return article


def article_retire(*, article: Article, by: User, now: datetime | None = None) -> Article:
    """Take an article out of use: no requester sees it any more, and it is not offered to staff."""
    _require(by, "retire", article)
    now = now or timezone.now()
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.RETIRED, updated_at=now)
    article.refresh_from_db()
    return article


def article_viewed(*, article: Article, by: User) -> None:
    """Count a reading of a published article (its author's own readings excluded)."""
    if (
        article.status != ArticleStatus.PUBLISHED
        or article.owner_id == by.pk
        or not permissions.can(by, "view", article)
    ):
        return
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def article_vote(*, article: Article, by: User) -> bool:
    """`by` says "This helped": counted once per person and article. Returns whether it was counted now."""
    _require(by, "vote", article)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ArticleVote.objects.create(article=article, user=by)
        except IntegrityError:  # voted before (perhaps in a request running beside this one)
            return False
        Article.objects.filter(pk=article.pk).update(helped_count=F("helped_count") + 1)
    return True


def article_link_ticket(*, article: Article, ticket: Ticket, by: User, now: datetime | None = None) -> bool:
    """`by` used `article` on `ticket`, which they work: the ticket lists the article, the article counts the
    ticket. Returns whether the link is new."""
    if not permissions.may_link(by, article, ticket):
        raise PermissionDenied
    try:
        with transaction.atomic():
            ArticleLink.objects.create(article=article, ticket=ticket, linked_by=by, linked_at=now or timezone.now())
            Article.objects.filter(pk=article.pk).update(linked_count=F("linked_count") + 1)
    except IntegrityError:  # linked already
        return False
    return True


def article_avoided_ticket(*, article: Article, by: User, now: datetime | None = None) -> bool:
    """`by` read `article` while reporting a problem and says "This solved it": nothing is filed, the article
    counts a ticket avoided and the desk report a problem solved without a ticket, within `by`'s department
    and location. Once a day per person and article. Returns whether it was counted now."""
    _require(by, "vote", article)
    now = now or timezone.now()
    employee = Employee.objects.filter(user=by).only("department_id", "location_id").first()
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProblemSolved.objects.create(
                    article=article,
                    user=by,
                    department_id=employee.department_id if employee else None,
                    location_id=employee.location_id if employee else None,
                    day=day_of(now),
                    at=now,
                )
        except IntegrityError:  # said so today already (perhaps in a request running beside this one)
            return False
        Article.objects.filter(pk=article.pk).update(avoided_count=F("avoided_count") + 1)
    return True


def article_review_reminders_send(*, now: datetime | None = None) -> int:
    """Once a day (Celery beat): one reminder through the outbox to the owner of each published article
    whose review day has come, once per review date; a new review date is reminded of again. Safe to run
    twice at once (the articles are claimed). Returns how many reminders were queued."""
    now = now or timezone.now()
    today = day_of(now)
    with transaction.atomic():
        due = list(selectors.articles_review_due(today).select_for_update(skip_locked=True, of=("self",)))
        rows = [
            Notification(
                recipient=article.owner,
                email=article.owner.email,
                kind=reviews.KIND,
                channel=NotificationChannel.EMAIL,
                context=reviews.reminder_content(article),
                created_at=now,
            )
            for article in due
            if article.owner.is_active and article.owner.email
        ]
        Article.objects.filter(pk__in=[article.pk for article in due]).update(review_reminded_for=F("review_on"))
        notifications_save(rows)
    return len(rows)
