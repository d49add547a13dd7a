from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HelpdeskConfig(AppConfig):
    """The project package as an app: it holds the project-wide management commands."""

    name = "helpdesk"
    default = True


class HelpdeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with access decided by the role rules in accounts.permissions."""

    default = False
    default_site = "helpdesk.admin.HelpdeskAdminSite"
