"""Read the configured mailboxes once, as Celery beat does every INTAKE_FETCH_INTERVAL seconds."""

from django.core.management.base import BaseCommand, CommandError

from intake import fetching


class Command(BaseCommand):
    help = "Read the desk's mailboxes once: each message becomes a ticket, a reply, or a row saying why not."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="Only the mailbox of this name (default: every configured one).")
        parser.add_argument("--limit", type=int, help="At most this many messages of each mailbox.")

    def handle(self, *args, mailbox: str | None, limit: int | None, **options):
        boxes = fetching.mailboxes()
        if mailbox:
            boxes = [box for box in boxes if box.name == mailbox]
        if not boxes:
            raise CommandError(
                "No mailbox is configured"
                + (f" by the name {mailbox!r}" if mailbox else "")
                + ": set INTAKE_IMAP_HOST and the other INTAKE_IMAP_ variables (README.md, 'Email intake')."
            )
        failed = False
        for box in boxes:
            result = fetching.mailbox_fetch(box, limit=limit)
            if result.busy:
                self.stdout.write(f"{box.name}: being read by another fetcher, left alone")
            elif result.error:
                failed = True
                self.stderr.write(f"{box.name}: {result.error}")
            else:
                counts = ", ".join(f"{status} {count}" for status, count in sorted(result.counts.items()))
                self.stdout.write(f"{box.name}: {result.total} message(s)" + (f" ({counts})" if counts else ""))
        if failed:
            raise CommandError("A mailbox could not be read.")
