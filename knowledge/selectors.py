"""Every non-trivial read of the knowledge base. Each starts from what the reader may see
(knowledge.permissions.articles_visible_to), so a list, a search or a suggestion built on these never shows
a requester an article that is not for them."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.permissions import Someone
from knowledge.models import Article, ArticleLink, ArticleSource, ArticleStatus, ProblemSolved
from knowledge.permissions import articles_visible_to
from tickets import search
from tickets.models import Ticket

# The longest search text looked at: more is cut, never refused.
MAX_QUERY = 200


@dataclass(frozen=True)
class ArticleFilters:
    query: str = ""
    status: str = ""
    audience: str = ""
    language: str = ""
    category: int | None = None
    order: str = ""  # "", or "helped", "avoided", "linked": the most first


# The staff list's orders: the latest change first, or the most used.
ORDERS = {
    "": ("-updated_at", "-pk"),
    "helped": ("-helped_count", "-updated_at", "-pk"),
    "avoided": ("-avoided_count", "-updated_at", "-pk"),
    "linked": ("-linked_count", "-updated_at", "-pk"),
}


# What of an article is searched where there is no full-text search.
ARTICLE_TEXT = ("title", "keywords", "body")


def articles_matching(qs: QuerySet[Article], query: str, *, full_text: bool | None = None) -> QuerySet[Article]:
    """Articles with every word of `query` in their title, keywords or text. On PostgreSQL by their stored
    vector, each word stemmed in any of the desk's languages (so "printers" finds "printer", "skrivare"
    "skrivaren"); on the quick start's SQLite as written, any case. Operators, quotes and the like are plain
    characters here, and a long text is cut."""
    use_full_text = search.enabled() if full_text is None else full_text
    query = query[:MAX_QUERY]
    if use_full_text:
        words = search.every_word_any_language(query)
        return qs if words is None else qs.filter(search=words)
    return qs.filter(search.as_written(ARTICLE_TEXT, query)) if search.words(query) else qs


def articles_found(user: Someone, query: str, *, limit: int = 5, full_text: bool | None = None) -> list[Article]:
    """The staff search's articles: what `user` may read with every word of `query`, the best first (the
    best ranked on PostgreSQL, the latest changed on SQLite), published before drafts and retired."""
    use_full_text = search.enabled() if full_text is None else full_text
    qs = articles_matching(articles_visible_to(user), query, full_text=use_full_text).select_related("category")
    published = Case(When(status=ArticleStatus.PUBLISHED, then=Value(0)), default=Value(1))
    if use_full_text:
        words = search.every_word_any_language(query[:MAX_QUERY])
        if words is None:
            return []
        qs = qs.annotate(rank=SearchRank(F("search"), words, normalization=32)).order_by(
            published, "-rank", "-updated_at", "-pk"
        )
    else:
        qs = qs.order_by(published, "-updated_at", "-pk")
    return list(qs[:limit])


# The suggestions on the report form: how many, and how many candidates are ranked for them.
SUGGESTIONS = 4
SUGGESTION_CANDIDATES = 40


def articles_suggested(
    user: Someone, text: str, language: str, *, limit: int = SUGGESTIONS, full_text: bool | None = None
) -> list[Article]:
    """Help before the ticket: the published articles `user` may read that match what they are typing, the
    best first, one version of each article (theirs when there is one). Any word counts, the articles with
    most of them rank first; a version in the reader's language counts a little more. On SQLite, the articles
    sharing a word, ranked by how many."""
    use_full_text = search.enabled() if full_text is None else full_text
    published = articles_visible_to(user).filter(status=ArticleStatus.PUBLISHED)
    text = text[:MAX_QUERY]
    ranked: list[tuple[float, Article]] = []
    if use_full_text:
        words = search.any_word_any_language(text)
        if words is None:
            return []
        rows = (
            published.filter(search=words)
            .annotate(rank=SearchRank(F("search"), words, normalization=32))
            .order_by("-rank", "-helped_count", "-pk")[:SUGGESTION_CANDIDATES]
        )
        ranked = [(float(article.rank), article) for article in rows]
    else:
        mine = set(search.words(text))
        if not mine:
            return []
        any_word = search.as_written(ARTICLE_TEXT, text, every=False)
        for article in published.filter(any_word).order_by("-helped_count", "-pk")[:SUGGESTION_CANDIDATES]:
            theirs = set(search.words(f"{article.title} {article.keywords} {article.body}"))
            ranked.append((len(mine & theirs) / len(mine), article))
    ranked = [(score + (0.1 if article.language == language else 0.0), article) for score, article in ranked]
    ranked.sort(key=lambda pair: (-pair[0], -pair[1].helped_count, -pair[1].pk))
    chosen: list[Article] = []
    families: set[int] = set()
    for _score, article in ranked:
        if article.family_id not in families:
            families.add(article.family_id)
            chosen.append(article)
        if len(chosen) == limit:
            break
    return chosen


def articles_for_staff(user: Someone, filters: ArticleFilters) -> QuerySet[Article]:
    """The staff list: what `user` may see, filtered, latest change first, with what each row shows."""
    qs = articles_visible_to(user).select_related("owner", "category")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.audience:
        qs = qs.filter(audience=filters.audience)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.category is not None:
        qs = qs.filter(category_id=filters.category)
    if filters.query:
        qs = articles_matching(qs, filters.query)
    return qs.order_by(*ORDERS.get(filters.order, ORDERS[""]))


def language_first(qs: QuerySet[Article], language: str) -> QuerySet[Article]:
    """`qs` in `language` first, then the other languages; the most helpful first within each."""
    return qs.annotate(
        in_other_language=Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("in_other_language", "-helped_count", "title", "pk")


def articles_for_reader(user: Someone, language: str, query: str = "") -> QuerySet[Article]:
    """The "Help articles" list: what `user` may read, in `language` first, then the others. A subject
    written in the reader's language is listed once, in that language (not again in every other)."""
    visible = articles_visible_to(user)
    qs = visible.exclude(Q(family__in=visible.filter(language=language).values("family")) & ~Q(language=language))
    if query:
        qs = articles_matching(qs, query)
    return language_first(qs.select_related("category"), language)


