"""The knowledge base: articles written from real solutions, their versions in other languages, and how
they are used (the tickets they came from, the tickets they helped, the people they helped).

Only knowledge.services writes these rows. The relations to tickets live here: tickets knows nothing of
articles (its page shows them through the `knowledge` template tags).
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from tickets.models import Ticket


class Audience(models.TextChoices):
    REQUESTERS = "requesters", _("Requesters and staff")
    STAFF = "staff", _("Staff only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", pgettext_lazy("article", "Retired")


class ArticleFamily(models.Model):
    """One subject written in one or more languages: the versions of an article share a family, one per
    language."""

    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article family")
        verbose_name_plural = _("article families")

    def __str__(self) -> str:
        return f"#{self.pk}"


class Article(models.Model):
    """A help article in one language. Shown as KB-<pk>."""

    family = models.ForeignKey(
        ArticleFamily, verbose_name=_("family"), on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: # heading, **bold**, - list, [link](https://…)."))
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Words people use for this problem, separated by commas."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.STAFF)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_articles"
    )
    review_on = models.DateField(
        _("review on"), null=True, blank=True, help_text=_("The owner is reminded by email on this day.")
    )
    # The review date the owner was last reminded of: a date is reminded of once, a new date again.
    review_reminded_for = models.DateField(_("review reminded for"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last update"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Counters, kept by the services with F() so concurrent requests never lose one.
    view_count = models.PositiveIntegerField(_("views"), default=0, db_default=0, editable=False)
    helped_count = models.PositiveIntegerField(_("“this helped”"), default=0, db_default=0, editable=False)
    linked_count = models.PositiveIntegerField(_("tickets linked"), default=0, db_default=0, editable=False)
    avoided_count = models.PositiveIntegerField(_("tickets avoided"), default=0, db_default=0, editable=False)
    # Title and keywords (weight A) and text (B) in the article's language, for the suggestions on the
    # report form and the staff search: written by knowledge.services, read only on PostgreSQL.
    search = SearchVectorField(null=True, blank=True, editable=False)
    source_tickets: "models.ManyToManyField[Ticket, ArticleSource]" = models.ManyToManyField(
        "tickets.Ticket",
        through="ArticleSource",
        related_name="source_of_articles",
        verbose_name=_("written from"),
        blank=True,
    )
    linked_tickets: "models.ManyToManyField[Ticket, ArticleLink]" = models.ManyToManyField(
        "tickets.Ticket",
        through="ArticleLink",
        related_name="articles_used",
        verbose_name=_("used on"),
        blank=True,
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["family", "language"], name="article_one_version_per_language"),
        ]
        indexes = [
            # The requesters' list: published articles for requesters, by language.
            models.Index(
                fields=["language", "-helped_count", "title"],
                condition=models.Q(status="published", audience="requesters"),
                name="article_for_requesters",
            ),
            models.Index(fields=["status", "-updated_at", "id"], name="article_status_updated"),
            # The daily review reminder: published articles whose review day has come.
            models.Index(fields=["review_on"], condition=models.Q(status="published"), name="article_review_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"KB-{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleSource(models.Model):
    """A ticket an article was written from ("Write up this solution")."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="sources")
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="article_sources"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("source ticket")
        verbose_name_plural = _("source tickets")
        constraints = [models.UniqueConstraint(fields=["article", "ticket"], name="article_source_once")]

    def __str__(self) -> str:
        return f"KB-{self.article_id} ← HD-{self.ticket_id}"


class ArticleLink(models.Model):
    """An article a technician used on a ticket they worked: counted as a ticket linked."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="article_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket linked")
        verbose_name_plural = _("tickets linked")
        constraints = [models.UniqueConstraint(fields=["article", "ticket"], name="article_link_once")]
        indexes = [models.Index(fields=["ticket", "linked_at"], name="article_link_ticket")]

    def __str__(self) -> str:
        return f"KB-{self.article_id} → HD-{self.ticket_id}"


class ArticleVote(models.Model):
    """One person's "This helped" on one article: one each, ever."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="article_votes"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("“this helped” vote")
        verbose_name_plural = _("“this helped” votes")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="article_vote_once")]

    def __str__(self) -> str:
        return f"KB-{self.article_id} ✓ {self.user_id}"


class ProblemSolved(models.Model):
    """A requester read an article while reporting a problem and said "This solved it": a ticket avoided.
    Who and where they work are kept so the desk report can count it within a department or location; once
    a day per person and article, so a double click is not two tickets avoided."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="problems_solved"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="problems_solved"
    )
    department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    location = models.ForeignKey(
        "assets.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    day = models.DateField(_("day"))  # the desk's day (settings.TIME_ZONE), as the reports count
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("problem solved without a ticket")
        verbose_name_plural = _("problems solved without a ticket")
        constraints = [
            models.UniqueConstraint(fields=["article", "user", "day"], name="problem_solved_once_a_day"),
        ]
        indexes = [models.Index(fields=["day"], name="problem_solved_day")]

    def __str__(self) -> str:
        return f"KB-{self.article_id} ✓ {self.user_id} {self.day}"
