from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # The outbox learns the invitations, seats, reminders, changes and cancellations of sessions.
        from reports import markers
        from training import notices, selectors

        notices.register_kinds()
        # The trends report marks the sessions on its timeline.
        markers.register("training", selectors.session_markers)
