"""The demo's held mail: messages from addresses the desk does not know, waiting for a coordinator
(Held mail). They arrive through the intake's own service, as if read from the desk's mailbox."""

from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from intake.services import message_receive

HELD = [
    (
        "Anna Berg <anna.berg.home@example.net>",
        "Cannot open my work mail from home",
        "en",
        "Hi,\n\nI am writing from my own address because I cannot get into my work mail from home since "
        "yesterday. The page says my session has expired and then asks again.\n\nAnna Berg, Finance",
    ),
    (
        "Jonas Ek (consultant) <jonas@consultants.example>",
        "Projektorn i rum B2 visar ingen bild",
        "sv",
        "Hej,\n\njag har möte i B2 klockan 14 och projektorn säger 'ingen signal' med min dator via HDMI.\n"
        "Finns det en adapter någonstans?\n\nJonas",
    ),
]


def held_mail_write() -> int:
    now = timezone.now()
    for number, (sender, subject, language, body) in enumerate(HELD, start=1):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "helpdesk@demo.example"
        message["Subject"] = subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = f"<demo-held-{number}@demo.example>"
        message["Content-Language"] = language
        message.set_content(body)
        message_receive(raw=message.as_bytes(), mailbox="helpdesk@demo.example")
    return len(HELD)
