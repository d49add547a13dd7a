"""The knowledge base's pages: the staff list and article pages, writing, publishing, the requesters' help
articles. Thin views: permission (knowledge.permissions) -> form (knowledge.forms) -> service
(knowledge.services) -> redirect; reads through knowledge.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import Someone
from knowledge import search as staff_search
from knowledge import selectors, services
from knowledge.forms import (
    ArticleFilterForm,
    ArticleForm,
    LinkArticleForm,
    LinkTicketForm,
    ReaderSearchForm,
)
from knowledge.models import Article
from knowledge.permissions import can, get_article_for, may_write_up
from tickets.models import Ticket
from tickets.permissions import get_ticket_for
from tickets.views.common import SignedInRequest

PAGE_SIZE = 25


def _require(user: Someone, action: str, article: Article | None = None) -> User:
    """The acting user, when they may take `action` (on `article`); 403 otherwise."""
    if can(user, action, article):
        return user
    raise PermissionDenied


def _staff(user: Someone) -> bool:
    return can(user, "knowledge.read_all")


# --- lists -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: SignedInRequest) -> HttpResponse:
    """Staff: every article, filtered. Requesters: the help articles, in their language first."""
    if _staff(request.user):
        form = ArticleFilterForm(request.GET or None)
        filters = form.filters()
        qs = selectors.articles_for_staff(request.user, filters)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "knowledge/list.html", {"form": form, "filters": filters, "page": page})
    _require(request.user, "knowledge.read")
    search = ReaderSearchForm(request.GET or None)
    query = search.query()
    qs = selectors.articles_for_reader(request.user, get_language() or "en", query)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledge/help.html", {"form": search, "query": query, "page": page})


# --- one article -------------------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    article = get_article_for(request.user, pk)
    user = _require(request.user, "view", article)
    services.article_viewed(article=article, by=user)
    context = {
        "article": article,
        "versions": selectors.article_versions(user, article),
        "has_voted": article.votes.filter(user=user).exists(),
        "may_vote": can(user, "vote", article),
    }
    if not _staff(user):
        return render(request, "knowledge/read.html", context)
    context.update(
        {
            "sources": selectors.article_source_tickets(article),
            "links": selectors.article_linked_tickets(article),
            "missing_languages": selectors.article_languages_missing(article),
            "may": {action: can(user, action, article) for action in ("edit", "publish", "retire", "translate")},
        }
    )
    return render(request, "knowledge/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: SignedInRequest) -> HttpResponse:
    user = _require(request.user, "knowledge.write")
    form = ArticleForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        article = services.article_create(by=user, fields=form.article_fields())
        messages.success(request, _("The draft %(reference)s is saved.") % {"reference": article.reference})
        return redirect(article)
    return render(request, "knowledge/form.html", {"form": form, "article": None})


@login_required
@require_http_methods(["GET", "POST"])
def write_up(request: SignedInRequest, number: int) -> HttpResponse:
    """ "Write up this solution": a new draft prefilled from a solved ticket, which becomes its source."""
    ticket = get_ticket_for(request.user, number)
    user = _require(request.user, "knowledge.write")
    if not may_write_up(user, ticket):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, initial=selectors.write_up_initial(ticket))
    if request.method == "POST" and form.is_valid():
        article = services.article_create(by=user, fields=form.article_fields(), source_ticket=ticket)
        messages.success(
            request,
            _("The draft %(reference)s is saved, written from %(ticket)s.")
            % {"reference": article.reference, "ticket": ticket.reference},
        )
        return redirect(article)
    return render(request, "knowledge/form.html", {"form": form, "article": None, "ticket": ticket})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: SignedInRequest, pk: int) -> HttpResponse:
    article = get_article_for(request.user, pk)
    user = _require(request.user, "edit", article)
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(article=article, by=user, fields=form.article_fields())
        except services.KnowledgeError as error:
            form.add_error("language", str(error))
        else:
            messages.success(request, _("The changes to %(reference)s are saved.") % {"reference": article.reference})
            return redirect(article)
    return render(request, "knowledge/form.html", {"form": form, "article": article})


@login_required
@require_http_methods(["GET", "POST"])
def translate(request: SignedInRequest, pk: int) -> HttpResponse:
    """Add a version of an article in a language it is not written in yet."""
    original = get_article_for(request.user, pk)
    user = _require(request.user, "translate", original)
    languages = selectors.article_languages_missing(original)
    if not languages:
        messages.info(request, _("This article is written in every language of the desk."))
        return redirect(original)
    initial = {
        "title": original.title,
        "body": original.body,
        "category": original.category_id,
        "keywords": original.keywords,
        "audience": original.audience,
        "review_on": original.review_on,
    }
    form = ArticleForm(request.POST or None, initial=initial, languages=languages)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(by=user, fields=form.article_fields(), version_of=original)
        except services.KnowledgeError as error:
            form.add_error("language", str(error))
        else:
            messages.success(request, _("The draft %(reference)s is saved.") % {"reference": article.reference})
            return redirect(article)
    return render(request, "knowledge/form.html", {"form": form, "article": None, "original": original})


@login_required
@require_POST
def publish(request: SignedInRequest, pk: int) -> HttpResponse:
    article = get_article_for(request.user, pk)
    user = _require(request.user, "publish", article)
    services.article_publish(article=article, by=user)
    messages.success(request, _("%(reference)s is published.") % {"reference": article.reference})
    return redirect(article)


@login_required
@require_POST
def retire(request: SignedInRequest, pk: int) -> HttpResponse:
    article = get_article_for(request.user, pk)
    user = _require(request.user, "retire", article)
    services.article_retire(article=article, by=user)
    messages.success(request, _("%(reference)s is retired.") % {"reference": article.reference})
    return redirect(article)


@login_required
@require_POST
def vote(request: SignedInRequest, pk: int) -> HttpResponse:
    """ "This helped": one vote per person and article; a second is thanked, not counted."""
    article = get_article_for(request.user, pk)
    user = _require(request.user, "vote", article)
    services.article_vote(article=article, by=user)
    if request.htmx:
        return render(request, "knowledge/_vote.html", {"article": article, "has_voted": True, "may_vote": True})
    messages.success(request, _("Thank you: your vote helps others find this article."))
    return redirect(article)


@login_required
@require_POST
def link_ticket(request: SignedInRequest, pk: int) -> HttpResponse:
    """From an article's page: the article was used on this ticket (HD-1042)."""
    article = get_article_for(request.user, pk)
    user = _require(request.user, "knowledge.write")
    form = LinkTicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a ticket number such as HD-1042."))
        return redirect(article)
    ticket = get_ticket_for(user, form.cleaned_data["ticket"])
    return _link(request, user, article, ticket, back=article.get_absolute_url())


