from typing import Any

from django import template

from accounts.permissions import can as can_rule

register = template.Library()


@register.filter
def can(user: Any, action: str) -> bool:
    """`{% if request.user|can:"assets.view" %}`: the same rule the views apply."""
    return can_rule(user, action)
