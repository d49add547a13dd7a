from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from accounts.permissions import home_url_for


@login_required
def home(request):
    """Send each role to where its work is."""
    return redirect(home_url_for(request.user))


@never_cache
def health(request):
    """Liveness for a load balancer: the process answers. Short and without a database query."""
    return HttpResponse("ok", content_type="text/plain")
