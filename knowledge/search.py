"""One search for staff: tickets (by number, subject, description and comments), articles, employees (name,
email, employee number) and devices (asset tag, serial number, model), grouped, the best first.

Each group starts from what the searcher may see (tickets.permissions, knowledge.permissions, the staff and
device capabilities) and finds with the same rule as its own full list, so "All matching" shows the same
things and more. Ticket text is matched with PostgreSQL's full-text search (tickets.search): every word of
the search, stemmed in any of the desk's six languages, against each ticket's stored vector (index
ticket_search), and the comments' words as written (their own vectors, index comment_search). Bounded at a
million tickets as the similar solved tickets are: the latest WINDOW tickets (and their comments) first, the
older ones only when those hold too few, read from the index and ordered by an expression so that PostgreSQL
never walks back through every row looking for a rare word. On the quick start's SQLite every word must
appear in the text, any case (`full_text=False`; both paths are tested).

Anything may be typed: only letters and digits reach the query, at most MAX_LENGTH characters are read,
and a search of fewer than MIN_LENGTH characters finds nothing rather than everything.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchRank
from django.db.models import F, Max, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from accounts import permissions as roles
from accounts.permissions import Someone
from assets.models import Device, Employee
from assets.selectors import devices_matching, employees_matching
from knowledge.selectors import articles_found
from tickets import search
from tickets.models import Comment, Ticket
from tickets.permissions import comments_visible_to, ticket_number_from, tickets_visible_to

# The shortest search that is looked for, and the longest text read of one.
MIN_LENGTH = 2
MAX_LENGTH = 200
# What a group shows in the header's results.
GROUP_SIZE = 5
# The latest tickets (by number) whose text is ranked first; their comments are about three times as many.
WINDOW = 20_000
COMMENT_WINDOW = 3 * WINDOW
# The quick start's candidates, latest first, before its ranking.
FALLBACK_CANDIDATES = 200


def cleaned(text: str) -> str:
    """The search as it is looked for: at most MAX_LENGTH characters, spaces tidied."""
    return " ".join(str(text or "")[:MAX_LENGTH].split())


@dataclass(frozen=True)
class TicketHit:
    ticket: Ticket  # with requester and assignee read
    by_number: bool = False
    comment: Comment | None = None  # the comment it was found by, when only a comment matched


@dataclass
class Group:
    """One kind of thing found: up to GROUP_SIZE of them, the best first, and the link to all of them."""

    key: str
    hits: list = field(default_factory=list)
    more: bool = False  # there are more than shown
    link: str = ""


@dataclass
class Results:
    query: str
    groups: list[Group] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return any(group.hits for group in self.groups)


def may_search(user: Someone) -> bool:
    return roles.can(user, "knowledge.search")


def everything(user: Someone, text: str, *, limit: int = GROUP_SIZE, full_text: bool | None = None) -> Results:
    """What `user` may see that matches `text`, by kind, `limit` of each, the best first. Eight queries at
    most on PostgreSQL, whatever the number of rows."""
    query = cleaned(text)
    results = Results(query)
    if len(query) < MIN_LENGTH or not may_search(user):
        return results
    use_full_text = search.enabled() if full_text is None else full_text
    hits, more = tickets_found(user, query, limit=limit, full_text=use_full_text)
    results.groups.append(Group("tickets", hits, more, _link("knowledge:search", q=query, group="tickets")))
    articles = articles_found(user, query, limit=limit + 1, full_text=use_full_text)
    results.groups.append(Group("articles", articles[:limit], len(articles) > limit, _link("knowledge:index", q=query)))
    if roles.can(user, "staff.view"):
        employees = list(
            employees_matching(Employee.objects.select_related("department"), query).order_by(
                "-is_active", "last_name", "first_name", "pk"
            )[: limit + 1]
        )
        numbered = [e for e in employees if e.employee_number.lower() == query.lower()]
        employees = numbered + [e for e in employees if e not in numbered]
        results.groups.append(
            Group("employees", employees[:limit], len(employees) > limit, _link("assets:employee_list", q=query))
        )
    if roles.can(user, "assets.view"):
        devices = list(
            devices_matching(Device.objects.select_related("assigned_to"), query).order_by("asset_tag", "pk")[
                : limit + 1
            ]
        )
        tagged = [d for d in devices if query.lower() in (d.asset_tag.lower(), d.serial_number.lower())]
        devices = tagged + [d for d in devices if d not in tagged]
        results.groups.append(
            Group("devices", devices[:limit], len(devices) > limit, _link("assets:device_list", q=query))
        )
    return results


def _link(name: str, **params: str) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


# --- tickets -----------------------------------------------------------------------------------------------


def tickets_found(
    user: Someone, text: str, *, limit: int = GROUP_SIZE, full_text: bool | None = None
) -> tuple[list[TicketHit], bool]:
    """The tickets `user` may see that match `text`, the best first: the one numbered so, then those whose
    subject and description match (best ranked first), then those whose comments do (latest first).
    Returns them and whether there are more."""
    query = cleaned(text)
    visible = tickets_visible_to(user)
    if len(query) < MIN_LENGTH:
        return [], False
    use_full_text = search.enabled() if full_text is None else full_text
    order: list[int] = []
    number = ticket_number_from(query)
    if number is not None and visible.filter(pk=number).exists():
        order.append(number)
    finder = _by_text if use_full_text else _by_words
    by_text, by_comment = finder(visible, comments_visible_to(user), query, limit + 1)
    for pk in by_text:
        if pk not in order:
            order.append(pk)
    comments: dict[int, int] = {}
    for ticket_id, comment_id in by_comment:
        if ticket_id not in order and len(order) <= limit:
            order.append(ticket_id)
            comments[ticket_id] = comment_id
    more = len(order) > limit
    order = order[:limit]
    tickets = Ticket.objects.filter(pk__in=order).select_related("requester", "assignee", "category").in_bulk()
    found = Comment.objects.filter(pk__in=[comments[pk] for pk in order if pk in comments]).in_bulk()
    return [
        TicketHit(tickets[pk], by_number=pk == number, comment=found.get(comments.get(pk, 0)))
        for pk in order
        if pk in tickets
    ], more


def _by_text(
    visible: QuerySet[Ticket], readable: QuerySet[Comment], text: str, wanted: int
) -> tuple[list[int], list[tuple[int, int]]]:
    """PostgreSQL: the ticket ids whose text matches, best first, and (ticket id, comment id) of the comments
    that match, latest first; each from the latest tickets first and the older only when those hold too
    few. Two to six queries."""
    query = search.every_word_any_language(text)
    if query is None:
        return [], []
    newest = Ticket.objects.aggregate(newest=Max("pk"))["newest"] or 0
    recent = Q(pk__gt=newest - WINDOW)
    by_text: list[int] = []
    for where in (recent, ~recent):
        by_text += (
            visible.filter(where, search=query)
            .annotate(rank=SearchRank(F("search"), query, normalization=32))
            .order_by("-rank", "-pk")
            .values_list("pk", flat=True)[: wanted - len(by_text)]
        )
        if len(by_text) >= wanted:
            break
    by_comment: list[tuple[int, int]] = []
    said = search.said_in_comments(text)
    if len(by_text) < wanted and said is not None:
        comments = readable.filter(search=said)
        newest_comment = Comment.objects.aggregate(newest=Max("pk"))["newest"] or 0
        recent_comment = Q(pk__gt=newest_comment - COMMENT_WINDOW)
        # The latest comments' vectors are read in order of number; the older ones from the index, ordered by
        # an expression so that PostgreSQL never walks back through every comment for a rare word.
        by_comment += comments.filter(recent_comment).order_by("-pk").values_list("ticket_id", "pk")[: wanted * 2]
        if len({ticket for ticket, _comment in by_comment} - set(by_text)) < wanted - len(by_text):
            by_comment += (
                comments.exclude(recent_comment)
                .annotate(latest=F("pk") + 0)
                .order_by("-latest")
                .values_list("ticket_id", "pk")[: wanted * 2]
            )
    return by_text, by_comment


def _by_words(
    visible: QuerySet[Ticket], readable: QuerySet[Comment], text: str, wanted: int
) -> tuple[list[int], list[tuple[int, int]]]:
    """SQLite: the latest tickets with every word in their subject or description, those with most words in
    the subject first; then the latest comments with every word. Two queries."""
    rows = (
        visible.filter(search.as_written(("subject", "description"), text))
        .order_by("-pk")
        .values_list("pk", "subject")[:FALLBACK_CANDIDATES]
    )
    mine = set(search.words(text))
    ranked = sorted(rows, key=lambda row: (-len(mine & set(search.words(row[1]))), -row[0]))
    by_text = [pk for pk, _subject in ranked[:wanted]]
    by_comment: list[tuple[int, int]] = []
    if len(by_text) < wanted:
        by_comment = list(
            readable.filter(search.as_written(("body",), text))
            .order_by("-pk")
            .values_list("ticket_id", "pk")[: wanted * 2]
        )
    return by_text, by_comment


# The most the tickets group's full list holds: the latest matches of the text and of the comments each.
MATCHES_LISTED = 500


def tickets_matching(user: Someone, text: str, *, full_text: bool | None = None) -> list[int]:
    """The numbers of the tickets `user` may see that match `text` (by number, subject and description, or a
    comment), the latest first, at most MATCHES_LISTED of each way: the tickets group's full list, read a
    page at a time (tickets_listed). Three queries at most, each from its index."""
    query = cleaned(text)
    visible = tickets_visible_to(user)
    if len(query) < MIN_LENGTH:
        return []
    use_full_text = search.enabled() if full_text is None else full_text
    number = ticket_number_from(query)
    found: set[int] = set()
    if number is not None:
        found |= set(visible.filter(pk=number).values_list("pk", flat=True))
    if use_full_text:
        text_query = search.every_word_any_language(query)
        said = search.said_in_comments(query)
        by_text = visible.filter(search=text_query) if text_query is not None else visible.none()
        in_comments = comments_visible_to(user).filter(search=said) if said is not None else Comment.objects.none()
        # Ordered by an expression: from the indexes, never a walk back through every row for a rare word.
        found |= set(
            by_text.annotate(latest=F("pk") + 0).order_by("-latest").values_list("pk", flat=True)[:MATCHES_LISTED]
        )
        found |= set(
            in_comments.annotate(latest=F("pk") + 0)
            .order_by("-latest")
            .values_list("ticket_id", flat=True)[:MATCHES_LISTED]
        )
    else:
        found |= set(
            visible.filter(search.as_written(("subject", "description"), query))
            .order_by("-pk")
            .values_list("pk", flat=True)[:MATCHES_LISTED]
        )
        found |= set(
            comments_visible_to(user)
            .filter(search.as_written(("body",), query))
            .order_by("-pk")
            .values_list("ticket_id", flat=True)[:MATCHES_LISTED]
        )
    return sorted(found, reverse=True)


def tickets_listed(numbers: list[int]) -> list[Ticket]:
    """The tickets of `numbers` (already checked visible), in that order, with what a row shows: one query."""
    tickets = Ticket.objects.filter(pk__in=numbers).select_related("requester", "assignee", "category").in_bulk()
    return [tickets[pk] for pk in numbers if pk in tickets]
