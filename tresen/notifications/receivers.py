"""From committed ticket events to mail: which event tells whom what.

Runs in the background task that publishes each committed event; every mail it queues names
the event as its origin, so publishing an event twice never mails anyone twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.dispatch import receiver

from tresen.accounts.models import User
from tresen.notifications import agent_notices, customer_notices
from tresen.tickets.events import event_committed
from tresen.tickets.models import Article, ArticleKind, Event, SenderRole
from tresen.tickets.states import State

logger = logging.getLogger(__name__)


def _origin(event: Event, kind: str) -> str:
    return f"event:{event.pk}:{kind}"


def _actor_name(event: Event) -> str:
    return event.actor.display_name if event.actor else event.actor_label


def _first_article(event: Event) -> Article | None:
    return event.ticket.articles.order_by("created_at", "id").first()


def on_ticket_created(event: Event) -> None:
    if event.data.get("split_from"):
        return  # a ticket split off an old one is no new request of the customer
    first = _first_article(event)
    customer_notices.send_receipt(event.ticket, first, origin=_origin(event, "receipt"))
    agent_notices.notify_new_ticket(
        event.ticket, first, actor=event.actor, origin=_origin(event, "new_ticket")
    )


def on_article_created(event: Event) -> None:
    article = event.article
    if article is None:
        return
    ticket = event.ticket
    first = _first_article(event)
    is_first = first is not None and first.pk == article.pk
    notified: set[int | None] = {event.actor_id}
    if customer_notices.is_agent_reply(article):
        customer_notices.send_agent_reply(article, origin=_origin(event, "reply"))
    elif (
        article.sender_role == SenderRole.CUSTOMER
        and article.kind == ArticleKind.MESSAGE
        and not is_first
    ):
        agent_notices.notify_customer_replied(
            ticket, article, origin=_origin(event, "customer_replied")
        )
        notified.add(ticket.owner_id)
    if not is_first:
        agent_notices.notify_watchers(
            ticket,
            actor_name=article.author.display_name if article.author else _actor_name(event),
            exclude=notified | {article.author_id},
            origin=_origin(event, "watched"),
            article=article,
        )


def _person(value: object) -> User | None:
    """The user an event's data names as {"id": ..., "name": ...}."""
    person_id = value.get("id") if isinstance(value, dict) else None
    return User.objects.filter(pk=person_id).first() if isinstance(person_id, int) else None


def on_assigned(event: Event) -> None:
    owner = _person((event.data or {}).get("to"))
    if owner is not None:
        agent_notices.notify_assigned(
            event.ticket, owner, actor=event.actor, origin=_origin(event, "assigned")
        )


def on_transferred(event: Event) -> None:
    # A handover to a named agent of the other group assigns the ticket to them.
    owner = _person((event.data or {}).get("owner"))
    if owner is not None:
        agent_notices.notify_assigned(
            event.ticket, owner, actor=event.actor, origin=_origin(event, "assigned")
        )


def on_state_changed(event: Event) -> None:
    target = (event.data or {}).get("to")
    if target == State.RESOLVED:
        customer_notices.send_resolved(event.ticket, origin=_origin(event, "resolved"))
    # Reopening follows from a reply, which the watchers hear about already.
    if target in State.values and target != State.OPEN:
        agent_notices.notify_watchers(
            event.ticket,
            actor_name=_actor_name(event),
            exclude={event.actor_id},
            origin=_origin(event, "watched"),
            state=State(target).label,  # translated per recipient
        )


HANDLERS: dict[str, Callable[[Event], None]] = {
    "ticket.created": on_ticket_created,
    "article.created": on_article_created,
    "ticket.assigned": on_assigned,
    "ticket.transferred": on_transferred,
    "ticket.state_changed": on_state_changed,
}


@receiver(event_committed, dispatch_uid="tresen.notifications.mail")
def mail_on_event(sender: object, event: Event, **kwargs: object) -> None:
    """Queue the mail that a committed ticket event calls for."""
    handler = HANDLERS.get(event.kind)
    if handler is not None:
        handler(event)
