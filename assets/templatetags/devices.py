"""Device cards other apps' pages show, so those apps need not import the inventory's code."""

from typing import Any

from django import template

from assets.selectors import devices_of_user

register = template.Library()


@register.inclusion_tag("assets/_my_devices.html")
def my_devices(user: Any) -> dict[str, Any]:
    """The card of the devices assigned to `user`: all a requester ever sees of the inventory."""
    return {"my_devices": list(devices_of_user(user))}
