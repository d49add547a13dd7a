"""The text of tickets as PostgreSQL's full-text search reads it: each ticket in the language it was written
in, and what anyone may type turned into a query that cannot fail.

A ticket keeps its `language` (the one its requester or the person logging it used) and, on PostgreSQL, a
`search` vector of its subject (weight A) and description (weight B) made with that language's
text-search configuration, so "skrivaren skriver inte" and "skrivare utskrift" meet on the same Swedish
stems. Polish has no stemmer in PostgreSQL: its tickets use the `simple` configuration, and the trigram
similarity of the subjects catches what stemming would have. A query is made of the words of the text
asked about, stemmed in its language and joined by OR (`any_words`): the best matches rank first, none is
required, and no operator, quote or SQL anyone types can reach the parser.
"""

import operator
import re
from collections.abc import Iterable
from functools import reduce

from django.apps import apps as installed_apps
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.expressions import CombinedExpression

# The text-search configuration of each language the desk speaks.
CONFIGS = {"en": "english", "sv": "swedish", "es": "spanish", "nb": "norwegian", "nl": "dutch", "pl": "simple"}
# A query uses at most this many words (the first ones: a subject and the start of its description), each of
# at most WORD_LENGTH characters, read from at most TEXT_LENGTH characters.
MAX_WORDS = 24
WORD_LENGTH = 40
TEXT_LENGTH = 4000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def language_of(code: str | None) -> str:
    """One of the desk's languages: `code` ("sv", "pt-br" → the desk's own), else the desk's default."""
    short = (code or "").split("-")[0].lower()
    return short if short in CONFIGS else settings.LANGUAGE_CODE.split("-")[0]


def config_of(code: str | None) -> str:
    return CONFIGS.get(language_of(code), "simple")


def enabled() -> bool:
    """Full-text search runs on PostgreSQL; the quick start on SQLite ranks by shared words instead."""
    return connection.vendor == "postgresql"


