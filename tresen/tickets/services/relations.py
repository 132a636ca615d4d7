"""Links between tickets, merge and split."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tresen.accounts.models import Role, User
from tresen.core.errors import (
    ValidationError,
)
from tresen.tickets.events import Actor, as_actor, record_event
from tresen.tickets.models import (
    Article,
    Attachment,
    LinkKind,
    Ticket,
    TicketLink,
)
from tresen.tickets.services._core import _check_choice, _writing, _writing_both, next_ticket_number
from tresen.tickets.states import State


def link_tickets(
    *, actor: User | Actor | None, source: Ticket, target: Ticket, kind: str
) -> TicketLink:
    """Link two tickets: source is parent of / related to / duplicate of target."""
    who = as_actor(actor)
    _check_choice(kind, LinkKind.values)
    if source.pk == target.pk:
        raise ValidationError(_("A ticket cannot be linked to itself."))
    with transaction.atomic(), _writing_both(source, target, who) as (locked_source, locked_target):
        link, created = TicketLink.objects.get_or_create(
            source=locked_source, target=locked_target, kind=kind
        )
        if created:
            data = {"kind": kind, "source": source.number, "target": target.number}
            record_event(locked_source, "ticket.linked", who, data)
            record_event(locked_target, "ticket.linked", who, data)
    return link


def unlink_tickets(*, actor: User | Actor | None, link: TicketLink) -> None:
    """Remove a link between two tickets."""
    who = as_actor(actor)
    source, target = link.source, link.target
    with transaction.atomic(), _writing_both(source, target, who) as (locked_source, locked_target):
        data = {"kind": link.kind, "source": source.number, "target": target.number}
        link.delete()
        record_event(locked_source, "ticket.unlinked", who, data)
        record_event(locked_target, "ticket.unlinked", who, data)


def merge_tickets(*, actor: User | Actor | None, source: Ticket, target: Ticket) -> Ticket:
    """Merge `source` into `target`: its articles move, it points at the target. All or nothing."""
    who = as_actor(actor)
    if source.pk == target.pk:
        raise ValidationError(_("A ticket cannot be merged into itself."))
    with transaction.atomic(), _writing_both(source, target, who) as (src, dst):
        moved = Article.objects.filter(ticket=src).update(ticket=dst)
        dst.tags.add(*src.tags.all())
        dst.watchers.add(*src.watchers.all())
        # The source's requester and CC participants follow their messages only when both
        # tickets belong to the same requester or organisation: a merge by mistake must not
        # show one customer another customer's conversation.
        same_party = src.requester_id == dst.requester_id or (
            src.organisation_id is not None and src.organisation_id == dst.organisation_id
        )
        if same_party:
            cc = list(src.cc_participants.exclude(pk=dst.requester_id))
            if src.requester_id != dst.requester_id:
                cc.append(src.requester)
            dst.cc_participants.add(*[p for p in cc if p.role == Role.CUSTOMER])
        data = {"source": src.number, "target": dst.number, "articles": moved}
        record_event(src, "ticket.merged", who, data)
        record_event(dst, "ticket.merged", who, data)
        src.state = State.MERGED
        src.merged_into = dst
        src.pending_until = None
        src.reminder_reached_at = None
    return target


def split_article(*, actor: User | Actor | None, article: Article, title: str = "") -> Ticket:
    """Make a new ticket from an article (copied with its attachments), linked to the old one."""
    who = as_actor(actor)
    origin = article.ticket
    with transaction.atomic(), _writing(origin, who, expected_version=None) as locked:
        new = Ticket.objects.create(
            number=next_ticket_number(),
            title=" ".join((title or article.subject or locked.title).split())[:250],
            requester=locked.requester,
            organisation=locked.organisation,
            group=locked.group,
            priority=locked.priority,
            type=locked.type,
            category=locked.category,
            channel=article.channel,
        )
        copy = Article.objects.create(
            ticket=new,
            kind=article.kind,
            is_internal=article.is_internal,
            channel=article.channel,
            sender_role=article.sender_role,
            author=article.author,
            from_address=article.from_address,
            to_addresses=article.to_addresses,
            cc_addresses=article.cc_addresses,
            subject=article.subject,
            body_text=article.body_text,
            body_html=article.body_html,
            meta={
                **article.meta,
                "split_from": {"ticket": locked.number, "article": article.pk},
            },
            created_at=article.created_at,
        )
        Attachment.objects.bulk_create(
            Attachment(
                article=copy,
                blob_id=a.blob_id,
                filename=a.filename,
                content_type=a.content_type,
                content_id=a.content_id,
                is_inline=a.is_inline,
            )
            for a in article.attachments.all()
        )
        TicketLink.objects.create(source=locked, target=new, kind=LinkKind.RELATED)
        data = {"source": locked.number, "target": new.number, "article": article.pk}
        record_event(
            new, "ticket.created", who, {"channel": new.channel, "split_from": locked.number}
        )
        record_event(locked, "ticket.split", who, data)
        record_event(new, "ticket.split", who, data)
    return new
