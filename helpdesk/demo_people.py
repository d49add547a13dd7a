"""Who and what the demo organisation is: its logins, places, service levels and people. manage.py
demo_load builds it; helpdesk.demo_history writes its past."""

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
    return f"{first.lower()}@{DEMO_DOMAIN}"
