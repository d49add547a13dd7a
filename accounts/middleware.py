import zoneinfo

from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Activate the logged-in user's chosen language and time zone for the request.

    Runs after LocaleMiddleware and AuthenticationMiddleware: an explicit choice on the profile beats
    the browser's Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.time_zone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
