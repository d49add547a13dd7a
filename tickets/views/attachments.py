"""A ticket's files, downloaded."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase
from django.views.decorators.cache import never_cache

from tickets import attachments, permissions
from tickets.views.common import SignedInRequest


@never_cache
@login_required
def attachment_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """A file, only to those who may see it, always as a download and never sniffed as something else."""
    return attachments.download_response(permissions.get_attachment_for(request.user, pk))
