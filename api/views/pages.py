"""The pages of the API: a person's tokens, every token for managers, and the reference."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import require
from api import forms, reference, selectors, services
from api.models import ApiToken


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's own tokens; a new one is shown once, on the page that made it."""
    form = forms.TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created = services.token_create(
                by=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["access"] == "read",
                expires_at=form.expires_at(),
            )
            form = forms.TokenForm()
        else:
            status = 400
    context = {"form": form, "created": created, "tokens": list(selectors.tokens_of(request.user))}  # type: ignore[arg-type]
    return render(request, "api/tokens.html", context, status=status)


@login_required
def tokens_all(request: HttpRequest) -> HttpResponse:
    """Every token of every person, for managers: who has one, what it may do, when it was last used."""
    require(request.user, "accounts.manage")
    return render(request, "api/tokens_all.html", {"tokens": list(selectors.tokens_all(request.user)[:500])})  # type: ignore[arg-type]


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    token = get_object_or_404(ApiToken, pk=pk)
    if not services.may_revoke(request.user, token):  # type: ignore[arg-type]
        raise Http404  # someone else's token, like one that does not exist
    services.token_revoke(token=token, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The token %(name)s is revoked: it no longer works.") % {"name": token.name})
    if token.user_id != request.user.pk:
        return redirect("api:tokens_all")
    return redirect("api:tokens")


def docs(request: HttpRequest) -> HttpResponse:
    """The API's reference, read from its schema: every operation, its fields and its answers."""
    info, groups = reference.reference()
    return render(request, "api/reference.html", {"info": info, "groups": groups})


def console(request: HttpRequest) -> HttpResponse:
    """Swagger UI over the schema, from the site's own static files: calls tried out with the session."""
    return render(request, "api/docs.html")
