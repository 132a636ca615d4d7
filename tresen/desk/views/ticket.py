"""The ticket page: header, timeline, composer, side panel; presence and drafts."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from tresen.accounts.models import Access, Group, User
from tresen.core.errors import NotFound
from tresen.core.http import AuthenticatedHttpRequest
from tresen.desk import presence
from tresen.desk.composer import save_draft, signature_for, text_modules_for
from tresen.desk.models import Draft
from tresen.desk.timeline import build_timeline
from tresen.desk.views.common import agent_view, ticket_for
from tresen.tickets import access, fields, states
from tresen.tickets.models import (
    ArticleKind,
    Attachment,
    Category,
    LinkKind,
    Priority,
    Ticket,
    TicketLink,
    TicketType,
)
from tresen.tickets.states import ACTIVE_STATES, State

OTHER_TICKETS = 8


@agent_view
def ticket(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    found = ticket_for(request, number)
    user = request.user
    can_edit = access.can_edit_ticket(user, found)
    presence.beat(user=user, ticket=found, typing=False)
    context = {
        "ticket": found,
        "timeline": build_timeline(user, found),
        "can_edit": can_edit,
        "draft": Draft.objects.filter(author=user, ticket=found).first(),
        "others": presence.others_on(found, user),
        "heartbeat": presence.HEARTBEAT_SECONDS,
        **_side_panel(user, found),
    }
    if can_edit:
        context.update(_edit_choices(user, found))
    return render(request, "desk/ticket.html", context)


def _side_panel(user: User, ticket: Ticket) -> dict[str, object]:
    others = (
        access.visible_tickets(user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .select_related("group")
        .order_by("-updated_at", "-id")[:OTHER_TICKETS]
    )
    outgoing = TicketLink.objects.filter(source=ticket).select_related("target")
    incoming = TicketLink.objects.filter(target=ticket).select_related("source")
    links = [(link, link.target) for link in outgoing] + [(link, link.source) for link in incoming]
    watchers = list(ticket.watchers.all())
    return {
        "other_tickets": list(others),
        "links": links,
        "tags": [t.name for t in ticket.tags.all()],
        "watchers": watchers,
        "is_watching": any(w.pk == user.pk for w in watchers),
        "custom_values": _custom_values(ticket),
    }


def _custom_values(ticket: Ticket) -> list[tuple[object, str, object]]:
    language = get_language() or "en"
    values = ticket.custom_fields or {}
    return [
        (field, field.label(language), values.get(field.key))
        for field in fields.fields_for_group(ticket.group_id)
    ]


def _edit_choices(user: User, ticket: Ticket) -> dict[str, object]:
    owners = (
        User.objects.filter(
            memberships__group_id=ticket.group_id,
            memberships__access=Access.FULL,
            is_active=True,
        )
        .order_by("name")
        .only("pk", "name", "email")
    )
    return {
        "next_states": [(s, State(s).label) for s in states.allowed_targets(ticket.state)],
        "pending_states": [s.value for s in states.PENDING_STATES],
        "priorities": Priority.choices,
        "types": TicketType.choices,
        "owners": list(owners),
        "groups": list(Group.objects.filter(is_active=True).exclude(pk=ticket.group_id)),
        "categories": list(
            Category.objects.filter(group_id=ticket.group_id, is_active=True).select_related(
                "parent__parent"
            )
        ),
        "link_kinds": LinkKind.choices,
        "article_kinds": [
            (ArticleKind.MESSAGE, ArticleKind.MESSAGE.label),
            (ArticleKind.NOTE, ArticleKind.NOTE.label),
        ],
        "text_modules": text_modules_for(ticket, user, get_language() or "en"),
        "signature": signature_for(ticket, user),
        "is_active_state": ticket.state in ACTIVE_STATES,
    }


@require_POST
@agent_view
def heartbeat(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Say that this agent is here (and typing); answer with who else is."""
    found = ticket_for(request, number)
    presence.beat(user=request.user, ticket=found, typing=request.POST.get("typing") == "1")
    return render(
        request,
        "desk/_presence.html",
        {"others": presence.others_on(found, request.user), "ticket": found},
    )


@require_POST
@agent_view
def draft(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Keep the composer's text on the server while the agent types."""
    found = ticket_for(request, number, write=True)
    saved = save_draft(
        author=request.user,
        ticket=found,
        kind=request.POST.get("kind", ArticleKind.MESSAGE),
        body=request.POST.get("body", ""),
    )
    presence.beat(user=request.user, ticket=found, typing=True)
    return render(request, "desk/_draft_status.html", {"draft": saved})


@agent_view
def attachment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """An attachment as a download, to agents who may read its article."""
    found = Attachment.objects.select_related("blob").filter(pk=pk).first()
    if found is None:
        raise Http404
    try:
        access.access_article(request.user, found.article_id)
    except NotFound:
        raise Http404 from None
    return FileResponse(
        found.blob.file.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type or "application/octet-stream",
    )
