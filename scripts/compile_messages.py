"""Compile locale/*/LC_MESSAGES/django.po into .mo files, in pure Python.

Django's `compilemessages` needs GNU gettext's msgfmt, which a fresh machine may lack; the quick start
must work without installing anything by hand. Only catalogues newer than their .mo are compiled.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    compiled = 0
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        catalogue.save_as_mofile(str(mo_path))
        compiled += 1
    print(f"translations: {compiled} catalogue(s) compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
