"""The seed tables of the demo (manage.py demo_load) and the benchmark (bench/): one organisation's vocabulary.

Plain data and one helper, no machinery: the demo reads it without depending on the benchmark, and the
benchmark adds its own weights and texts (bench/tables.py) on top.
"""

from assets.models import DeviceType
from tickets.models import Category, ReportAs

# Top-level categories and their leaves; the leaves are also the technicians' skill names.
CATEGORIES = {
    "Hardware": ["Laptop", "Desktop", "Monitor", "Printer", "Phone", "Docking station"],
    "Software": ["Email", "Office", "VPN", "Operating system", "Business apps"],
    "Network": ["Wi-Fi", "Cabling", "Internet access"],
    "Access": ["Password", "Permissions", "New starter", "Leaver"],
    # Questions of knowing how, by program: what the training report ranks.
    "How to use": ["Excel", "Outlook", "Teams", "ERP"],
}
# What the Insight reports make of each top-level category's tickets (the leaves take their parent's).
REPORT_AS = {"Hardware": ReportAs.HARDWARE, "How to use": ReportAs.HOW_TO}
# How often each leaf comes up; passwords and email far more than cabling.
CATEGORY_WEIGHTS = {
    "Laptop": 12, "Desktop": 4, "Monitor": 3, "Printer": 9, "Phone": 4, "Docking station": 4,
    "Email": 10, "Office": 7, "VPN": 7, "Operating system": 5, "Business apps": 6,
    "Wi-Fi": 6, "Cabling": 1, "Internet access": 3,
    "Password": 14, "Permissions": 6, "New starter": 3, "Leaver": 2,
    "Excel": 2, "Outlook": 2, "Teams": 2, "ERP": 1,
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
    "Excel": ["How do I make a pivot table?", "How do I lock the header row?", "How do I use VLOOKUP?",
              "How do I share a workbook with my team?", "How do I filter by colour?"],
    "Outlook": ["How do I share my calendar?", "How do I set an out-of-office reply?",
                "How do I add a shared mailbox?"],
    "Teams": ["How do I share my screen in Teams?", "How do I start a breakout room?"],
    "ERP": ["How do I book an invoice in the ERP?", "How do I run the monthly sales report?"],
}  # fmt: skip
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
# The names above (and the demo's sites and calendar) in the other languages of the interface, as a manager
# would give them in the admin: (sv, es, nb, nl, pl). Product names (Office, VPN, Excel, ...) are the same
# everywhere and have none: the name itself is shown.
_LANGUAGES = ("sv", "es", "nb", "nl", "pl")
_NAMES = {
    # Categories
    "Hardware": ("Hårdvara", "Hardware", "Maskinvare", "Hardware", "Sprzęt"),
    "Laptop": ("Bärbar dator", "Portátil", "Bærbar PC", "Laptop", "Laptop"),
    "Desktop": ("Stationär dator", "Ordenador de sobremesa", "Stasjonær PC", "Desktop", "Komputer stacjonarny"),
    "Monitor": ("Bildskärm", "Monitor", "Skjerm", "Beeldscherm", "Monitor"),
    "Printer": ("Skrivare", "Impresora", "Skriver", "Printer", "Drukarka"),
    "Phone": ("Telefon", "Teléfono", "Telefon", "Telefoon", "Telefon"),
    "Docking station": ("Dockningsstation", "Base de conexión", "Dokkingstasjon", "Dockingstation", "Stacja dokująca"),
    "Software": ("Programvara", "Software", "Programvare", "Software", "Oprogramowanie"),
    "Email": ("E-post", "Correo electrónico", "E-post", "E-mail", "Poczta e-mail"),
    "Operating system": ("Operativsystem", "Sistema operativo", "Operativsystem", "Besturingssysteem",
                         "System operacyjny"),
    "Business apps": ("Verksamhetssystem", "Aplicaciones de negocio", "Forretningsapper", "Bedrijfsapplicaties",
                      "Aplikacje biznesowe"),
    "Network": ("Nätverk", "Red", "Nettverk", "Netwerk", "Sieć"),
    "Cabling": ("Kablage", "Cableado", "Kabling", "Bekabeling", "Okablowanie"),
    "Internet access": ("Internetåtkomst", "Acceso a internet", "Internettilgang", "Internettoegang",
                        "Dostęp do internetu"),
    "Access": ("Åtkomst", "Acceso", "Tilgang", "Toegang", "Dostęp"),
    "Password": ("Lösenord", "Contraseña", "Passord", "Wachtwoord", "Hasło"),
    "Permissions": ("Behörigheter", "Permisos", "Tillatelser", "Rechten", "Uprawnienia"),
    "New starter": ("Nyanställd", "Nueva incorporación", "Nyansatt", "Nieuwe medewerker", "Nowy pracownik"),
    "Leaver": ("Slutar", "Baja de empleado", "Slutter", "Vertrekkende medewerker", "Odchodzący pracownik"),
    "How to use": ("Så använder du", "Cómo usar", "Slik bruker du", "Hoe gebruik je", "Jak używać"),
    # Departments
    "Finance": ("Ekonomi", "Finanzas", "Økonomi", "Financiën", "Finanse"),
    "Sales": ("Försäljning", "Ventas", "Salg", "Verkoop", "Sprzedaż"),
    "Operations": ("Drift", "Operaciones", "Drift", "Operaties", "Operacje"),
    "Logistics": ("Logistik", "Logística", "Logistikk", "Logistiek", "Logistyka"),
    "Human resources": ("Personalavdelningen", "Recursos humanos", "Personalavdelingen", "Personeelszaken", "Kadry"),
    "Marketing": ("Marknadsföring", "Marketing", "Markedsføring", "Marketing", "Marketing"),
    "Legal": ("Juridik", "Asesoría jurídica", "Juridisk avdeling", "Juridische zaken", "Dział prawny"),
    "Purchasing": ("Inköp", "Compras", "Innkjøp", "Inkoop", "Zakupy"),
    "Customer service": ("Kundtjänst", "Atención al cliente", "Kundeservice", "Klantenservice", "Obsługa klienta"),
    "Research": ("Forskning", "Investigación", "Forskning", "Onderzoek", "Badania"),
    "Production": ("Produktion", "Producción", "Produksjon", "Productie", "Produkcja"),
    "Quality": ("Kvalitet", "Calidad", "Kvalitet", "Kwaliteit", "Jakość"),
    "Facilities": ("Fastighet", "Instalaciones", "Eiendom", "Facilitaire dienst", "Administracja budynku"),
    "Management": ("Ledning", "Dirección", "Ledelse", "Directie", "Zarząd"),
    # The demo's sites and its calendar
    "HQ": ("Huvudkontoret", "Sede central", "Hovedkontoret", "Hoofdkantoor", "Centrala"),
    "Warehouse": ("Lager", "Almacén", "Lager", "Magazijn", "Magazyn"),
    "Office hours": ("Kontorstid", "Horario de oficina", "Kontortid", "Kantooruren", "Godziny pracy biura"),
}  # fmt: skip


