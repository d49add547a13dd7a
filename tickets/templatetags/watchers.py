from typing import Any

from django import template
from django.utils.translation import gettext as _

from accounts.permissions import can
from tickets.models import Ticket, Watcher
from tickets.notices.forms import WatcherForm
from tickets.permissions import can_act, may_remove_watcher

register = template.Library()


@register.inclusion_tag("tickets/notices/_watchers.html", takes_context=True)
def ticket_watchers(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """The watchers box of a ticket page: who follows it, and (for who may) add or remove. One query.

    Staff see every watcher's address; a requester sees people by name, and never a staff member's address.
    """
    user = context["request"].user
    may_manage = can_act(user, "reply", ticket)
    staff_view = can(user, "tickets.work")
    watchers = list(Watcher.objects.filter(ticket=ticket).select_related("user").order_by("created_at", "pk"))
    rows = [
        {
            "watcher": watcher,
            "shown": _shown(watcher, staff_view),
            "removable": may_remove_watcher(user, watcher, ticket),
        }
        for watcher in watchers
    ]
    return {
        "ticket": ticket,
        "rows": rows,
        "may_manage": may_manage,
        "form": context.get("watcher_form") or (WatcherForm(outside_allowed=staff_view) if may_manage else None),
        "csrf_token": context.get("csrf_token"),
    }


def _shown(watcher: Watcher, staff_view: bool) -> str:
    person = watcher.user
    if person is None:
        return watcher.email
    name = person.get_full_name()
    if staff_view:
        return f"{name} <{person.email}>" if name else person.email
    if can(person, "tickets.work"):
        return person.first_name or str(_("Someone at the help desk"))
    return name or person.email
