"""The ticket page: header, timeline, composer, side panel; presence and drafts."""

from __future__ import annotations

from django.db.models import Q
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
    user = request.user
    found = _page_ticket(user, number)
    can_edit = access.can_edit_ticket(user, found)
    # The edit choices list the active groups; the ticket's own group is usually among them.
    active_groups = list(Group.objects.filter(is_active=True)) if can_edit else []
    _attach_relations(found, active_groups)
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
        context.update(_edit_choices(user, found, active_groups))
    return render(request, "desk/ticket.html", context)


def _page_ticket(user: User, number: str) -> Ticket:
    """The ticket for its page if the agent may see it (404 otherwise), as
    `access.access_ticket` decides, but read from the ticket table alone.

    Joining the ticket's six relations into the access check's query made PostgreSQL spend
    10-25 ms planning a query that then ran in under a millisecond on the million-ticket
    database. The relations the page shows are attached by `_attach_relations`; category and
    merged_into load lazily, only when set and shown.
    """
    try:
        return access.visible_tickets(user).get(number=number)
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _attach_relations(ticket: Ticket, groups: list[Group]) -> None:
    """Requester and owner in one query (with the requester's organisation, usually the
    ticket's), the group from `groups` when it is there."""
    people = User.objects.select_related("organisation").in_bulk(
        {ticket.requester_id} | ({ticket.owner_id} if ticket.owner_id else set())
    )
    requester = people[ticket.requester_id]
    ticket.requester = requester
    ticket.owner = people.get(ticket.owner_id) if ticket.owner_id else None
    if ticket.organisation_id and ticket.organisation_id == requester.organisation_id:
        ticket.organisation = requester.organisation
    group = next((g for g in groups if g.pk == ticket.group_id), None)
    ticket.group = group or Group.objects.get(pk=ticket.group_id)


def _side_panel(user: User, ticket: Ticket) -> dict[str, object]:
    others = (
        access.visible_tickets(user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .only("pk", "number", "title", "state")
        .order_by("-updated_at", "-id")[:OTHER_TICKETS]
    )
    found = list(TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).order_by("pk"))
    # Most tickets have no links: the tickets at the other end are read only when there are.
    ends = (
        Ticket.objects.only("pk", "number", "title").in_bulk(
            {link.target_id for link in found} | {link.source_id for link in found}
        )
        if found
        else {}
    )
    # Outgoing links first, then incoming ones, each showing the ticket at the other end.
    links = [(link, ends[link.target_id]) for link in found if link.source_id == ticket.pk] + [
        (link, ends[link.source_id]) for link in found if link.source_id != ticket.pk
    ]
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


def _edit_choices(user: User, ticket: Ticket, active_groups: list[Group]) -> dict[str, object]:
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
        "groups": [g for g in active_groups if g.pk != ticket.group_id],
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
