from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        # The outbox learns the review reminder: its words and its own mail templates.
        from knowledge import reviews

        reviews.register_kind()
