"""What happened on a ticket: its Events (the audit trail), comments, attachments and watchers."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.choices import (
    EventKind,
)
from tickets.models.ticket import Ticket


class Event(models.Model):
    """Append-only audit row: who changed what on a ticket, from what to what, and when."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the system made the change."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=32, blank=True)
    old = models.JSONField(_("before"), default=dict, blank=True)
    new = models.JSONField(_("after"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("shown to the requester"), default=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created"),
            # "Recently escalated" on the dashboard.
            models.Index(fields=["kind", "created_at"], name="event_kind_created"),
            models.Index(fields=["action", "created_at"], name="event_action_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class CommentManager(models.Manager["Comment"]):
    """Comments without their `search` vector, which only the staff search reads (in SQL)."""

    def get_queryset(self) -> models.QuerySet["Comment"]:
        return super().get_queryset().defer("search")


def mail_sender_label(name: str, email: str) -> str:
    """How a reply by mail from someone without a login is signed: the name it came with, else the local part
    of its address."""
    return name or email.split("@")[0]


class Comment(models.Model):
    """A public reply or an internal note. Attachments hang off comments."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"), blank=True)
    # A reply by mail from someone without a login (a requester with no account, a watcher known by address):
    # who wrote it, as the mail said. Empty when `author` wrote it.
    sender_email = models.EmailField(_("written from"), blank=True, default="")
    sender_name = models.CharField(_("written by"), max_length=200, blank=True, default="")
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    # Its words as written (the `simple` configuration: a comment is in whatever language its writer used),
    # for the staff search; on PostgreSQL only (tickets.search).
    search = SearchVectorField(null=True, blank=True, editable=False)

    objects = CommentManager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.created_at:%Y-%m-%d %H:%M}"


# Every attachment's file lives under this folder of MEDIA_ROOT; the orphan sweep (tickets.attachments) walks it.
ATTACHMENT_FOLDER = "attachments"


def _attachment_path(instance, filename: str) -> str:
    # The stored name is generated: what the uploader called the file is kept only as `original_name`. Being
    # new (a random UUID), it is never another file's: a failed write removes what is there without looking.
    extension = Path(filename).suffix.lower()[:10]
    return f"{ATTACHMENT_FOLDER}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT, which is never served: they leave only through a view that checks rights."""

    def url(self, name):
        raise ValueError("Private files have no public URL; link to the download view instead.")


class Attachment(models.Model):
    """A file on a ticket. Sent with a comment (internal when the note is), or with the first report."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=PrivateStorage(), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        # The orphan sweep asks which of a batch of file names have a row: one index look-up per name.
        indexes = [models.Index(fields=["file"], name="attachment_file")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_internal(self) -> bool:
        return self.comment is not None and self.comment.is_internal


class Watcher(models.Model):
    """Someone who follows a ticket's public updates: a user of the desk or any email address."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watching",
    )
    email = models.EmailField(_("email address"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        # The table keeps the name it had when watchers lived in the notifications app.
        db_table = "notifications_watcher"
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="watcher_unique_user"),
            models.UniqueConstraint(
                fields=["ticket", "email"], condition=~models.Q(email=""), name="watcher_unique_email"
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""), name="watcher_user_or_email"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user or self.email)
