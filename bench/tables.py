"""The benchmark's own weights and texts, on top of the shared seed tables (helpdesk/seed.py)."""

from datetime import UTC, datetime

from assets.models import DeviceType

BENCH_PASSWORD = "bench-password"  # noqa: S105 - every bench login; the bench database is throwaway
DOMAIN = "bench.example"
PERSONAS = {
    "requester": f"requester@{DOMAIN}",  # asks more than anyone else
    "requester_light": f"requester.light@{DOMAIN}",  # asks rarely: the query-count growth check
    "technician": f"technician@{DOMAIN}",  # tier 1, a full queue, the long ticket
    "technician_light": f"technician.light@{DOMAIN}",
    "coordinator": f"coordinator@{DOMAIN}",
}
LONG_TICKET_SUBJECT = "Bench: the laptop that keeps crashing (long history)"
LONG_TICKET_EVENTS = 200
PERSONA_OPEN_TICKETS = 20  # open tickets always held by the technician persona, whatever the scale

DAY = 86400
HOUR = 3600
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

PROJECT_KINDS = ["Move to building", "Network cabling in", "Laptop roll-out in", "New printers in"]
PROJECT_SHARE = 0.05  # of the tickets raised while a project runs, at most
# How often each leaf comes up; passwords and email far more than cabling.
CATEGORY_WEIGHTS = {
    "Laptop": 12, "Desktop": 4, "Monitor": 3, "Printer": 9, "Phone": 4, "Docking station": 4,
    "Email": 10, "Office": 7, "VPN": 7, "Operating system": 5, "Business apps": 6,
    "Wi-Fi": 6, "Cabling": 1, "Internet access": 3,
    "Password": 14, "Permissions": 6, "New starter": 3, "Leaver": 2,
}  # fmt: skip
SUBJECTS = {
    "Laptop": ["Laptop will not start", "Laptop battery drains in an hour", "Laptop fan is very loud",
               "Blue screen on the laptop", "Laptop keyboard keys stuck", "Laptop overheats in meetings"],
    "Desktop": ["Desktop restarts by itself", "Computer very slow since the update", "PC does not power on"],
    "Monitor": ["Second screen not detected", "Monitor flickers", "Screen stays black after sleep"],
    "Printer": ["Printer jams on every job", "Printer shows offline", "Toner empty on floor 2 printer",
                "Cannot scan to email", "Printouts come out blank"],
    "Phone": ["Phone does not sync mail", "Cracked phone screen", "Phone cannot join the Wi-Fi"],
    "Docking station": ["Docking station does not charge", "No picture through the docking station"],
    "Email": ["Mailbox full", "Outlook keeps asking for the password", "Mail stuck in the outbox",
              "Shared mailbox missing", "Calendar invitations not arriving"],
    "Office": ["Excel crashes when opening a file", "Word document will not save", "Teams has no sound"],
    "VPN": ["VPN disconnects every few minutes", "Cannot connect to the VPN from home", "VPN very slow"],
    "Operating system": ["Update fails to install", "Login takes ten minutes", "Disk almost full"],
    "Business apps": ["ERP report times out", "Cannot log in to the CRM", "Invoice app shows an error"],
    "Wi-Fi": ["Wi-Fi drops in meeting room", "No Wi-Fi in the warehouse", "Guest Wi-Fi does not work"],
    "Cabling": ["Network socket dead", "Cable needed for new desk"],
    "Internet access": ["Web pages very slow", "Site blocked by the proxy"],
    "Password": ["Forgot my password", "Account locked", "Password expired while travelling"],
    "Permissions": ["Need access to the finance share", "Cannot open the project folder", "Admin rights"],
    "New starter": ["Set up accounts for a new colleague", "Laptop for a new starter"],
    "Leaver": ["Remove access for a leaver", "Collect equipment from a leaver"],
}  # fmt: skip
SITES = [("HQ", ["A", "B", "C"]), ("Warehouse", ["North", "South"]), ("Oslo office", ["1"]), ("Kraków", ["K1"])]
DEVICE_CATEGORY: dict[str, str] = {
    DeviceType.LAPTOP: "Laptop",
    DeviceType.DESKTOP: "Desktop",
    DeviceType.MONITOR: "Monitor",
    DeviceType.PRINTER: "Printer",
    DeviceType.PHONE: "Phone",
    DeviceType.NETWORK: "Wi-Fi",
}
RESOLUTION_NOTES = [
    "Restarted the service and confirmed with the user.",
    "Replaced the faulty part; tested for an hour.",
    "Reset the password and walked the user through the self-service page.",
    "Reinstalled the driver from the vendor's site.",
    "Cleared the cached credentials; works again.",
    "Applied the known workaround from the knowledge base.",
]
COMMENTS_STAFF = [
    "Could you restart the machine and tell me if it still happens?",
    "I am looking at it now.",
    "I have ordered a replacement; it should arrive in two days.",
    "Please try again now and let me know.",
]
COMMENTS_REQUESTER = [
    "It still happens after a restart.",
    "Thanks, that worked!",
    "I attached a screenshot of the error.",
    "When can someone come by?",
]
NOTES_INTERNAL = ["Same as last month on this model.", "Vendor case opened.", "Checked the logs: disk errors."]

# Wall-clock targets per priority (first response, resolution), in hours: close enough for due times.
SLA_HOURS = {1: (1, 4), 2: (4, 24), 3: (8, 72), 4: (24, 120)}
# Median resolution time per priority, in hours.
RESOLVE_HOURS = {1: 3, 2: 8, 3: 24, 4: 48}
FIRST_ACTION_HOURS = {1: 0.15, 2: 0.5, 3: 2, 4: 4}
