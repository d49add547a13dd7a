"""`manage.py assets_import employees|devices FILE [--skip-invalid]`: the import page, from a shell."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assets import imports


class Command(BaseCommand):
    help = (
        "Import staff or devices from a CSV file (columns: assets/README-import.md). Every row is checked "
        "first; with any bad row nothing is written unless --skip-invalid is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=imports.ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--skip-invalid", action="store_true", help="Import the valid rows and skip the bad ones.")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file; write nothing.")

    def handle(self, *args, kind, file, skip_invalid, dry_run, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        started = time.perf_counter()
        if dry_run:
            preview, result = imports.validate(kind, data), None
        else:
            preview, result = imports.run(kind, data, by=None, skip_invalid=skip_invalid)
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
