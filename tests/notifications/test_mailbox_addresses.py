"""A mailbox's own address is Tresen's: no mail is ever sent to it (no loop through intake)."""

from tests.factories import GroupFactory
from tresen.mail.models import Mailbox
from tresen.notifications.outbox import queue_mail


def test_mail_to_a_mailbox_address_is_never_queued_to_it(db):
    group = GroupFactory(name="Support")
    Mailbox.objects.create(name="Inbox", address="inbox@helpdesk.example", group=group)
    mail = queue_mail(
        to=["Inbox@Helpdesk.example", "carl@customer.example"],
        subject="Hello",
        text="Text",
        language="en",
    )
    assert [r.lower() for r in mail.to] == ["carl@customer.example"]
