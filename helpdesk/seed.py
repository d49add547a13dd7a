"""The seed tables of the demo (manage.py demo_load) and the benchmark (bench/): one organisation's vocabulary.

Plain data and one helper, no machinery: the demo reads it without depending on the benchmark, and the
benchmark adds its own weights and texts (bench/tables.py) on top.
"""

from assets.models import DeviceType
from tickets.models import Category

# Top-level categories and their leaves; the leaves are also the technicians' skill names.
CATEGORIES = {
    "Hardware": ["Laptop", "Desktop", "Monitor", "Printer", "Phone", "Docking station"],
    "Software": ["Email", "Office", "VPN", "Operating system", "Business apps"],
    "Network": ["Wi-Fi", "Cabling", "Internet access"],
    "Access": ["Password", "Permissions", "New starter", "Leaver"],
}
FIRST_NAMES = [
    "Anna", "Björn", "Åsa", "Lars", "Ingrid", "Øystein", "Sølvi", "Katarzyna", "Łukasz", "Zofia",
    "Małgorzata", "Jan", "Sofie", "Pieter", "Lotte", "Javier", "Lucía", "María", "Erik", "Karin",
    "Mikael", "Håkan", "Agnieszka", "Paweł", "Noor", "Daan", "Emma", "Oskar", "Nils", "Aino",
]  # fmt: skip
LAST_NAMES = [
    "Lindqvist", "Åberg", "Ødegård", "Nowak", "Wiśniewska", "Kowalski", "de Vries", "Jansen",
    "García", "Martínez", "Johansson", "Berg", "Hansen", "Strand", "Zieliński", "Bakker",
    "Svensson", "Olsen", "Lewandowski", "Visser", "Fernández", "Nilsson", "Dahl", "Mulder",
]  # fmt: skip
JOB_TITLES = ["Accountant", "Sales representative", "Logistics planner", "Team lead", "Analyst", "Assistant"]
DEPARTMENTS = [
    "Finance", "Sales", "Operations", "Logistics", "Human resources", "Marketing", "Legal", "Purchasing",
    "Customer service", "Research", "Production", "Quality", "Facilities", "Management", "IT",
]  # fmt: skip
# (type, maker, model, OS, how common, how fragile): a few models break far more often than others.
DEVICE_MODELS = [
    (DeviceType.LAPTOP, "Lenovo", "ThinkPad T14 Gen 4", "Windows 11", 30, 1.0),
    (DeviceType.LAPTOP, "Dell", "Latitude 5440", "Windows 11", 20, 2.5),
    (DeviceType.LAPTOP, "Apple", "MacBook Air M2", "macOS 14", 10, 0.6),
    (DeviceType.LAPTOP, "HP", "ProBook 450 G8", "Windows 10", 8, 4.0),
    (DeviceType.DESKTOP, "HP", "EliteDesk 800 G9", "Windows 11", 12, 1.0),
    (DeviceType.MONITOR, "Dell", "P2723DE", "", 14, 0.3),
    (DeviceType.PRINTER, "Brother", "HL-L6210DW", "", 2, 8.0),
    (DeviceType.PRINTER, "Kyocera", "ECOSYS M3655", "", 1, 12.0),
    (DeviceType.PHONE, "Apple", "iPhone 14", "iOS 17", 10, 0.8),
    (DeviceType.NETWORK, "Cisco", "Catalyst 9120 AP", "", 1, 3.0),
]
# How tickets are resolved, with how often each code is used.
RESOLUTION_CODES = [("fixed", 55), ("workaround", 12), ("user_training", 12), ("hardware_replaced", 8),
                    ("no_fault_found", 8), ("other", 5)]  # fmt: skip


def categories_create() -> list[Category]:
    """Create the category tree of CATEGORIES; returns the leaves, each with its parent set."""
    parents = {name: Category.objects.create(name=name) for name in CATEGORIES}
    return Category.objects.bulk_create(
        [Category(name=child, parent=parents[parent]) for parent, kids in CATEGORIES.items() for child in kids]
    )
