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
# The categories' weights and subjects are the seed's (helpdesk/seed.py): the demo tells the same story.
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

# The story (helpdesk/seed.py): how much more the how-to department asks about its program, how much the
# rising problem adds at its peak (today), and how fast each technician resolves (a factor on the time).
HOW_TO_SHARE = 0.25  # of the how-to department's tickets, questions about HOW_TO_TOPIC
RISING_SHARE = 0.3  # of the tickets of the last day, the rising problem (growing from none RISING_DAYS ago)
TECHNICIAN_SPEEDS = (0.4, 0.7, 1.0, 1.0, 1.4, 2.0, 3.0)  # by technician index, cyclically
REOPEN_SHARE = 0.06  # of the solved tickets, reopened once before their resolution held
ESCALATED_SHARE = 0.7  # of the tickets above tier 1, escalated there from the tier below