def name_translations(name: str) -> dict[str, str]:
    """The seed's translations of one name, for its `name_translations` (empty for a product name)."""
    return dict(zip(_LANGUAGES, _NAMES[name], strict=True)) if name in _NAMES else {}


# (type, maker, model, OS, how common, how fragile): a few models break far more often than others.
DEVICE_MODELS = [
    (DeviceType.LAPTOP, "Lenovo", "ThinkPad T14 Gen 4", "Windows 11", 30, 1.0),
    (DeviceType.LAPTOP, "Dell", "Latitude 5440", "Windows 11", 20, 2.5),
    (DeviceType.LAPTOP, "Apple", "MacBook Air M2", "macOS 14", 10, 0.6),
    (DeviceType.LAPTOP, "HP", "ProBook 450 G8", "Windows 10", 8, 20.0),
    (DeviceType.DESKTOP, "HP", "EliteDesk 800 G9", "Windows 11", 12, 1.0),
    (DeviceType.MONITOR, "Dell", "P2723DE", "", 14, 0.3),
    (DeviceType.PRINTER, "Brother", "HL-L6210DW", "", 2, 4.0),
    (DeviceType.PRINTER, "Kyocera", "ECOSYS M3655", "", 1, 6.0),
    (DeviceType.PHONE, "Apple", "iPhone 14", "iOS 17", 10, 0.8),
    (DeviceType.NETWORK, "Cisco", "Catalyst 9120 AP", "", 1, 3.0),
]
# The story the Insight reports tell of the demo's and the benchmark's history: one model fails far more
# than the others, one department asks again and again how to use one program, and one problem has been
# rising over the last two months. (The technicians' speeds differ as well; each generator says how.)
FAILING_MODEL = "ProBook 450 G8"
HOW_TO_DEPARTMENT = "Sales"
HOW_TO_TOPIC = "Excel"
RISING_CATEGORY = "VPN"
RISING_DAYS = 70  # the rise starts this many days ago and grows to today
# How tickets are resolved, with how often each code is used.
RESOLUTION_CODES = [("fixed", 55), ("workaround", 12), ("user_training", 12), ("hardware_replaced", 8),
                    ("no_fault_found", 8), ("other", 5)]  # fmt: skip


def categories_create() -> list[Category]:
    """Create the category tree of CATEGORIES; returns the leaves, each with its parent set."""
    parents = {
        name: Category.objects.create(
            name=name, name_translations=name_translations(name), report_as=REPORT_AS.get(name, "")
        )
        for name in CATEGORIES
    }
    return Category.objects.bulk_create(
        [
            Category(
                name=child,
                name_translations=name_translations(child),
                parent=parents[parent],
                report_as=REPORT_AS.get(parent, ""),
            )
            for parent, kids in CATEGORIES.items()
            for child in kids
        ]
    )
