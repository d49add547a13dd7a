"""Reading the desk's mailboxes over IMAP: each message handed to message_receive, then moved out of the way.

Exactly once, whatever happens: a message is moved to the processed folder (or, when it failed, to the error
folder) only after its row is committed, and message_receive does nothing for a Message-ID it has already
recorded. A fetcher that dies between the two leaves the message in the folder; the next read records
nothing new and moves it. Two fetchers never read one mailbox at once: each read holds a lease on the
mailbox's row, renewed after every message, which a dead fetcher's lease frees when it runs out.

Nothing is ever deleted from the server: a message leaves the folder read only by a move (RFC 6851), or by a
copy, a \\Deleted flag and an expunge of that one message on a server without MOVE.
"""

import contextlib
import logging
import ssl
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from intake.models import InboundStatus, MailboxState
from intake.services import message_receive

logger = logging.getLogger(__name__)

# How long a read holds its mailbox without renewing: longer than one chunk of messages can take.
LEASE = timedelta(minutes=5)
# Messages fetched, processed and moved together.
CHUNK = 20


@dataclass(frozen=True)
class Mailbox:
    name: str
    host: str
    port: int
    security: str  # "tls" (IMAPS) or "starttls"
    user: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    error_folder: str = "Failed"
    ca_file: str = ""  # a private CA's certificates, PEM; the system's otherwise


@dataclass
class FetchResult:
    mailbox: str
    # By InboundStatus value: how many messages of this read ended so.
    counts: dict[str, int] = field(default_factory=dict)
    busy: bool = False  # another fetcher held the mailbox: nothing read
    error: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def mailboxes() -> list[Mailbox]:
    """The configured mailboxes (settings.INTAKE_MAILBOXES); none in the quick start."""
    return [Mailbox(**entry) for entry in getattr(settings, "INTAKE_MAILBOXES", [])]


def mailboxes_fetch(*, limit: int | None = None) -> list[FetchResult]:
    return [mailbox_fetch(mailbox, limit=limit) for mailbox in mailboxes()]


def mailbox_fetch(
    mailbox: Mailbox, *, limit: int | None = None, after_each: Callable[[int, str], None] | None = None
) -> FetchResult:
    """Read up to `limit` messages (settings.INTAKE_FETCH_BATCH) of one mailbox; never raises for the server.

    Messages are fetched CHUNK at a time, recorded in the order they arrived, and the chunk is moved once all
    its rows are committed. `after_each(uid, status)` is called once a message is
    recorded and moved.
    """
    result = FetchResult(mailbox.name)
    owner = uuid.uuid4().hex
    if not _lease_take(mailbox.name, owner):
        result.busy = True
        logger.info("mailbox %s is being read by another fetcher", mailbox.name)
        return result
    batch = limit if limit is not None else settings.INTAKE_FETCH_BATCH
    try:
        with _connect(mailbox) as client:
            for folder in (mailbox.processed_folder, mailbox.error_folder):
                if not client.folder_exists(folder):
                    client.create_folder(folder)
            client.select_folder(mailbox.folder)
            uids = sorted(client.search(["NOT", "DELETED"]))[:batch]
            for start in range(0, len(uids), CHUNK):
                if not _lease_renew(mailbox.name, owner):
                    logger.warning("mailbox %s: lease lost, read stopped", mailbox.name)
                    break
                for uid, status in _take_chunk(client, mailbox, uids[start : start + CHUNK]):
                    result.counts[status] = result.counts.get(status, 0) + 1
                    if after_each is not None:
                        after_each(uid, status)
    except (IMAPClientError, OSError, ssl.SSLError) as error:
        result.error = _describe(error)
        logger.warning("mailbox %s could not be read: %s", mailbox.name, result.error)
    finally:
        _lease_release(mailbox.name, owner, result)
    if result.total:
        logger.info("mailbox %s: %s", mailbox.name, result.counts)
    return result


def _take_chunk(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> list[tuple[int, str]]:
    """Fetch, record and move some messages: (uid, status) of each, in the folder's order."""
    fetched = client.fetch(uids, ["BODY.PEEK[]"])
    raws = [(uid, fetched[uid][b"BODY[]"]) for uid in uids if b"BODY[]" in fetched.get(uid, {})]
    statuses = _receive_all(raws, mailbox.name)
    done = [(uid, statuses[uid]) for uid, _raw in raws if uid in statuses]
    failed = [uid for uid, status in done if status == InboundStatus.FAILED]
    processed = [uid for uid, status in done if status != InboundStatus.FAILED]
    for folder, moving in ((mailbox.processed_folder, processed), (mailbox.error_folder, failed)):
        if moving:
            _move(client, moving, folder)
    return done


def _receive_all(raws: list[tuple[int, bytes]], mailbox: str) -> dict[int, str]:
    """message_receive for each message, in the folder's order: a reply is never read before the message it
    answers."""
    return {uid: str(message_receive(raw=raw, mailbox=mailbox).status) for uid, raw in raws}


def _move(client: IMAPClient, uids: list[int], folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move(uids, folder)
        return
    client.copy(uids, folder)
    client.add_flags(uids, [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:  # expunges whatever else is flagged \Deleted in the folder too: only what someone meant to remove
        client.expunge()


@contextlib.contextmanager
def _connect(mailbox: Mailbox) -> Iterator[IMAPClient]:
    """A logged-in client over TLS or STARTTLS, the server's certificate checked; logged out after."""
    context = ssl.create_default_context(cafile=mailbox.ca_file or None)
    timeout = settings.INTAKE_IMAP_TIMEOUT
    if mailbox.security == "starttls":
        client = IMAPClient(mailbox.host, port=mailbox.port, ssl=False, timeout=timeout)
    else:
        client = IMAPClient(mailbox.host, port=mailbox.port, ssl=True, ssl_context=context, timeout=timeout)
    try:
        if mailbox.security == "starttls":
            client.starttls(context)
        client.login(mailbox.user, mailbox.password)
        yield client
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError, ssl.SSLError):
            with contextlib.suppress(OSError):
                client.shutdown()


def _describe(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS: {error.verify_message or text}"
    return f"{type(error).__name__}: {text}"[:1000]


# --- the lease ---------------------------------------------------------------------------------------


def _lease_take(name: str, owner: str) -> bool:
    MailboxState.objects.get_or_create(name=name[:120])
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return (
        MailboxState.objects.filter(free, name=name[:120]).update(
            lease_owner=owner, lease_until=now + LEASE, last_read_at=now
        )
        == 1
    )


def _lease_renew(name: str, owner: str) -> bool:
    return (
        MailboxState.objects.filter(name=name[:120], lease_owner=owner).update(lease_until=timezone.now() + LEASE) == 1
    )


def _lease_release(name: str, owner: str, result: FetchResult) -> None:
    changes: dict[str, object] = {"lease_owner": "", "lease_until": None, "last_count": result.total}
    changes["last_error"] = result.error
    if not result.error:
        changes["last_success_at"] = timezone.now()
    MailboxState.objects.filter(name=name[:120], lease_owner=owner).update(**changes)
