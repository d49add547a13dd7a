"""Canned replies: answers a technician does not type again, with placeholders filled from the ticket."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReplyThen(models.TextChoices):
    """The status a canned reply moves the ticket to once sent (a workflow action's name)."""

    NOTHING = "", _("Leave the status as it is")
    WAIT_ON_REQUESTER = "wait_on_requester", _("Wait on the requester")
    WAIT_ON_VENDOR = "wait_on_vendor", _("Wait on a vendor")


class CannedReply(models.Model):
    """A reply template: a title to find it by, a text per language with placeholders ({first_name},
    {ticket}, {device}, {technician}), and what follows the reply (a status, minutes logged). Shared by the
    desk (`owner` empty; coordinators manage them) or private to one technician."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), help_text=_("Used for any language without its own text below."))
    # The text in each language the desk speaks, by code; empty ones fall back to `body`.
    bodies = models.JSONField(_("texts by language"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("private to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
    )
    then = models.CharField(_("then"), max_length=20, choices=ReplyThen.choices, blank=True, default="")
    minutes = models.PositiveSmallIntegerField(_("minutes to log"), default=0)
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last update"), default=timezone.now)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["owner", "title"], name="canned_reply_owner_title")]

    def __str__(self) -> str:
        return self.title

    def text_in(self, language: str) -> str:
        """The text for a reader of `language` ("sv", "nb"...), else the default text."""
        return (self.bodies or {}).get((language or "")[:2], "") or self.body
