"""The desk's mail backends: SMTP that never sends a message twice in one go, and the quick start's files."""

import logging
import smtplib
import uuid
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address
from django.utils import timezone
from django.utils.encoding import punycode

logger = logging.getLogger(__name__)

# Tries at the part of a send that is safe to repeat (MAIL FROM and RCPT TO, on a new connection after
# the first was dropped): the kept connection may have been closed by the server while idle.
ENVELOPE_TRIES = 2
# "Service not available, closing transmission channel": the server is hanging up.
CLOSING = 421


class SentButUnconfirmed(smtplib.SMTPException):
    """The whole message went to the mail server, which then gave no answer: it may have been delivered.

    A server may queue a message the moment the final dot arrives, before it answers, so sending it again
    at once could deliver it twice. The caller retries later, with the same Message-ID.
    """

    def __init__(self, *, timed_out: bool, seconds: float | None, cause: Exception):
        self.timed_out = timed_out
        self.seconds = seconds
        what = f"no answer within {seconds} s" if timed_out else "the connection was closed"
        super().__init__(f"sent, but the mail server did not confirm it: {what} ({cause})")


class AddressNeedsSMTPUTF8(smtplib.SMTPNotSupportedError):
    """An address has letters outside ASCII before its @, and the mail server does not offer SMTPUTF8: it
    cannot carry such an address at all, so sending again will not help (the address must change)."""

    def __init__(self, addresses: list[str]):
        self.addresses = addresses
        super().__init__("the mail server does not support SMTPUTF8, which the address needs: " + ", ".join(addresses))


def _envelope_address(address: str, encoding: str) -> tuple[str, bool]:
    """The address for MAIL FROM or RCPT TO, and whether it needs SMTPUTF8 (non-ASCII before the @).

    Django's sanitize_address would write such a local part as an RFC 2047 encoded word, which no mailbox
    answers to: it is kept as written instead, for a server that takes UTF-8, and refused by any other."""
    sanitized = sanitize_address(address, encoding)
    _name, spec = parseaddr(address)
    local, _at, domain = spec.rpartition("@")
    if local.isascii():
        return sanitized, False
    return f"{local}@{punycode(domain)}", True


class SMTPBackend(EmailBackend):
    """Django's SMTP backend, with each message sent phase by phase instead of through smtplib.sendmail.

    `sendmail` hides where a failure happened, so a caller that retries after a dropped connection cannot
    tell "refused before the message was sent" from "sent, but the answer never came". Here:
    - before DATA (connect, EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO) nothing is delivered yet: a dropped
      connection is reopened and the envelope sent again, once;
    - from DATA on, the socket waits EMAIL_DATA_TIMEOUT for the final reply (RFC 5321 4.5.3.2 gives a
      server ten minutes after the dot), not EMAIL_TIMEOUT; a timeout or a dropped connection there
      raises SentButUnconfirmed and nothing is sent again.
    """

    def __init__(self, *args, data_timeout: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_timeout = settings.EMAIL_DATA_TIMEOUT if data_timeout is None else data_timeout

    def _send(self, email_message) -> bool:
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email, international = _envelope_address(email_message.from_email, encoding)
        recipients = []
        needing_utf8 = [email_message.from_email] if international else []
        for address in email_message.recipients():
            envelope_address, international = _envelope_address(address, encoding)
            recipients.append(envelope_address)
            if international:
                needing_utf8.append(address)
        message = email_message.message()
        content = message.as_bytes(linesep="\r\n")
        try:
            self._envelope(from_email, recipients, size=len(content), needing_utf8=needing_utf8)
            self._data(content, message_id=message["Message-ID"] or "")
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def _envelope(self, from_email: str, recipients: list[str], *, size: int, needing_utf8: list[str]) -> None:
        """MAIL FROM and RCPT TO, on a new connection if the server dropped the one we had."""
        for attempt in range(1, ENVELOPE_TRIES + 1):
            try:
                if self.connection is None:
                    self.open()
                    if self.connection is None:  # fail_silently swallowed the reason
                        raise smtplib.SMTPServerDisconnected("could not connect to the mail server")
                self._mail_and_rcpt(self.connection, from_email, recipients, size=size, needing_utf8=needing_utf8)
                return
            except smtplib.SMTPServerDisconnected:
                self._abandon()
                if attempt == ENVELOPE_TRIES:
                    raise

    def _mail_and_rcpt(
        self, connection: smtplib.SMTP, from_email: str, recipients: list[str], *, size: int, needing_utf8: list[str]
    ) -> None:
        # What smtplib.SMTP.sendmail does up to DATA; a 421 anywhere counts as a dropped connection.
        connection.ehlo_or_helo_if_needed()
        options = [f"size={size}"] if connection.does_esmtp and connection.has_extn("size") else []
        if needing_utf8:
            if not (connection.does_esmtp and connection.has_extn("smtputf8")):
                raise AddressNeedsSMTPUTF8(needing_utf8)
            options.append("SMTPUTF8")
        code, reply = connection.mail(from_email, options)
        if code == CLOSING:
            raise smtplib.SMTPServerDisconnected(f"{code} {reply.decode(errors='replace')}")
        if code != 250:
            self._reset(connection)
            raise smtplib.SMTPSenderRefused(code, reply, from_email)
        refused = {}
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code == CLOSING:
                raise smtplib.SMTPServerDisconnected(f"{code} {reply.decode(errors='replace')}")
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            self._reset(connection)
            raise smtplib.SMTPRecipientsRefused(refused)

    def _data(self, content: bytes, *, message_id: str) -> None:
        """DATA, the message and the final dot, waiting up to data_timeout for each reply."""
        connection = self.connection
        assert connection is not None and connection.sock is not None
        connection.sock.settimeout(self.data_timeout)
        try:
            code, reply = connection.data(content)
        except smtplib.SMTPResponseException as error:
            # The server answered DATA with something other than "354 go ahead": the message was not sent.
            self._after_refusal(connection, error.smtp_code)
            raise
        except OSError as error:  # smtplib's SMTPServerDisconnected (timeouts included) is an OSError too
            self._abandon()
            timed_out = isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError)
            unconfirmed = SentButUnconfirmed(timed_out=timed_out, seconds=self.data_timeout, cause=error)
            logger.warning("message %s: %s", message_id or "(no Message-ID)", unconfirmed)
            raise unconfirmed from error
        finally:
            if connection.sock is not None:
                connection.sock.settimeout(self.timeout)
        if code != 250:
            self._after_refusal(connection, code)
            raise smtplib.SMTPDataError(code, reply)

    def _after_refusal(self, connection: smtplib.SMTP, code: int) -> None:
        if code == CLOSING:
            self._abandon()
        else:
            self._reset(connection)

    def _reset(self, connection: smtplib.SMTP) -> None:
        """RSET after a refusal, so the kept connection can carry the next message."""
        try:
            connection.rset()
        except smtplib.SMTPServerDisconnected:
            self._abandon()  # the next message reconnects

    def _abandon(self) -> None:
        """Drop a connection the server closed or left in an unknown state, without another word to it."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None


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
