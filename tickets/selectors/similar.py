"""How it was solved before: the solved tickets most like a ticket, with who solved them, when and how.

Found by text and boosted by what the tickets share. On PostgreSQL (tickets.search) the text is the ticket's
words, stemmed in its language, matched against every solved ticket's stored vector (index
ticket_solved_search) and ranked, subject first; the subjects' trigram similarity (index
ticket_solved_subject_trgm) adds tickets whose short or misspelt subject the stems miss. On the quick start's
SQLite the candidates are the latest solved tickets of the same category or device model, ranked by the
words they share (`shared_words`). Either way the candidates are then scored the same way (`score`): the
text's match, plus BOOST_CATEGORY for the same category and BOOST_MODEL for the same device model.

Bounded at any size: the text is matched among the WINDOW latest tickets first (a common problem has plenty
of matches there, and ranking a year of "laptop" is what made it slow) and among the older ones only when
that finds fewer than asked (a rare problem has few matches anywhere, found from the index); the subjects'
trigrams are read only when the words found too few. At most five queries.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchRank, TrigramSimilarity
from django.db.models import F, Max, Q, QuerySet, Value

from tickets import search
from tickets.models import SOLVED_STATUSES, Ticket

BOOST_CATEGORY = 0.3
BOOST_MODEL = 0.2
# The latest tickets (by number) a common problem's matches are looked for in first.
WINDOW = 20_000
# Candidates read by each way of finding them, before scoring.
CANDIDATES = 40
# The least trigram similarity of two subjects that counts (pg_trgm's own default).
TRIGRAM = 0.3
# The quick start's candidates: the latest solved tickets of the same category or device model.
FALLBACK_CANDIDATES = 300


@dataclass(frozen=True)
class Similar:
    """A solved ticket like the one asked about, and why."""

    ticket: Ticket  # with its assignee, category and device read
    score: float
    text: float  # how well the text matched, 0 to 1
    same_category: bool
    same_model: bool


def _solved(ticket: Ticket) -> QuerySet[Ticket]:
    return Ticket.objects.filter(status__in=SOLVED_STATUSES).exclude(pk=ticket.pk)


def _model_of(ticket: Ticket) -> str:
    return ticket.device.model if ticket.device_id and ticket.device else ""


def score(text: float, same_category: bool, same_model: bool) -> float:
    return round(text + BOOST_CATEGORY * same_category + BOOST_MODEL * same_model, 4)


def similar_solved(ticket: Ticket, *, limit: int = 5, full_text: bool | None = None) -> list[Similar]:
    """The `limit` solved tickets most like `ticket`, the most alike first. `full_text`: PostgreSQL's full-text
    search (the default where there is one), or the quick start's shared words (False; tested on both)."""
    use_full_text = search.enabled() if full_text is None else full_text
    found = _by_text(ticket, limit) if use_full_text else _by_shared_words(ticket)
    if not found:
        return []
    tickets = (
        Ticket.objects.filter(pk__in=list(found))
        .select_related("assignee", "category", "category__parent", "device")
        .in_bulk()
    )
    model = _model_of(ticket)
    ranked = []
    for pk, text in found.items():
        other = tickets.get(pk)
        if other is None:
            continue
        same_category = bool(ticket.category_id) and other.category_id == ticket.category_id
        same_model = bool(model) and _model_of(other) == model
        ranked.append(Similar(other, score(text, same_category, same_model), text, same_category, same_model))
    # Of as alike, the latest solution first.
    ranked.sort(key=lambda similar: (-similar.score, -similar.ticket.pk))
    return ranked[:limit]


def _by_text(ticket: Ticket, limit: int) -> dict[int, float]:
    """{ticket id: text match 0 to 1} of the candidates, on PostgreSQL: two to four queries."""
    query = search.any_words(f"{ticket.subject}\n{ticket.description}", ticket.language)
    solved = _solved(ticket)
    newest = Ticket.objects.aggregate(newest=Max("pk"))["newest"] or 0
    recent = Q(pk__gt=newest - WINDOW)
    rows: list[tuple[int, float]] = []
    if query is not None:
        for where in (recent, ~recent):  # the older ones only when the latest hold too few
            rows += (
                solved.filter(where, search=query)
                .annotate(match=SearchRank(F("search"), query, normalization=Value(32)))
                .order_by("-match", "-pk")
                .values_list("pk", "match")[:CANDIDATES]
            )
            if len(rows) >= limit:
                break
    if len(rows) < limit:
        # A short or misspelt subject the stems miss ("VNP disconects"): the subjects' trigrams.
        rows += (
            solved.filter(subject__trigram_similar=ticket.subject)
            .annotate(match=TrigramSimilarity("subject", ticket.subject))
            .order_by("-match", "-pk")
            .values_list("pk", "match")[:CANDIDATES]
        )
    found: dict[int, float] = {}
    for pk, match in rows:
        # Ranks normalised by rank/(rank+1) are under 1, like a similarity: the better of the two counts.
        found[pk] = max(found.get(pk, 0.0), float(match))
    return found


def shared_words(text: str, other: str) -> float:
    """How much of `text`'s words `other` shares, 0 to 1 (the quick start's text match)."""
    mine = set(search.words(text))
    if not mine:
        return 0.0
    return round(len(mine & set(search.words(other))) / len(mine), 4)


def _by_shared_words(ticket: Ticket) -> dict[int, float]:
    """{ticket id: text match 0 to 1} of the candidates, without full-text search: one query."""
    model = _model_of(ticket)
    alike = Q(category_id=ticket.category_id) if ticket.category_id else Q()
    if model:
        alike |= Q(device__model=model)
    if not alike:
        alike = Q(pk__isnull=False)
    text = f"{ticket.subject}\n{ticket.description}"
    rows = (
        _solved(ticket).filter(alike).order_by("-pk").values_list("pk", "subject", "description")[:FALLBACK_CANDIDATES]
    )
    found = {}
    for pk, subject, description in rows:
        match = shared_words(text, f"{subject}\n{description}")
        if match:
            found[pk] = match
    return found
