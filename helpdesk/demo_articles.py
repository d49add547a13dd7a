"""The demo's help articles: a few answers to the problems its tickets are about, published for requesters
(one also in Swedish, one for staff only), so that Report a problem suggests them and the search finds them."""

from accounts.models import User
from knowledge import services
from knowledge.models import Article, Audience
from tickets.models import Category

# (category, language, audience, title, keywords, text); a Swedish entry right after an English one is its version.
ARTICLES = [
    (
        "Printer",
        "en",
        Audience.REQUESTERS,
        "Printer shows offline",
        "printer, offline, printing, queue",
        "# What to try\n\n1. Check that the printer is on and shows no error.\n2. In *Settings → Printers*, remove "
        "the printer and add it again.\n3. Print a test page.\n\nStill offline? Report a problem and tell us the "
        "printer's name (on its sticker).",
    ),
    (
        "Printer",
        "sv",
        Audience.REQUESTERS,
        "Skrivaren visas som offline",
        "skrivare, offline, utskrift, kö",
        "# Prova så här\n\n1. Kontrollera att skrivaren är på och inte visar något fel.\n2. Under *Inställningar → "
        "Skrivare*, ta bort skrivaren och lägg till den igen.\n3. Skriv ut en testsida.",
    ),
    (
        "Email",
        "en",
        Audience.REQUESTERS,
        "Outlook keeps asking for the password",
        "outlook, password, mail, sign in",
        "# What to try\n\n1. Close Outlook.\n2. Open the company portal in a browser and sign in once.\n3. Start "
        "Outlook again and sign in with the same password.",
    ),
    (
        "VPN",
        "en",
        Audience.REQUESTERS,
        "VPN disconnects every few minutes",
        "vpn, disconnects, home, connection",
        "# What to try\n\n1. Use a cable or sit closer to the Wi-Fi router.\n2. Quit the VPN client and start it "
        "again.\n3. If it still drops, report a problem with the times it dropped.",
    ),
    (
        "Printer",
        "en",
        Audience.STAFF,
        "Print server: clear a stuck queue",
        "print server, spooler, queue",
        "On the print server: stop the *Print Spooler* service, empty `C:\\Windows\\System32\\spool\\PRINTERS`, "
        "start the service again.",
    ),
]


def articles_write(*, author: User, categories: dict[str, Category]) -> int:
    """Write and publish the demo's articles through the knowledge services, as `author`."""
    english: Article | None = None
    for category, language, audience, title, keywords, body in ARTICLES:
        fields = services.ArticleFields(
            title=title,
            body=body,
            language=language,
            audience=audience,
            category=categories.get(category),
            keywords=keywords,
        )
        article = services.article_create(by=author, fields=fields, version_of=english if language != "en" else None)
        services.article_publish(article=article, by=author)
        english = article if language == "en" else english
    return len(ARTICLES)
