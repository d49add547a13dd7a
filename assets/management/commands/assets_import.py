"""`manage.py assets_import employees|devices FILE --by EMAIL [--skip-invalid]`: the import page, from a shell.

`--by` names the person who imports: they must hold the import capability, as on the page.
"""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import User
from assets import imports
from assets.permissions import can


class Command(BaseCommand):
    help = (
        "Import staff or devices from a CSV file (columns: assets/README-import.md). Every row is checked "
        "first; with any bad row nothing is written unless --skip-invalid is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=imports.ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--skip-invalid", action="store_true", help="Import the valid rows and skip the bad ones.")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file; write nothing.")
        parser.add_argument("--by", metavar="EMAIL", help="Email of the user who imports (may import assets).")

    def _actor(self, email: str | None) -> User:
        """The user named by --by, who must hold the import capability."""
        if not email:
            raise CommandError(_("Say who imports with --by EMAIL (a user who may import assets)."))
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user has the email %(email)s.") % {"email": email})
        if not can(user, "assets.import"):
            raise CommandError(_("%(email)s may not import assets.") % {"email": email})
        return user

    def handle(
        self, *args: Any, kind: str, file: Path, skip_invalid: bool, dry_run: bool, by: str | None, **options: Any
    ) -> None:
        actor = None if dry_run else self._actor(by)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        started = time.perf_counter()
        if actor is None:
            preview, result = imports.validate(kind, data), None
        else:
            preview, result = imports.run(kind, data, by=actor, skip_invalid=skip_invalid)
        elapsed = time.perf_counter() - started

        for message in preview.file_errors:
            self.stderr.write(f"{file}: {message}")
        for row_error in preview.row_errors:
            for reason in row_error.reasons:
                self.stderr.write(f"{file}:{row_error.line}: {reason}")
        if preview.file_errors:
            raise CommandError(_("Nothing was imported: the file cannot be read as an import."))
        summary = _("%(total)s rows: %(valid)s valid, %(errors)s with errors.") % {
            "total": preview.total_rows,
            "valid": preview.valid_count,
            "errors": preview.error_count,
        }
        if result is None:
            self.stdout.write(summary)
            if dry_run:
                return
            if preview.row_errors:
                raise CommandError(_("Nothing was imported. Fix the rows above, or run again with --skip-invalid."))
            raise CommandError(_("Nothing was imported: the file has no rows."))
        self.stdout.write(summary)
        message = _(
            "Imported %(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(skipped)s skipped (%(seconds).1f s)."
        ) % {
            "kind": kind,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": preview.error_count,
            "seconds": elapsed,
        }
        self.stdout.write(self.style.SUCCESS(message))
