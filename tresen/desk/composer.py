"""The reply composer's parts: text modules with placeholders, the signature, drafts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from tresen.desk.models import Draft, TextModule
from tresen.tickets.models import ArticleKind, Ticket

if TYPE_CHECKING:
    from tresen.accounts.models import User

PLACEHOLDER = re.compile(r"\{(requester_name|ticket_number|ticket_title|agent_name)\}")


def fill_placeholders(text: str, *, ticket: Ticket, agent: User) -> str:
    """Replace the known placeholders; anything else in braces stays as written."""
    values = {
        "requester_name": ticket.requester.display_name,
        "ticket_number": ticket.number,
        "ticket_title": ticket.title,
        "agent_name": agent.display_name,
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def text_modules_for(ticket: Ticket, agent: User, language: str) -> list[tuple[TextModule, str]]:
    """The active text modules for this ticket's group and the agent's language, filled in."""
    modules = TextModule.objects.filter(
        Q(group__isnull=True) | Q(group_id=ticket.group_id),
        Q(language="") | Q(language=language[:2]),
        is_active=True,
    ).order_by("name")
    return [(m, fill_placeholders(m.body, ticket=ticket, agent=agent)) for m in modules]


def signature_for(ticket: Ticket, agent: User) -> str:
    return fill_placeholders(ticket.group.signature or "", ticket=ticket, agent=agent).strip()


def with_signature(body: str, signature: str) -> str:
    if not signature or signature in body:
        return body
    return f"{body.rstrip()}\n\n-- \n{signature}"


def save_draft(*, author: User, ticket: Ticket, kind: str, body: str) -> Draft | None:
    """Keep what the agent typed; an emptied composer removes the draft."""
    if kind not in ArticleKind.values:
        kind = ArticleKind.MESSAGE
    if not body.strip():
        Draft.objects.filter(author=author, ticket=ticket).delete()
        return None
    draft, _created = Draft.objects.update_or_create(
        author=author,
        ticket=ticket,
        defaults={"kind": kind, "body": body, "updated_at": timezone.now()},
    )
    return draft


def discard_draft(*, author: User, ticket: Ticket) -> None:
    Draft.objects.filter(author=author, ticket=ticket).delete()
