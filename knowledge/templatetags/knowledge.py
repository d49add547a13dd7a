"""The knowledge base on other apps' pages, and its Markdown in its own.

tickets knows nothing of articles: its ticket page loads these tags, and only this app reads its tables.
"""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from knowledge import selectors
from knowledge.permissions import can, may_write_up
from knowledge.rendering import render_markdown
from tickets.models import Ticket

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """`{{ article.body|markdown }}`: the article's Markdown as sanitised HTML (knowledge.rendering)."""
    return render_markdown(text)


@register.inclusion_tag("knowledge/_ticket_box.html", takes_context=True)
def ticket_knowledge(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """A ticket page's box of help articles, for staff: the articles used on it and written from it,
    linking one more by its number, and "Write up this solution" once it is solved. Two queries; nothing
    for requesters."""
    user = context["request"].user
    if not can(user, "knowledge.read_all"):
        return {"shown": False}
    articles = selectors.ticket_articles(user, ticket)
    return {
        "shown": True,
        "ticket": ticket,
        "used": articles["used"],
        "written": articles["written"],
        "may_write_up": may_write_up(user, ticket),
        "may_link": can(user, "knowledge.write"),
        "csrf_token": context.get("csrf_token"),
    }
