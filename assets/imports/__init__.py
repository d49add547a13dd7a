"""CSV import of employees and devices: reading, checking every row, then one all-or-nothing write.

Shared by the import page and `manage.py assets_import`. Nothing here writes: `validate` reads the
file and the database and says, row by row, what is wrong; `run` hands the valid rows to
assets.services (employees_import / devices_import), which write them in one transaction.

The columns are documented in assets/README-import.md and in `columns.COLUMNS` (the template download
and the page's help are generated from it).
"""

from assets.imports.columns import COLUMNS, Column, ImportKind, column_help, header_for, template_csv
from assets.imports.preview import run, validate
from assets.imports.reading import ImportFileError, ImportPreview, RowError
from assets.imports.stash import StashFailed, discard_upload, load_upload, stash_upload

__all__ = [
    "COLUMNS",
    "Column",
    "ImportFileError",
    "ImportKind",
    "ImportPreview",
    "RowError",
    "StashFailed",
    "column_help",
    "discard_upload",
    "header_for",
    "load_upload",
    "run",
    "stash_upload",
    "template_csv",
    "validate",
]
