"""What several ticket forms share: attachments and their checks, the category field, a device by its tag,
the ticket a cancelled one duplicates, the key that makes a double submission harmless."""

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Someone
from assets.models import Device
from tickets import permissions
from tickets.models import (
    Category,
    Ticket,
)

# --- attachments -------------------------------------------------------------------------------

MAX_FILES = 5


class TicketNumberField(forms.CharField):
    """A ticket by its number as people write it (HD-1042, hd-1042 or 1042): cleans to the number."""

    default_error_messages = {"invalid": _("Give a ticket number such as HD-1042.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Ticket number"))
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # a number, not the text
        text = super().clean(value)
        if not text:
            return None
        number = permissions.ticket_number_from(text)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def max_attachment_bytes() -> int:
    return getattr(settings, "TICKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def _starts_with(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head.startswith(signature) for signature in signatures)


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head


_ZIP = _starts_with(b"PK\x03\x04")
# The allow-list: extension -> what the first bytes of such a file look like. A renamed executable fails.
ALLOWED_TYPES = {
    ".png": _starts_with(b"\x89PNG\r\n\x1a\n"),
    ".jpg": _starts_with(b"\xff\xd8\xff"),
    ".jpeg": _starts_with(b"\xff\xd8\xff"),
    ".gif": _starts_with(b"GIF87a", b"GIF89a"),
    ".webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    ".pdf": _starts_with(b"%PDF-"),
    ".txt": _is_text,
    ".log": _is_text,
    ".csv": _is_text,
    # A message forwarded as a file, and the original kept with every ticket or reply that came by mail.
    ".eml": _is_text,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".zip": _ZIP,
}


def validate_upload(upload) -> None:
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise forms.ValidationError(
            _("%(name)s: this kind of file cannot be attached. Allowed: %(types)s."),
            params={"name": upload.name, "types": ", ".join(sorted(ALLOWED_TYPES))},
            code="file_type",
        )
    if upload.size > max_attachment_bytes():
        raise forms.ValidationError(
            _("%(name)s is too large: files may be up to %(limit)s."),
            params={"name": upload.name, "limit": filesizeformat(max_attachment_bytes())},
            code="file_size",
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if not ALLOWED_TYPES[extension](head):
        raise forms.ValidationError(
            _("%(name)s does not look like a %(type)s file."),
            params={"name": upload.name, "type": extension.lstrip(".").upper()},
            code="file_content",
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked against the size limit and the allow-list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED_TYPES))}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(upload, initial) for upload in files if upload]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)s files at a time."), params={"count": MAX_FILES})
        errors = []
        for upload in files:
            try:
                validate_upload(upload)
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return files


def attachments_field() -> "MultipleFileField":
    return MultipleFileField(
        label=_("Files"),
        help_text=_("Screenshots, photos, logs or documents, up to %(limit)s each.")
        % {"limit": filesizeformat(max_attachment_bytes())},
    )


def categories_offered() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name")


def category_field(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("What is it about?"), queryset=categories_offered(), required=required, empty_label=_("I don't know")
    )


def device_by_tag(tag: str) -> Device:
    try:
        return Device.objects.get(asset_tag__iexact=tag.strip())
    except Device.DoesNotExist:
        raise forms.ValidationError(
            _("No device has the asset tag %(tag)s. Check the sticker, or leave it empty."), params={"tag": tag}
        ) from None


class SubmissionKeyField(forms.CharField):
    """A hidden one-time key, new on every empty form and carried back with the post: the same form posted
    twice (a double click, a resent request) makes one ticket (tickets.services.ticket_create)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            max_length=64,
            validators=[RegexValidator(r"^[A-Za-z0-9_-]*$")],
            initial=lambda: secrets.token_urlsafe(16),
            **kwargs,
        )


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A model field's choices read by one plain query (a few dozen rows), not through a server-side cursor's
    three round trips."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


def choices_in_one_query(*shown: forms.BaseForm | None) -> None:
    """Read the model fields' choices of the forms `shown` on a page by one plain query each
    (ListedModelChoiceIterator), now, for the pages that show such forms on every load: their widgets then
    offer lists, which the key of kept markup covers (tickets.fragments.digest). Choices two forms share (the
    same query) are read once, and no field counts its rows first."""
    read: dict[str, list[Any]] = {}
    for form in shown:
        if form is None:
            continue
        for field in form.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.iterator is forms.models.ModelChoiceIterator:
                field.iterator = ListedModelChoiceIterator
                rows = cast(QuerySet[Any], field.queryset)
                sql = str(rows.query)
                if sql not in read:
                    read[sql] = list(rows)
                labelled = ListedModelChoiceIterator(field)
                empty = [("", field.empty_label)] if field.empty_label is not None else []
                field.widget.choices = [*empty, *(labelled.choice(row) for row in read[sql])]


def duplicate_of(user: Someone, typed: str) -> Ticket | None:
    """The ticket `typed` ("HD-1042" or 1042) names, if `user` may see it: what a cancelled ticket
    duplicates. Nothing typed: None. A number that names no ticket they may see is refused, as one that does
    not exist."""
    text = typed.strip()
    if not text:
        return None
    number = permissions.ticket_number_from(text)
    ticket = permissions.tickets_visible_to(user).filter(pk=number).first() if number else None
    if ticket is None:
        raise forms.ValidationError(_("There is no ticket %(number)s."), params={"number": text})
    return ticket


def model_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The model choice field `name` of `form`, as such (a form's fields are typed as plain fields)."""
    return cast(forms.ModelChoiceField, form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The choice field `name` of `form`, as such."""
    return cast(forms.ChoiceField, form.fields[name])
