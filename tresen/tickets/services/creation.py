"""Opening tickets with their first article."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tresen.accounts.models import Group, Role, User
from tresen.core.errors import (
    PermissionDenied,
    ValidationError,
)
from tresen.core.rows import insert_row
from tresen.tickets import access, fields
from tresen.tickets.events import Actor, as_actor, record_event
from tresen.tickets.models import (
    Article,
    ArticleKind,
    Category,
    Channel,
    Priority,
    Ticket,
    TicketType,
)
from tresen.tickets.services._core import (
    NewFile,
    _check_choice,
    _check_owner,
    _person,
    next_ticket_number,
)
from tresen.tickets.services.articles import _add_article
from tresen.tickets.services.properties import _apply_tags


def _check_may_create(actor: Actor, requester: User, group: Group) -> None:
    user = actor.user
    if user is None:
        return
    if not user.is_active:
        raise PermissionDenied()
    if user.is_customer:
        if requester.pk != user.pk:
            raise PermissionDenied(_("Customers open tickets only for themselves."))
        return
    if not access.can_work_in_group(user, group.pk):
        raise PermissionDenied(
            _("You cannot create tickets in the group “%(group)s”.") % {"group": group}
        )


def create_ticket(
    *,
    actor: User | Actor | None,
    requester: User,
    title: str,
    group: Group,
    channel: str,
    body_text: str = "",
    body_html: str = "",
    article_kind: str = ArticleKind.MESSAGE,
    article_internal: bool = False,
    priority: int = Priority.NORMAL,
    type: str = TicketType.INCIDENT,
    category: Category | None = None,
    owner: User | None = None,
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    cc: Iterable[User] = (),
    attachments: Sequence[NewFile] = (),
    article_fields: dict[str, Any] | None = None,
) -> Ticket:
    """Open a ticket with its first article."""
    return open_ticket(**locals())[0]


def _checked_title(title: str) -> str:
    title = " ".join((title or "").split())[:250]
    if not title:
        raise ValidationError(_("A ticket needs a title."))
    return title


def _check_new_ticket(
    group: Group,
    channel: str,
    priority: int,
    type: str,
    category: Category | None,
    owner: User | None,
) -> None:
    if not group.is_active:
        raise ValidationError(_("The group “%(group)s” is not active.") % {"group": group})
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    _check_choice(priority, Priority.values)
    _check_choice(type, TicketType.values)
    if category is not None and category.group_id != group.pk:
        raise ValidationError(_("The category belongs to another group."))
    if owner is not None:
        _check_owner(owner, group)


def open_ticket(
    *,
    actor: User | Actor | None,
    requester: User,
    title: str,
    group: Group,
    channel: str,
    body_text: str = "",
    body_html: str = "",
    article_kind: str = ArticleKind.MESSAGE,
    article_internal: bool = False,
    priority: int = Priority.NORMAL,
    type: str = TicketType.INCIDENT,
    category: Category | None = None,
    owner: User | None = None,
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    cc: Iterable[User] = (),
    attachments: Sequence[NewFile] = (),
    article_fields: dict[str, Any] | None = None,
) -> tuple[Ticket, Article | None]:
    """`create_ticket`, also returning the first article (None without body and files).

    Mail intake records the article on the stored message; this saves reading it back.
    """
    who = as_actor(actor)
    _check_may_create(who, requester, group)
    title = _checked_title(title)
    _check_new_ticket(group, channel, priority, type, category, owner)
    cleaned = fields.clean_values(group.pk, custom_fields or {}, partial=False)
    with transaction.atomic():
        now = timezone.now()
        ticket = insert_row(
            Ticket(
                number=next_ticket_number(),
                title=title,
                requester=requester,
                organisation=requester.organisation,
                group=group,
                owner=owner,
                priority=priority,
                type=type,
                category=category,
                channel=channel,
                custom_fields={k: v for k, v in cleaned.items() if v is not None},
                created_at=now,
                updated_at=now,
            )
        )
        _record_created(ticket, who)
        if tags:
            _apply_tags(ticket, who, add=tags, remove=())
        _add_first_cc(ticket, who, requester, cc)
        article = None
        if body_text or body_html or attachments:
            fields_for_article = dict(article_fields or {})
            fields_for_article.setdefault("subject", title)
            article = _add_article(
                ticket,
                who,
                kind=article_kind,
                is_internal=article_internal or article_kind == ArticleKind.NOTE,
                channel=channel,
                body_text=body_text,
                body_html=body_html,
                attachments=attachments,
                sender=requester if (who.user is None or who.user.is_customer) else who.user,
                reopen=False,
                **fields_for_article,
            )
    return ticket, article


def _add_first_cc(ticket: Ticket, who: Actor, requester: User, cc: Iterable[User]) -> None:
    for person in cc:
        # Same rule as add_cc: only customers are CC participants.
        if person.pk != requester.pk and person.role == Role.CUSTOMER:
            ticket.cc_participants.add(person)
            record_event(ticket, "ticket.cc_added", who, {"person": _person(person)})


def _record_created(ticket: Ticket, who: Actor) -> None:
    record_event(
        ticket,
        "ticket.created",
        who,
        {
            "channel": ticket.channel,
            "group": ticket.group.name,
            "requester": _person(ticket.requester),
            "owner": _person(ticket.owner),
            "priority": ticket.priority,
            "type": ticket.type,
        },
    )
