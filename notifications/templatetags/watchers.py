from django import template

from notifications.forms import WatcherForm
from notifications.models import Watcher
from tickets.permissions import can_act

register = template.Library()


@register.inclusion_tag("notifications/_watchers.html", takes_context=True)
def ticket_watchers(context, ticket):
    """The watchers box of a ticket page: who follows it, and (for who may) add or remove. One query."""
    user = context["request"].user
    may_manage = can_act(user, "reply", ticket)
    return {
        "ticket": ticket,
        "watchers": list(Watcher.objects.filter(ticket=ticket).select_related("user").order_by("created_at", "pk")),
        "may_manage": may_manage,
        "form": context.get("watcher_form") or (WatcherForm() if may_manage else None),
        "csrf_token": context.get("csrf_token"),
    }
