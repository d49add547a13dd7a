from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.permissions import home_url_for


@login_required
def home(request):
    """Send each role to where its work is."""
    return redirect(home_url_for(request.user))


@never_cache
def health(request):
    """Liveness for a load balancer: the process answers. Short and without a database query."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links (bookmarks, tabs of a PDF, old browsers): the
    desk's icon among the static files. A temporary redirect, since the file's hashed name changes with it;
    kept a day by the browser."""
    response = HttpResponseRedirect(static("img/favicon.ico"))
    patch_cache_control(response, max_age=86400, public=True)
    return response