def article_versions(user: Someone, article: Article) -> list[Article]:
    """The other language versions of `article` that `user` may read, in the order of settings.LANGUAGES."""
    order = [code for code, _name in settings.LANGUAGES]
    versions = list(articles_visible_to(user).filter(family_id=article.family_id).exclude(pk=article.pk))
    return sorted(versions, key=lambda version: order.index(version.language) if version.language in order else 99)


def article_languages_missing(article: Article) -> list[tuple[str, str]]:
    """The languages (code, name) no version of `article`'s family is written in yet."""
    taken = set(Article.objects.filter(family_id=article.family_id).values_list("language", flat=True))
    return [(code, str(name)) for code, name in settings.LANGUAGES if code not in taken]


def article_source_tickets(article: Article) -> list[Ticket]:
    """The tickets `article` was written from, latest first."""
    return [
        source.ticket
        for source in ArticleSource.objects.filter(article=article)
        .select_related("ticket")
        .order_by("-added_at", "-pk")
    ]


def article_linked_tickets(article: Article, limit: int = 50) -> list[ArticleLink]:
    """The latest tickets `article` was used on, with who linked it."""
    return list(
        ArticleLink.objects.filter(article=article)
        .select_related("ticket", "linked_by")
        .order_by("-linked_at", "-pk")[:limit]
    )


def ticket_articles(user: Someone, ticket: Ticket) -> dict[str, list[Article]]:
    """For a ticket's page: the articles used on it and the articles written from it, as `user` may see."""
    visible = articles_visible_to(user)
    used = list(visible.filter(links__ticket=ticket).order_by("title", "pk"))
    written = list(visible.filter(sources__ticket=ticket).order_by("title", "pk"))
    return {"used": used, "written": written}


def articles_review_due(today: date) -> QuerySet[Article]:
    """Published articles whose review day has come and whose owner has not been reminded of that day."""
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, review_on__lte=today)
        .exclude(review_reminded_for=F("review_on"))
        .select_related("owner")
        .order_by("pk")
    )


def write_up_initial(ticket: Ticket) -> dict[str, object]:
    """A draft article from a solved ticket: its subject, the problem as described, the resolution and its
    code, and the device model, as Markdown in the writer's language (the active one)."""
    parts = [f"# {_('The problem')}", "", ticket.description.strip() or "—", "", f"# {_('The solution')}", ""]
    parts += [ticket.resolution_notes.strip() or "—", ""]
    if ticket.resolution_code:
        parts.append(f"- **{_('Resolution code')}:** {ticket.get_resolution_code_display()}")
    model = ""
    if ticket.device is not None:
        model = " ".join(part for part in (ticket.device.manufacturer, ticket.device.model) if part)
        if model:
            parts.append(f"- **{_('Device model')}:** {model}")
    return {
        "title": ticket.subject,
        "body": "\n".join(parts).strip() + "\n",
        "category": ticket.category_id,
        "keywords": model,
        "language": get_language() or settings.LANGUAGE_CODE,
    }


def problems_solved(spans: tuple[tuple[date, date], ...], within: tuple[str, str] = ("", "")) -> tuple[int, ...] | None:
    """How many problems requesters solved with an article instead of a ticket in each of `spans` (first and
    last desk day), whole or `within` a department, location or article category (by id, as the reports'
    filters give them); None within a filter they have nothing to do with (a tier, a priority, a channel).
    One query over the day index: a few rows a day, never the tickets."""
    kind, member = within
    fields = {"department": "department_id", "location": "location_id", "category": "article__category_id"}
    if kind and kind not in fields:
        return None
    if kind and not member.isdigit():
        return tuple(0 for _span in spans)
    qs = ProblemSolved.objects.filter(
        day__range=(min(first for first, _last in spans), max(last for _first, last in spans)),
        **({fields[kind]: int(member)} if kind else {}),
    )
    counts = qs.aggregate(
        **{f"span{index}": Count("pk", filter=Q(day__range=span)) for index, span in enumerate(spans)}
    )
    return tuple(counts[f"span{index}"] for index in range(len(spans)))
