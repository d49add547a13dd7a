"""A throwaway IMAP server: Debian's Dovecot on spare ports, with its own configuration, a self-signed
certificate and one Maildir per user, for the email intake's tests and benchmark.

It starts in about a tenth of a second. Any user name logs in with the one password: a new name is a new,
empty mailbox. Messages are put in through IMAP APPEND, as a mail server's delivery would leave them. Run as
root, Dovecot keeps the mail as its own `dovecot` user; otherwise as the user running it.
"""

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from imapclient import IMAPClient

from bench.http import free_port

PASSWORD = "intake-secret"  # noqa: S105 - the throwaway server's one password, for every user


class Dovecot:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.cert = self.root / "cert.pem"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError("Dovecot is not installed: apt-get install dovecot-imapd (.ci/run installs it).")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(self.root / "key.pem"), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        for folder in ("run", "state", "home"):
            (self.root / folder).mkdir()
        # Dovecot drops to an unprivileged user for the mail; as root that is its own `dovecot` user.
        mail_user = "dovecot" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            shutil.chown(self.root / "home", mail_user, mail_user)
        self.root.chmod(0o755)
        config = self.root / "dovecot.conf"
        config.write_text(
            _CONFIG.format(
                root=self.root, user=mail_user, imap=self.imap_port, imaps=self.imaps_port, password=PASSWORD
            )
        )
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(200):  # bounded: about ten seconds
            if self.process.poll() is not None:
                _out, errors = self.process.communicate()
                raise RuntimeError(f"Dovecot exited at start: {errors.decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.imaps_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)  # waiting for a server to listen, not for time to pass
        raise RuntimeError("Dovecot did not listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    # --- one mailbox ----------------------------------------------------------------------------------

    def mailbox(self, user: str | None = None, **overrides) -> dict:
        """Settings for a new, empty mailbox (an entry of settings.INTAKE_MAILBOXES), over TLS by default."""
        user = user or f"desk-{uuid.uuid4().hex[:10]}"
        entry = {
            "name": f"{user}@localhost",
            "host": "127.0.0.1",
            "port": self.imaps_port,
            "security": "tls",
            "user": user,
            "password": PASSWORD,
            "folder": "INBOX",
            "processed_folder": "Processed",
            "error_folder": "Failed",
            "ca_file": str(self.cert),
        }
        entry.update(overrides)
        if entry["security"] == "starttls" and "port" not in overrides:
            entry["port"] = self.imap_port
        return entry

    def client(self, user: str) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.imaps_port, ssl_context=ssl.create_default_context(cafile=self.cert))
        client.login(user, PASSWORD)
        return client

    def deliver(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client(user)
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def contents(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """The messages in a folder of the mailbox, oldest first; [] when the folder does not exist."""
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in uids]
        finally:
            client.logout()


_CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
instance_name = dovecot-test-{imaps}
protocols = imap
listen = 127.0.0.1
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
default_internal_user = {user}
default_login_user = {user}
first_valid_uid = 1
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={user} gid={user} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
"""
