"""Devices sent to a vendor for repair from their ticket: the device's status follows, the ticket waits on
the vendor with its service-level clock paused, and the technician is reminded when it is late back."""

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assets.models import Device
from assets.services import AssetError, device_set_in_repair
from tickets import permissions, workflow
from tickets.models import EventKind, Repair, Ticket, TicketStatus
from tickets.services._change import Apply, Change, ticket_change
from tickets.services.lifecycle import ticket_resume, ticket_wait_as_next_step
from tickets.workflow import ActorNotAllowed, MissingFields, WorkflowError


def _repair_values(repair: Repair) -> dict[str, object]:
    return {
        "repair": repair.pk,
        "device": repair.device.asset_tag,
        "device_id": repair.device_id,
        "vendor": repair.vendor,
        "rma_number": repair.rma_number,
        "expected_back": repair.expected_back.isoformat() if repair.expected_back else "",
        "under_warranty": repair.under_warranty,
    }


def repair_send(
    *,
    ticket: Ticket,
    by: User,
    vendor: str,
    sent_on: date,
    device: Device | None = None,
    rma_number: str = "",
    expected_back: date | None = None,
    under_warranty: bool = False,
    cost: Decimal | None = None,
    now: datetime | None = None,
) -> Repair:
    """Send the ticket's device (or `device`) to `vendor`: the device is in repair, and the ticket waits on
    the vendor (started first if it was only assigned), its service-level clock paused until it is back."""
    now = now or timezone.now()
    device = device or ticket.device
    if device is None:
        raise MissingFields(_("This ticket names no device: set its device first."), ["device"])
    if not permissions.can(by, "log_time", ticket):
        raise ActorNotAllowed
    if not ticket.is_open:
        raise WorkflowError(_("This ticket is finished: open a new one for the repair."))
    if not vendor.strip():
        raise MissingFields(_("Say which vendor repairs it."), ["vendor"])
    if expected_back is not None and expected_back < sent_on:
        raise MissingFields(_("It cannot be back before it is sent."), ["expected_back"])
    if cost is not None and cost < 0:
        raise MissingFields(_("A cost cannot be negative."), ["cost"])
    try:
        with transaction.atomic():
            repair = Repair.objects.create(
                ticket=ticket,
                device=device,
                vendor=vendor.strip(),
                rma_number=rma_number.strip(),
                sent_on=sent_on,
                expected_back=expected_back,
                under_warranty=under_warranty,
                cost=cost,
                sent_by=by,
                created_at=now,
            )
            device_set_in_repair(device=device, by=by, in_repair=True)
            ticket_change(ticket, by=by, apply=_repair_event(repair, "repair_send"), now=now)
            ticket_wait_as_next_step(
                ticket=ticket,
                by=by,
                on="vendor",
                note=str(_("%(device)s is at %(vendor)s for repair.") % {"device": device.asset_tag, "vendor": vendor}),
                now=now,
            )
    except IntegrityError:
        raise WorkflowError(
            _("%(device)s is away for repair already: record its return first.") % {"device": device.asset_tag}
        ) from None
    except AssetError as error:
        raise WorkflowError(str(error)) from None
    return repair


def repair_return(
    *,
    repair: Repair,
    by: User,
    returned_on: date,
    outcome: str = "",
    cost: Decimal | None = None,
    now: datetime | None = None,
) -> Repair:
    """The device is back: in use again (in stock without a holder), and its ticket, if it still waits on
    the vendor, is worked again."""
    now = now or timezone.now()
    ticket = repair.ticket
    if not permissions.can(by, "log_time", ticket) and repair.sent_by_id != by.pk:
        raise ActorNotAllowed
    if returned_on < repair.sent_on:
        raise MissingFields(_("It cannot be back before it was sent."), ["returned_on"])
    if cost is not None and cost < 0:
        raise MissingFields(_("A cost cannot be negative."), ["cost"])
    with transaction.atomic():
        updated = Repair.objects.filter(pk=repair.pk, returned_on__isnull=True).update(
            returned_on=returned_on, outcome=outcome.strip(), **({"cost": cost} if cost is not None else {})
        )
        if not updated:
            raise WorkflowError(_("This repair is back already."))
        repair.refresh_from_db()
        try:
            device_set_in_repair(device=repair.device, by=by, in_repair=False)
        except AssetError as error:
            raise WorkflowError(str(error)) from None
        ticket_change(ticket, by=by, apply=_repair_event(repair, "repair_return", note=outcome.strip()), now=now)
        current = Ticket.objects.get(pk=ticket.pk)
        if current.status == TicketStatus.WAITING_VENDOR and workflow.is_allowed(current, "resume", by):
            ticket_resume(ticket=current, by=by, note=gettext("The device is back from repair."), now=now)
    return repair


def _repair_event(repair: Repair, action: str, note: str = "") -> Apply:
    def apply(locked: Ticket) -> Change:
        return Change(
            kind=EventKind.REPAIR,
            action=action,
            new=_repair_values(repair),
            note=note,
            is_public=True,
            bump=False,
            notify=False,
        )

    return apply


def repairs_remind_overdue(*, now: datetime | None = None) -> int:
    """Remind the technician of each repair past its expected day and not back, once: an alert on its
    ticket, which tells its holder (or whoever sent it). Safe to run twice at once: each is claimed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminded = 0
    due = Repair.objects.filter(returned_on__isnull=True, reminded_at__isnull=True, expected_back__lt=today)
    for repair_id in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            claimed = Repair.objects.filter(pk=repair_id, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue
            repair = Repair.objects.select_related("ticket", "device").get(pk=repair_id)

            def apply(locked: Ticket, repair: Repair = repair) -> Change:
                return Change(
                    kind=EventKind.ALERTED,
                    action="repair_overdue",
                    new={**_repair_values(repair), "sent_by": repair.sent_by_id},
                    is_public=False,
                    bump=False,
                )

            ticket_change(repair.ticket, by=None, apply=apply, now=now)
            reminded += 1
    return reminded
