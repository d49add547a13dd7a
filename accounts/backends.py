from django.contrib.auth.backends import ModelBackend

from accounts.permissions import can


class RoleBackend(ModelBackend):
    """Email login, and the admin's model permissions derived from the role rules.

    Managers administer: inside the admin they may do what Django's per-model permissions would
    otherwise have to be granted for one by one.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if can(user_obj, "admin.access"):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if can(user_obj, "admin.access"):
            return True
        return super().has_module_perms(user_obj, app_label)


def login_name(request, credentials) -> str | None:
    """The account name django-axes counts failures against (AXES_USERNAME_CALLABLE): the email as typed,
    without case or surrounding spaces, as the login matches it. Otherwise "Anna@x" and "anna@x" would each
    get their own allowance of guesses."""
    value = credentials.get("username") if credentials else request.POST.get("username")
    if not value:
        return None
    return str(value).strip().lower()
