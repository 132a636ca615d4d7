"""Mail to customers: the receipt of a new request, an agent's reply, the request solved."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db import transaction

from tresen.notifications.models import NotificationKind, OutboundMail
from tresen.notifications.outbox import queue_mail, subject_tag
from tresen.notifications.preferences import wants
from tresen.notifications.recipients import (
    is_automatic,
    may_answer_automatically,
    may_mail_customer,
)
from tresen.notifications.rendering import language_of, portal_url, render_mail
from tresen.tickets.models import Article, ArticleKind, SenderRole

if TYPE_CHECKING:
    from tresen.accounts.models import User
    from tresen.tickets.models import Ticket


def _context(ticket: Ticket, person: User, **extra: Any) -> dict[str, Any]:
    return {
        "name": person.display_name,
        "number": subject_tag(ticket),
        "title": ticket.title,
        "url": portal_url(ticket),
        "signature": ticket.group.signature,
        **extra,
    }


def send_receipt(ticket: Ticket, article: Article | None, *, origin: str) -> OutboundMail | None:
    """Confirm a new request to its requester, unless it came from a robot or automatic mail."""
    requester = ticket.requester
    if (
        article is None
        or article.sender_role != SenderRole.CUSTOMER
        or article.is_internal
        or not may_answer_automatically(requester, article)
        or not wants(requester, NotificationKind.CUSTOMER_RECEIPT)
    ):
        return None
    language = language_of(requester)
    rendered = render_mail("customer_receipt", _context(ticket, requester), language)
    return queue_mail(
        to=[requester.email],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=language,
        ticket=ticket,
        article=article,
        automatic=True,
        origin=origin,
    )


def is_agent_reply(article: Article) -> bool:
    """A public message by an agent: the conversation the customer receives by mail."""
    return (
        article.kind == ArticleKind.MESSAGE
        and not article.is_internal
        and article.sender_role == SenderRole.AGENT
        and not is_automatic(article)
    )


def send_agent_reply(article: Article, *, origin: str) -> list[OutboundMail]:
    """Mail an agent's reply with its files to the requester and the CC participants.

    One mail per language among them; the requester's mail gives the article its Message-ID,
    so that the customer's answer threads back to it.
    """
    ticket = article.ticket
    people = [ticket.requester, *ticket.cc_participants.order_by("pk")]
    by_language: dict[str, list[User]] = defaultdict(list)
    for person in people:
        if may_mail_customer(person) and wants(person, NotificationKind.CUSTOMER_REPLY):
            by_language[language_of(person)].append(person)
    files = list(article.attachments.all())
    mails: list[OutboundMail] = []
    with transaction.atomic():
        for language, group in by_language.items():
            context = _context(
                ticket, group[0], body_text=article.body_text, body_html=article.body_html
            )
            rendered = render_mail("customer_reply", context, language)
            mails.append(
                queue_mail(
                    to=[p.email for p in group],
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    language=language,
                    ticket=ticket,
                    article=article,
                    attachments=files,
                    origin=f"{origin}:{language}",
                )
            )
        if mails:
            Article.objects.filter(pk=article.pk, message_id="").update(
                message_id=mails[0].message_id
            )
    return mails


def send_resolved(ticket: Ticket, *, origin: str) -> OutboundMail | None:
    """Tell the requester the request is solved: reply to reopen, and rate it if we can."""
    requester = ticket.requester
    # Automatic mail too: never to robots such as noreply@ or mailer-daemon@.
    if not may_answer_automatically(requester, None):
        return None
    if not wants(requester, NotificationKind.CUSTOMER_RESOLVED):
        return None
    language = language_of(requester)
    links = _rating_urls(ticket)
    context = _context(
        ticket, requester, rating_good=links.get("good", ""), rating_bad=links.get("bad", "")
    )
    rendered = render_mail("customer_resolved", context, language)
    return queue_mail(
        to=[requester.email],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=language,
        ticket=ticket,
        automatic=True,
        origin=origin,
    )


def _rating_urls(ticket: Ticket) -> dict[str, str]:
    # Satisfaction ratings are optional: without them the mail simply has no rating links.
    try:
        from tresen.feedback.links import rating_urls
    except ImportError:
        return {}
    return rating_urls(ticket)
