"""A ticket by mail, end to end: the requester's mail (in a real Dovecot) opens a ticket, the technician
answers on the web page, the answer reaches the requester's mail (a real SMTP sink, through the real
worker), and the requester's reply by mail lands on the ticket without the quoted text."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import InboundMessage, InboundStatus
from intake.tasks import intake_mail_fetch
from tickets import services as ticket_services
from tickets.models import Channel, Comment, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESK = "helpdesk@localhost"


@pytest.fixture(autouse=True)
def _desk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = f"Help desk <{DESK}>"


def _mail(*, sender: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain="mail.example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_ticket_by_mail_and_its_answers_both_ways(
    browser_page, login, password, dovecot, imap_mailbox, celery_worker, smtp_sink, requester, coordinator, technician
):
    page = browser_page
    user = imap_mailbox["user"]

    # The requester writes to the desk; the mailbox is read as Celery beat reads it.
    dovecot.deliver(
        user,
        _mail(
            sender=f"Rita Requester <{requester.email}>",
            subject="Scanner on floor 2 says 'network error'",
            body="Hello,\n\nthe scanner next to the lifts cannot send to my mail since this morning.\n\nRita",
        ),
    )
    intake_mail_fetch.apply(throw=True)
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.requester) == (Channel.EMAIL, requester.employee)
    assert dovecot.contents(user) == []
    ticket_services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)

    # The technician answers on the ticket page.
    login(page, technician.email, password)
    page.goto("/tickets/queue/")
    page.get_by_role("link", name=f"HD-{ticket.pk}").click()
    expect(page.get_by_text("cannot send to my mail since this morning")).to_be_visible()
    page.get_by_test_id("action-start").get_by_role("button").click()
    page.get_by_label("Message", exact=True).fill("Could you restart the scanner with its power button?")
    page.get_by_role("button", name="Reply to the requester").click()
    expect(page.get_by_test_id("reply")).to_have_count(1)

    # The answer reaches the requester's mail, threaded on the ticket.
    answer = None
    for _attempt in range(10):  # bounded: each wait returns as soon as another message arrives
        arrived = smtp_sink.wait_for(len(smtp_sink.messages) + 1)
        answer = next((m for m in arrived if m["To"] == requester.email and "power button" in _text(m)), None)
        if answer is not None:
            break
    assert answer is not None, [m["Subject"] for m in smtp_sink.messages]
    assert f"HD-{ticket.pk}" in answer["Subject"]

    # The requester answers from their mail program, quoting the desk's message below.
    quoted = "\n".join(f"> {line}" for line in _text(answer).splitlines())
    dovecot.deliver(
        user,
        _mail(
            sender=f"Rita Requester <{requester.email}>",
            subject=f"Re: {answer['Subject']}",
            body=f"Restarted it, it sends again. Thank you!\n\nOn Friday, Help desk <{DESK}> wrote:\n{quoted}\n",
            In_Reply_To=answer["Message-ID"],
            References=f"{answer['References']} {answer['Message-ID']}",
        ),
    )
    intake_mail_fetch.apply(throw=True)
    assert InboundMessage.objects.filter(status=InboundStatus.REPLY, ticket=ticket).count() == 1

    # The technician sees the reply on the ticket, without the quoted history.
    page.reload()
    replies = page.get_by_test_id("reply")
    expect(replies).to_have_count(2)
    expect(replies.last).to_contain_text("Restarted it, it sends again. Thank you!")
    expect(replies.last).not_to_contain_text("power button")
    assert Comment.objects.filter(ticket=ticket, author=requester).get().body == (
        "Restarted it, it sends again. Thank you!"
    )
