"""One RFC 5322 message read into what the desk needs: headers, a text body and the attached files.

The stdlib email package with the modern policy decodes headers (RFC 2047) and bodies in any charset it
declares; a charset Python does not know, or bytes that do not fit it, are read as Latin-1 / replaced, so
a badly labelled message still reads instead of failing.
"""

import email
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import getaddresses
from html.parser import HTMLParser

MESSAGE_ID_HASH_PREFIX = "sha256:"
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class MailFile:
    name: str
    content_type: str
    content: bytes


@dataclass
class ParsedMessage:
    message: EmailMessage
    message_id: str
    sender: str  # the From address, lower case; "" when there is none
    subject: str
    text: str
    files: list[MailFile] = field(default_factory=list)
    # The Message-IDs this one answers (In-Reply-To first, then References from the newest).
    refers_to: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        value = self.message.get(name)
        return str(value).strip() if value is not None else ""


def message_parse(raw: bytes) -> ParsedMessage:
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)  # what the default policy makes
    sender = _address(message.get("From"))
    subject = " ".join(_header_text(message, "Subject").split())
    text, files = _body_and_files(message)
    return ParsedMessage(
        message=message,
        message_id=message_id_of(message, raw),
        sender=sender,
        subject=subject,
        text=text,
        files=files,
        refers_to=_refers_to(message),
    )


def message_id_of(message: Message, raw: bytes) -> str:
    """The message's Message-ID, or a hash of its headers: the same delivery twice gives the same key."""
    found = _MESSAGE_ID.findall(_header_text(message, "Message-ID"))
    if found:
        return found[0][:255]
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return MESSAGE_ID_HASH_PREFIX + hashlib.sha256(head).hexdigest()


def _header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header so broken the parser cannot even build its object
        return ""
    return str(value) if value is not None else ""


def _address(value: object) -> str:
    if value is None:
        return ""
    pairs = getaddresses([str(value)])
    for _name, address in pairs:
        if "@" in address:
            return address.strip().lower()
    return ""


def _refers_to(message: Message) -> list[str]:
    ids = _MESSAGE_ID.findall(_header_text(message, "In-Reply-To"))
    ids += reversed(_MESSAGE_ID.findall(_header_text(message, "References")))
    return list(dict.fromkeys(ids))


def part_text(part: Message) -> str:
    """The decoded text of a text/* part, whatever its charset says (or fails to say)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: keep the letters ASCII shares with it
        return payload.decode("latin-1")


def _body_and_files(message: EmailMessage) -> tuple[str, list[MailFile]]:
    plain: str | None = None
    html: str | None = None
    files: list[MailFile] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        name = part.get_filename()
        if disposition == "attachment" or (name and disposition != "inline") or not content_type.startswith("text/"):
            if content_type.startswith("multipart/"):
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                files.append(MailFile(name=name or "attachment", content_type=content_type, content=payload))
            continue
        if content_type == "text/plain" and plain is None:
            plain = part_text(part)
        elif content_type == "text/html" and html is None:
            html = part_text(part)
    if plain is not None and plain.strip():
        text = plain
    elif html is not None:
        text = html_to_text(html)
    else:
        text = ""
    return _tidy(text), files


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- HTML to text ------------------------------------------------------------------------------

_BLOCKS = frozenset(
    {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}
)
_SKIPPED = frozenset({"script", "style", "head", "title", "template"})


class _TextOf(HTMLParser):
    """Readable text of an HTML mail: paragraphs kept as blank lines, a link's text with its address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n" if tag in ("p", "div", "table", "blockquote", "ul", "ol", "hr") else "\n")
            if tag == "li":
                self.parts.append("- ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS and tag != "li":
            self.parts.append("\n\n" if tag in ("p", "div", "table", "blockquote", "ul", "ol") else "\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and href.startswith(("http://", "https://")):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return _tidy("\n".join(lines))
