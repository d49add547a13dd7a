"""A ticket's files, downloaded."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBase
from django.views.decorators.cache import never_cache

from tickets import permissions
from tickets.views.common import SignedInRequest


@never_cache
@login_required
def attachment_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """A file, only to those who may see it, always as a download and never sniffed as something else."""
    attachment = permissions.get_attachment_for(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
