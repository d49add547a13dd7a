"""The workflow actions a ticket page offers: for each, the form that reads its post, the service call that
takes it and the message said once it is taken. One table, read by the page (which forms to show) and by
the one view that takes them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext as _

from tickets import forms, services, workflow
from tickets.models import OPEN_STATUSES, Ticket
from tickets.views.common import prefixed


def _common(ticket: Ticket, by: Any, data: dict) -> dict[str, Any]:
    return {"ticket": ticket, "by": by, "expected_version": data["version"]}


def _with_note(service: Callable[..., Ticket]) -> Callable[[Ticket, Any, dict], Ticket]:
    """A service whose only input beyond the ticket is the note typed with the action."""

    def call(ticket: Ticket, by: Any, data: dict) -> Ticket:
        return service(**_common(ticket, by, data), note=data.get("note", ""))

    return call


def _bare(service: Callable[..., Ticket]) -> Callable[[Ticket, Any, dict], Ticket]:
    """A service that needs nothing but the ticket and the version seen."""

    def call(ticket: Ticket, by: Any, data: dict) -> Ticket:
        return service(**_common(ticket, by, data))

    return call


def _waiting(on: str) -> Callable[[Ticket, Any, dict], Ticket]:
    def call(ticket: Ticket, by: Any, data: dict) -> Ticket:
        return services.ticket_set_waiting(**_common(ticket, by, data), on=on, note=data.get("note", ""))

    return call


def _assign(ticket: Ticket, by: Any, data: dict) -> Ticket:
    return services.ticket_assign(**_common(ticket, by, data), assignee=data["assignee"])


def _resolve(ticket: Ticket, by: Any, data: dict) -> Ticket:
    values = {"resolution_notes": data["resolution_notes"], "resolution_code": data["resolution_code"]}
    if data.get("with_children") and ticket.children.filter(status__in=OPEN_STATUSES).exists():
        parent, _resolved, _left = services.ticket_resolve_with_children(**_common(ticket, by, data), **values)
        return parent
    return services.ticket_resolve(**_common(ticket, by, data), **values)


def _cancel(ticket: Ticket, by: Any, data: dict) -> Ticket:
    return services.ticket_cancel(
        **_common(ticket, by, data), note=data.get("note", ""), duplicate_of=data["duplicate_of"]
    )


DEFAULT_STYLE = "btn-outline-secondary"


@dataclass(frozen=True)
class Action:
    form: type[django_forms.Form]
    run: Callable[[Ticket, Any, dict], Ticket]
    style: str = DEFAULT_STYLE
    # The form is made for this person (its choices depend on what they may see).
    form_takes_user: bool = False


# In the order the ticket page offers them. The services are looked up when called, so a test's patch of
# tickets.services reaches them.
ACTIONS: dict[str, Action] = {
    "assign": Action(forms.AssignForm, _assign),
    "take": Action(forms.VersionForm, _bare(lambda **kw: services.ticket_take(**kw)), "btn-primary"),
    "start": Action(forms.VersionForm, _bare(lambda **kw: services.ticket_start(**kw)), "btn-primary"),
    "wait_on_requester": Action(forms.OptionalNoteForm, _waiting("requester")),
    "wait_on_vendor": Action(forms.OptionalNoteForm, _waiting("vendor")),
    "resume": Action(forms.OptionalNoteForm, _with_note(lambda **kw: services.ticket_resume(**kw))),
    "resolve": Action(forms.ResolveForm, _resolve, "btn-success"),
    "hand_back": Action(forms.RequiredNoteForm, _with_note(lambda **kw: services.ticket_hand_back(**kw))),
    "confirm": Action(forms.VersionForm, _bare(lambda **kw: services.ticket_confirm(**kw)), "btn-success"),
    "close": Action(forms.OptionalNoteForm, _with_note(lambda **kw: services.ticket_close(**kw))),
    "reopen": Action(forms.RequiredNoteForm, _with_note(lambda **kw: services.ticket_reopen(**kw))),
    "reopen_closed": Action(forms.RequiredNoteForm, _with_note(lambda **kw: services.ticket_reopen_closed(**kw))),
    "cancel": Action(forms.CancelForm, _cancel, "btn-outline-danger", form_takes_user=True),
}


def success_message(name: str) -> str:
    """What the person reads once action `name` is taken."""
    return _("Done: %(action)s.") % {"action": workflow.ACTION_LABELS[name]}


def action_form(name: str, ticket: Ticket, user: Any, data: Any = None) -> django_forms.Form:
    """The form of action `name`, bound to `data` when given, on the version of `ticket` the page shows. Its
    fields are prefixed with the action's name (`resolve-resolution_notes`): the ticket page shows several
    action forms at once, and their ids must not meet."""
    action = ACTIONS[name]
    kwargs = {"user": user} if action.form_takes_user else {}
    return action.form(prefixed(data, name), initial={"version": ticket.version}, prefix=name, **kwargs)
