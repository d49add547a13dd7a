"""tickets.permissions.can is the one entry point for ticket access: capabilities without a ticket, actions on
one with it; can_act and actions_for answer the same; the visibility of tickets lives there too."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions as roles
from tests import factories
from tickets import permissions, selectors

pytestmark = pytest.mark.django_db

ROLES = ("requester", "technician", "coordinator", "manager")


@pytest.mark.parametrize("role", ROLES)
def test_without_a_ticket_it_is_the_role_capability(role, request):
    user = request.getfixturevalue(role)
    for action in sorted(roles.ALL_ACTIONS):
        assert permissions.can(user, action) == roles.can(user, action)


@pytest.mark.parametrize("role", ROLES)
def test_with_a_ticket_it_answers_what_can_act_and_actions_for_answer(role, request, ticket, assigned_ticket):
    user = request.getfixturevalue(role)
    for one in (ticket, assigned_ticket):
        offered = permissions.actions_for(user, one)
        for action in (*permissions.TICKET_ACTIONS, "escalate", "resolve", "cancel"):
            assert permissions.can(user, action, one) == permissions.can_act(user, action, one)
            assert permissions.can(user, action, one) == (action in offered)


def test_an_unknown_action_is_a_programming_error(technician, ticket):
    with pytest.raises(ValueError, match="Unknown"):
        permissions.can(technician, "tickets.fly")
    with pytest.raises(ValueError, match="Unknown"):
        permissions.can(technician, "fly", ticket)


def test_visibility_is_decided_in_permissions_and_the_selectors_name_stays(requester, requester_2, technician):
    own = factories.TicketFactory(requester=requester.employee)
    other = factories.TicketFactory(requester=requester_2.employee)
    assert selectors.tickets_visible_to is permissions.tickets_visible_to
    assert list(permissions.tickets_visible_to(requester)) == [own]
    assert set(permissions.tickets_visible_to(technician)) == {own, other}
    assert not permissions.tickets_visible_to(AnonymousUser()).exists()
    assert not permissions.tickets_visible_to(None).exists()
