"""The tickets about an employee or a device, and a device's repairs, shown on the inventory's pages.

The inventory (assets) sits under tickets and imports none of its code: its pages load this tag.
"""

from typing import Any

from django import template
from django.core.paginator import Paginator

from accounts.permissions import can
from assets.models import Device, Employee
from tickets import selectors

register = template.Library()

PER_PAGE = 25


@register.inclusion_tag("tickets/_history_section.html", takes_context=True)
def ticket_history(context: Any, *, employee: Employee | None = None, device: Device | None = None) -> dict[str, Any]:
    """Every ticket of `employee`, or the full history of `device`, that the viewer may see, newest first,
    a page at a time (`?tickets_page=`)."""
    request = context["request"]
    if device is not None:
        tickets = selectors.tickets_about_device(request.user, device)
    elif employee is not None:
        tickets = selectors.tickets_about_employee(request.user, employee)
    else:
        raise template.TemplateSyntaxError("ticket_history needs an employee or a device.")
    page = Paginator(tickets, PER_PAGE).get_page(request.GET.get("tickets_page"))
    return {"request": request, "tickets": page}


@register.inclusion_tag("tickets/work/_device_repairs.html", takes_context=True)
def device_repairs(context: Any, device: Device) -> dict[str, Any]:
    """A device's repairs, the latest first, for staff who may see its history; nothing for others."""
    request = context["request"]
    if not can(request.user, "tickets.view_all"):
        return {"repairs": None}
    return {"repairs": selectors.device_repairs(device), "device": device}