@login_required
@require_POST
def link_article(request: SignedInRequest, number: int) -> HttpResponse:
    """From a ticket's page: the article used on it (KB-12)."""
    ticket = get_ticket_for(request.user, number)
    user = _require(request.user, "knowledge.write")
    form = LinkArticleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give an article number such as KB-12."))
        return redirect(ticket)
    try:
        article = get_article_for(user, form.cleaned_data["article"])
    except Http404:
        messages.error(request, _("There is no article %(reference)s.") % {"reference": request.POST.get("article")})
        return redirect(ticket)
    return _link(request, user, article, ticket, back=ticket.get_absolute_url())


def _link(request: SignedInRequest, user: User, article: Article, ticket: Ticket, back: str) -> HttpResponse:
    try:
        created = services.article_link_ticket(article=article, ticket=ticket, by=user)
    except PermissionDenied:
        messages.error(
            request,
            _("Only who works %(ticket)s can link an article to it, and not a retired article.")
            % {"ticket": ticket.reference},
        )
        return redirect(back)
    if created:
        messages.success(
            request,
            _("%(reference)s is linked to %(ticket)s.") % {"reference": article.reference, "ticket": ticket.reference},
        )
    else:
        messages.info(
            request,
            _("%(reference)s was linked to %(ticket)s already.")
            % {"reference": article.reference, "ticket": ticket.reference},
        )
    return redirect(back)


# --- help before the ticket ----------------------------------------------------------------------------------

# The characters of a subject from which articles are suggested.
SUGGEST_FROM = 3


@login_required
@require_GET
def suggest(request: SignedInRequest) -> HttpResponse:
    """Report a problem: the published articles that match the subject being typed (an htmx fragment, or a
    page of its own without JavaScript)."""
    user = _require(request.user, "knowledge.read")
    text = str(request.GET.get("subject") or "")[: selectors.MAX_QUERY].strip()
    if len(text) < SUGGEST_FROM:
        text = ""  # too little typed yet to say anything
    articles = selectors.articles_suggested(user, text, get_language() or "en") if text else []
    context = {"articles": articles, "subject": text}
    if request.htmx:
        return render(request, "knowledge/_suggestions.html", context)
    return render(request, "knowledge/suggestions.html", context)


@login_required
@require_POST
def solved(request: SignedInRequest, pk: int) -> HttpResponse:
    """ "This solved it" on a suggestion: nothing is filed, a ticket avoided is counted."""
    article = get_article_for(request.user, pk)
    user = _require(request.user, "vote", article)
    services.article_avoided_ticket(article=article, by=user)
    messages.success(
        request,
        _("Good to hear it is solved. Nothing was sent to the help desk; report a problem whenever you need to."),
    )
    return redirect("home")


# --- the staff search ----------------------------------------------------------------------------------------

SEARCH_PAGE = 25


@login_required
@require_GET
def search_everything(request: SignedInRequest) -> HttpResponse:
    """The header's search: tickets, articles, employees and devices, grouped; with `group=tickets`, every
    matching ticket, the latest first, a page at a time."""
    user = _require(request.user, "knowledge.search")
    query = staff_search.cleaned(request.GET.get("q", ""))
    context: dict[str, object] = {"query": query, "too_short": 0 < len(query) < staff_search.MIN_LENGTH}
    if request.GET.get("group") == "tickets":
        # A page and one row more (to know there is a next), never a count of every match.
        raw = str(request.GET.get("page") or "1")
        number = min(int(raw), 10_000) if raw.isdigit() and int(raw) > 0 else 1
        offset = (number - 1) * SEARCH_PAGE
        numbers = staff_search.tickets_matching(user, query)
        rows = staff_search.tickets_listed(numbers[offset : offset + SEARCH_PAGE + 1])
        context.update(
            {
                "tickets": rows[:SEARCH_PAGE],
                "number": number,
                "has_next": len(rows) > SEARCH_PAGE,
                "capped": len(numbers) >= staff_search.MATCHES_LISTED,
            }
        )
        return render(request, "knowledge/search_tickets.html", context)
    context["results"] = staff_search.everything(user, query)
    return render(request, "knowledge/search.html", context)
