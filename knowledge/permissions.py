"""Who may read and change which article: the one place that decides, built on accounts.permissions.

- Staff ("knowledge.read_all") read every article, drafts, staff-only and retired ones included.
- Requesters ("knowledge.read") read only published articles whose audience is requesters. Any other article
  is a 404 for them, exactly like one that does not exist, so nobody learns which articles exist.
- Technicians, coordinators and managers write ("knowledge.write") and publish ("knowledge.publish").

`can(user, action, article=None)` is the one entry point: without an article it is the role capability of
accounts.permissions ("knowledge.write"...); with one, whether `user` may take that action on it now ("view",
"edit", "publish", "retire", "translate", "vote"). knowledge.services asks it for the actor of every write.
"""

from typing import TypeGuard

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions as roles
from accounts.models import User
from accounts.permissions import Someone
from knowledge.models import Article, ArticleStatus, Audience
from tickets import permissions as ticket_permissions
from tickets.models import SOLVED_STATUSES, Ticket

ARTICLE_ACTIONS = ("view", "edit", "publish", "retire", "translate", "vote")

# What a requester may read: published, and written for them.
FOR_REQUESTERS = Q(status=ArticleStatus.PUBLISHED, audience=Audience.REQUESTERS)


def articles_visible_to(user: Someone) -> QuerySet[Article]:
    """The articles `user` may read: every article for staff, the published ones for requesters to others
    who may read, none to anyone else. Every list and every page starts from here."""
    if roles.can(user, "knowledge.read_all"):
        return Article.objects.all()
    if roles.can(user, "knowledge.read"):
        return Article.objects.filter(FOR_REQUESTERS)
    return Article.objects.none()


def _may_view(user: Someone, article: Article) -> bool:
    if roles.can(user, "knowledge.read_all"):
        return True
    return (
        roles.can(user, "knowledge.read")
        and article.status == ArticleStatus.PUBLISHED
        and article.audience == Audience.REQUESTERS
    )


def _can_on_article(user: Someone, action: str, article: Article) -> bool:
    if action == "view":
        return _may_view(user, article)
    if action == "edit":
        return roles.can(user, "knowledge.write") and article.status != ArticleStatus.RETIRED
    if action == "translate":
        return roles.can(user, "knowledge.write") and article.status != ArticleStatus.RETIRED
    if action == "publish":
        return roles.can(user, "knowledge.publish") and article.status != ArticleStatus.PUBLISHED
    if action == "retire":
        return roles.can(user, "knowledge.publish") and article.status != ArticleStatus.RETIRED
    if action == "vote":
        return article.status == ArticleStatus.PUBLISHED and _may_view(user, article)
    raise ValueError(f"Unknown article action {action!r}.")


def can(user: Someone, action: str, article: Article | None = None) -> TypeGuard[User]:
    """May `user` take `action`? On `article` now when one is given ("view", "edit", "publish", "retire",
    "translate", "vote"); otherwise the role capability ("knowledge.write"...) of accounts.permissions."""
    if article is None:
        return roles.can(user, action)
    return _can_on_article(user, action, article)


def get_article_for(user: Someone, pk: object) -> Article:
    """The article `pk` if `user` may read it; Http404 otherwise, as for one that does not exist."""
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    article = (
        articles_visible_to(user).select_related("owner", "category", "category__parent").filter(pk=number).first()
    )
    if article is None:
        raise Http404
    return article


def may_write_up(user: Someone, ticket: Ticket) -> TypeGuard[User]:
    """ "Write up this solution": for who may write articles and see every ticket, on a solved (resolved or
    closed) ticket."""
    return (
        roles.can(user, "knowledge.write") and ticket.status in SOLVED_STATUSES and roles.can(user, "tickets.view_all")
    )


def may_link(user: Someone, article: Article, ticket: Ticket) -> TypeGuard[User]:
    """A technician links an article they used to a ticket they work (whoever may log time on it: its
    holder, a technician who could take it, any coordinator), when the article is not retired."""
    return (
        roles.can(user, "knowledge.write")
        and article.status != ArticleStatus.RETIRED
        and ticket_permissions.can(user, "log_time", ticket)
    )
