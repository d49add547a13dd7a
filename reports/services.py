"""The reports' writes: what counts as a hardware fault or a question of knowing how."""

from django.db import transaction

from accounts.models import User
from reports.tasks import reports_recount_rollups
from tickets import services as ticket_services


def report_setup_save(*, by: User, how_to_codes: list[str], kinds: dict[int, str]) -> int:
    """Save which resolution codes and which categories the reports read as training needs or hardware
    faults (tickets.services checks that `by` may). The figures already counted follow: the rollups are
    recounted from the tickets after the commit, in the background. Returns how many categories changed."""
    with transaction.atomic():
        ticket_services.training_setup_update(by=by, how_to_codes=how_to_codes)
        changed = ticket_services.categories_set_report_as(by=by, kinds=kinds)
        transaction.on_commit(reports_recount_rollups.delay)
    return changed
