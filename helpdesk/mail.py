"""The quick start's mail backend: one .eml file a message, readable by a person or a mail client."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class MessageFileBackend(BaseEmailBackend):
    """Write each message to EMAIL_FILE_PATH as <time>-<random>.eml.

    Django's own file backend appends every message of a connection to one log file; a file a message
    is what a person looking for "the mail that was sent" wants to open.
    """

    def send_messages(self, email_messages):
        directory = Path(settings.EMAIL_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent
