"""A delivery failure lands on the ticket of the mail that bounced, as an internal note."""

from __future__ import annotations

from django.utils import timezone

from tresen.accounts.models import User, normalise_email
from tresen.mail.bounces import Bounce, analyse_bounce
from tresen.mail.models import InboundMessage, InboundState
from tresen.mail.parsing import ParsedMail
from tresen.mail.thread_rules import find_ticket_by_message_ids
from tresen.tickets.models import ArticleKind, Channel


def handle_bounce(message: InboundMessage, mail: ParsedMail) -> None:
    """Record the failure on its ticket and mark a hard-bounced address undeliverable."""
    from tresen.mail.routing import MAIL, article_fields, mail_meta
    from tresen.tickets.services import post_article

    bounce = analyse_bounce(mail)
    if bounce.hard and bounce.recipient:
        User.objects.filter(
            email=normalise_email(bounce.recipient), email_undeliverable_at__isnull=True
        ).update(email_undeliverable_at=timezone.now())
    ticket = find_ticket_by_message_ids(list(bounce.original_message_ids))
    message.state = InboundState.BOUNCE
    message.rule = "bounce"
    if ticket is None:
        message.reason = f"{_summary(bounce)}; no ticket for the mail that bounced"
        return
    meta = mail_meta(message, mail, rule="bounce", automatic=True, bounce=bounce.as_meta())
    article = post_article(
        actor=MAIL,
        ticket=ticket,
        kind=ArticleKind.NOTE,
        is_internal=True,
        channel=Channel.EMAIL,
        body_text=f"{_summary(bounce)}\n\n{mail.text}".strip(),
        sender=None,
        reopen=False,
        **article_fields(mail, meta),
    )
    message.reason = _summary(bounce)
    message.ticket = ticket
    message.article = article


def _summary(bounce: Bounce) -> str:
    kind = "permanent" if bounce.hard else "temporary"
    return (
        f"Delivery failure ({kind}) to {bounce.recipient or 'unknown recipient'}: "
        f"{bounce.status or 'no status'} {bounce.reason}"
    )
