from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The rollups follow every ticket change, in its transaction (tickets imports nothing of reports).
        from reports import monthly, rollups
        from tickets.followers import follow_tickets

        follow_tickets(rollups.follow)
        # The outbox learns the monthly summary: its words and its own mail templates.
        monthly.register_kind()
