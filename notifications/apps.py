from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The profile page (accounts) offers the kinds of news a person's role may be sent.
        from accounts.offers import offer_notification_kinds
        from notifications.kinds import choices_offered_to_role

        offer_notification_kinds(choices_offered_to_role)
