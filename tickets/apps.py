from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # The outbox learns the ticket kinds of news: their labels, wording and who may be offered them.
        from tickets.notices import webhooks
        from tickets.notices.kinds import register_kinds

        register_kinds()
        webhooks.register()  # and the events webhooks may subscribe to
