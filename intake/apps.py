from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Email intake")

    def ready(self) -> None:
        # The outbox learns the automatic answer to a received message: its words and its mail templates.
        from intake import answers

        answers.register_kind()