def words(text: str) -> list[str]:
    """The distinct words of `text` (letters and digits only, two characters or more), lower case, in order."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text[:TEXT_LENGTH]):
        word = match.group().lower()[:WORD_LENGTH]
        if len(word) >= 2 and word not in seen:
            seen[word] = None
            if len(seen) == MAX_WORDS:
                break
    return list(seen)


def vector(subject: str, description: str, language: str | None) -> CombinedExpression | None:
    """The `search` value of a ticket written in `language` (None off PostgreSQL): an expression that can
    be stored on creation or in an update."""
    if not enabled():
        return None
    config = config_of(language)
    return SearchVector(Value(subject), config=config, weight="A") + SearchVector(
        Value(description), config=config, weight="B"
    )


def any_words(text: str, language: str | None) -> SearchQuery | None:
    """A query matching any word of `text`, stemmed in `language`; None when it has no word."""
    found = words(text)
    if not found:
        return None
    # Letters and digits only, joined by "or": a web-search query that cannot be malformed.
    return SearchQuery(" or ".join(found), config=config_of(language), search_type="websearch")


# The configuration of the comments' words: as written, whatever the language.
COMMENT_CONFIG = "simple"


def comment_vector(body: str) -> SearchVector | None:
    """The `search` value of a comment (None off PostgreSQL)."""
    return SearchVector(Value(body), config=COMMENT_CONFIG) if enabled() else None


def said_in_comments(text: str, max_words: int = 8) -> SearchQuery | None:
    """A query matching comments with every word of `text` as written (any case); None without a word."""
    found = words(text)[:max_words]
    return SearchQuery(" ".join(found), config=COMMENT_CONFIG, search_type="plain") if found else None


def as_written(fields: Iterable[str], text: str, *, every: bool = True, max_words: int = 8) -> Q:
    """Where there is no full-text search (the quick start's SQLite): `fields` holding every word of `text`
    (`every=False`: any of them), as written, in any case. A text without a word matches nothing."""
    names = list(fields)
    found = words(text)[:max_words]
    if not found:
        return Q(pk__in=[])
    conditions = [reduce(operator.or_, (Q(**{f"{name}__icontains": word}) for name in names)) for word in found]
    return reduce(operator.and_ if every else operator.or_, conditions)


def _in_every_language(word: str) -> SearchQuery:
    """`word` stemmed by each language's configuration, any of them: matches a text of any language."""
    query = SearchQuery(word, config="simple", search_type="plain")
    for config in sorted(set(CONFIGS.values()) - {"simple"}):
        query |= SearchQuery(word, config=config, search_type="plain")
    return query


def every_word_any_language(text: str, max_words: int = 8) -> SearchQuery | None:
    """A query matching texts with every word of `text` (at most `max_words`), each word stemmed in any of the
    desk's languages: what someone searching a desk whose tickets are written in six languages means. None
    when `text` has no word."""
    found = without_stop_words(words(text)[:max_words])
    if not found:
        return None
    query = _in_every_language(found[0])
    for word in found[1:]:
        query &= _in_every_language(word)
    return query


# Whether a word is a stop word of some language, as PostgreSQL said: the same for the life of the process.
_STOP_WORDS: dict[str, bool] = {}
_STOP_WORDS_KEPT = 10_000


def without_stop_words(found: list[str]) -> list[str]:
    """`found` without the words some language's configuration leaves out of every text ("the", "och", "de"):
    a ticket written in English has no "the" in its vector, so a query that requires one would find nothing.
    One small query for the words not asked about before; all of `found` when every word is a stop word (a
    Polish ticket, kept whole, may still match)."""
    if not found or not enabled():
        return found
    unknown = [word for word in found if word not in _STOP_WORDS]
    if unknown:
        configs = sorted(set(CONFIGS.values()) - {"simple"})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, EXISTS (SELECT 1 FROM unnest(%s::regconfig[]) AS config"
                " WHERE numnode(plainto_tsquery(config, word)) = 0) FROM unnest(%s::text[]) AS word",
                [configs, unknown],
            )
            if len(_STOP_WORDS) > _STOP_WORDS_KEPT:
                _STOP_WORDS.clear()
            _STOP_WORDS.update(dict(cursor.fetchall()))
    return [word for word in found if not _STOP_WORDS.get(word)] or found


def any_word_any_language(text: str, max_words: int = 12) -> SearchQuery | None:
    """A query matching texts with any word of `text`, each stemmed in any of the desk's languages: ranked, the
    texts with most of them come first. None when `text` has no word."""
    found = words(text)[:max_words]
    if not found:
        return None
    query = _in_every_language(found[0])
    for word in found[1:]:
        query |= _in_every_language(word)
    return query


def fill(*, apps=installed_apps) -> int:
    """Make the `search` vector of every ticket from its text, one statement per language (after a bulk load;
    in the migration that added it, whose `apps` it is given). Nothing off PostgreSQL; returns the tickets."""
    if not enabled():
        return 0
    ticket_model = apps.get_model("tickets", "Ticket")
    done = 0
    for code in CONFIGS:
        config = config_of(code)
        # A ticket of no known language counts as written in the desk's own.
        same = [code, ""] if code == language_of(None) else [code]
        done += ticket_model.objects.filter(language__in=same).update(
            search=SearchVector(F("subject"), config=config, weight="A")
            + SearchVector(F("description"), config=config, weight="B")
        )
    return done


def fill_comments(*, apps=installed_apps) -> int:
    """Make the `search` vector of every comment that has none (after a bulk load; in the migration that added
    it). Nothing off PostgreSQL; returns the comments."""
    if not enabled():
        return 0
    comment_model = apps.get_model("tickets", "Comment")
    return comment_model.objects.filter(search__isnull=True).update(
        search=SearchVector(F("body"), config=COMMENT_CONFIG)
    )
