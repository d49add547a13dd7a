"""Who and what the demo organisation is: its logins, places, service levels and people. manage.py
demo_load builds it; helpdesk.demo_history writes its past."""

import unicodedata

from accounts.models import Tier

DEMO_PASSWORD = "helpdesk"  # noqa: S105 - printed on purpose: these are the demo logins.
DEMO_DOMAIN = "demo.example"

LOCATIONS = [("HQ", "B", "2", "214"), ("Warehouse", "North", "1", "")]

# Service levels: (priority, first response, resolution, breach actions), in working minutes. A breach
# action names the due time whose passing sets it off (tickets.models.BreachClock).
SLA_POLICIES = [
    (1, 30, 4 * 60, {"breach_escalates_on": "resolution", "breach_raises_priority_on": ""}),
    (2, 60, 8 * 60, {"breach_escalates_on": "resolution", "breach_raises_priority_on": ""}),
    (3, 4 * 60, 3 * 8 * 60, {"breach_escalates_on": "", "breach_raises_priority_on": "resolution"}),
    (4, 8 * 60, 5 * 8 * 60, {"breach_escalates_on": "", "breach_raises_priority_on": ""}),
]
# The demo logins, in the order they are printed. Technicians: (first, last, tier, skill categories).
REQUESTERS = [("Rita", "Lindqvist"), ("Ravi", "Nowak"), ("Sofie", "Jansen")]
TECHNICIANS = [
    ("Tess", "Hansen", Tier.ONE, ["Password", "Email", "Printer", "Wi-Fi"]),
    ("Tomasz", "Zieliński", Tier.ONE, ["Laptop", "Desktop", "Monitor", "Office"]),
    ("Tove", "Berg", Tier.TWO, ["Laptop", "Printer", "Operating system"]),
    ("Ola", "Strand", Tier.TWO, ["VPN", "Wi-Fi", "Internet access", "Permissions"]),
    ("Tia", "García", Tier.THREE, ["Cabling", "Internet access", "VPN"]),
    ("Henrik", "Bakker", Tier.THREE, ["Operating system", "Email", "Permissions"]),
]
COORDINATOR = ("Cora", "Åberg")
MANAGER = ("Max", "Ødegård")


def demo_email(first: str) -> str:
    return f"{ascii_letters(first)}@{DEMO_DOMAIN}"


# Letters that are not a base letter plus an accent, so Unicode decomposition leaves them as they are.
_OWN_LETTERS = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "œ": "oe"})


def ascii_letters(text: str) -> str:
    """`text` in plain ASCII letters: "Wiśniewska" -> "wisniewska", "Ødegård" -> "odegard". Mail servers
    without SMTPUTF8 refuse an address with any other character; the names themselves stay as written."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_OWN_LETTERS))
    return "".join(char for char in decomposed if char.isascii() and not unicodedata.combining(char))


def employee_email(first: str, last: str, number: int) -> str:
    """The work address of a demo employee without a login: ASCII, like the address of every real mailbox."""
    local = ".".join(ascii_letters(part).replace(" ", "") for part in (first, last, str(number)))
    return f"{local}@{DEMO_DOMAIN}"
