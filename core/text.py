"""Characters no one types, refused wherever text comes in (helpdesk.middleware, the CSV imports)."""

import re

# No one types these: C0 controls, DEL and the C1 controls. PostgreSQL refuses NUL outright, mail refuses
# line breaks in headers, and the others are invisible garbage in a name or a subject. In an address's
# query string or path nothing of the kind belongs; in a posted form, text areas keep their tabs and
# line breaks.
IN_ADDRESS = re.compile("[\x00-\x1f\x7f-\x9f]")
IN_FORM = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_in(text: str, pattern: re.Pattern[str] = IN_FORM) -> str | None:
    """The first control character in `text`, or None."""
    found = pattern.search(text)
    return found.group() if found else None
