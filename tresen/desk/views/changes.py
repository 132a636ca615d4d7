"""Changes on one ticket from its page: every one through a ticket service, version-checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tresen.accounts.models import Group, User
from tresen.core.errors import DomainError, NotFound, StaleObject, ValidationError
from tresen.core.http import AuthenticatedHttpRequest
from tresen.desk.composer import discard_draft, save_draft, signature_for, with_signature
from tresen.desk.views.common import (
    agent_view,
    back_to,
    expected_version,
    parse_local_datetime,
    report,
    ticket_for,
)
from tresen.tickets import access, services
from tresen.tickets.models import Article, ArticleKind, Category, Channel, Ticket, TicketLink


def _uploads(request: AuthenticatedHttpRequest) -> list[services.NewFile]:
    return [
        services.NewFile(filename=f.name or "", data=f.read(), content_type=f.content_type or "")
        for f in request.FILES.getlist("attachments")
    ]


@require_POST
@agent_view
def reply(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Post a public reply or an internal note; on any refusal the text stays as a draft."""
    ticket = ticket_for(request, number, write=True)
    kind = request.POST.get("kind", ArticleKind.MESSAGE)
    if kind not in (ArticleKind.MESSAGE, ArticleKind.NOTE):
        kind = ArticleKind.MESSAGE
    body = request.POST.get("body", "")
    save_draft(author=request.user, ticket=ticket, kind=kind, body=body)
    text = body
    if kind == ArticleKind.MESSAGE and request.POST.get("signature") == "1":
        text = with_signature(body, signature_for(ticket, request.user))
    try:
        services.post_article(
            actor=request.user,
            ticket=ticket,
            kind=kind,
            is_internal=kind == ArticleKind.NOTE,
            body_text=text,
            channel=Channel.WEB,
            attachments=_uploads(request),
            expected_version=expected_version(request),
            subject=f"Re: {ticket.title}"[:500] if kind == ArticleKind.MESSAGE else "",
        )
    except StaleObject as exc:
        messages.error(
            request,
            _("%(problem)s Your text was kept; check the ticket and send it again.")
            % {"problem": exc.message},
        )
        return back_to(ticket)
    except DomainError as exc:
        report(request, exc)
        return back_to(ticket)
    discard_draft(author=request.user, ticket=ticket)
    if kind == ArticleKind.MESSAGE:
        messages.success(request, _("The reply was sent."))
    else:
        messages.success(request, _("The note was added."))
    return back_to(ticket)


@require_POST
@agent_view
def log_call(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Record a phone call on the ticket as a phone article."""
    ticket = ticket_for(request, number, write=True)
    try:
        services.post_article(
            actor=request.user,
            ticket=ticket,
            kind=ArticleKind.PHONE,
            is_internal=request.POST.get("internal") == "1",
            body_text=request.POST.get("body", ""),
            channel=Channel.PHONE,
            expected_version=expected_version(request),
            reopen=False,
        )
    except DomainError as exc:
        report(request, exc)
    else:
        messages.success(request, _("The call was recorded."))
    return back_to(ticket)


def _state(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    pending = parse_local_datetime(request.POST.get("pending_until", ""))
    services.change_state(
        actor=request.user,
        ticket=ticket,
        state=request.POST.get("state", ""),
        pending_until=pending,
        expected_version=version,
    )


def _priority(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    raw = request.POST.get("priority", "")
    if not raw.isdigit():
        raise ValidationError(_("Choose a priority."))
    services.set_priority(
        actor=request.user, ticket=ticket, priority=int(raw), expected_version=version
    )


def _owner(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    raw = request.POST.get("owner", "")
    owner = None
    if raw == "me":
        owner = request.user
    elif raw.isdigit():
        owner = User.objects.filter(pk=int(raw)).first()
        if owner is None:
            raise ValidationError(_("This agent does not exist."))
    services.assign(actor=request.user, ticket=ticket, owner=owner, expected_version=version)


def _type(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    services.set_type(
        actor=request.user,
        ticket=ticket,
        type=request.POST.get("type", ""),
        expected_version=version,
    )


def _title(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    services.set_title(
        actor=request.user,
        ticket=ticket,
        title=request.POST.get("title", ""),
        expected_version=version,
    )


def _category(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    raw = request.POST.get("category", "")
    category = Category.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    services.set_category(
        actor=request.user, ticket=ticket, category=category, expected_version=version
    )


def _tags(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    wanted = {t.strip().lower() for t in request.POST.get("tags", "").split(",") if t.strip()}
    current = set(ticket.tags.values_list("name", flat=True))
    services.set_tags(
        actor=request.user,
        ticket=ticket,
        add=sorted(wanted - current),
        remove=sorted(current - wanted),
        expected_version=version,
    )


def _fields(request: AuthenticatedHttpRequest, ticket: Ticket, version: int | None) -> None:
    values: dict[str, Any] = {}
    for key in request.POST:
        if key.startswith("cf_"):
            chosen = request.POST.getlist(key)
            values[key[3:]] = chosen if len(chosen) > 1 else chosen[0]
    for key in request.POST.getlist("checkboxes"):
        values.setdefault(key, False)
    services.set_custom_fields(
        actor=request.user, ticket=ticket, values=values, expected_version=version
    )


CHANGES: dict[str, Callable[[AuthenticatedHttpRequest, Ticket, int | None], None]] = {
    "state": _state,
    "priority": _priority,
    "owner": _owner,
    "type": _type,
    "title": _title,
    "category": _category,
    "tags": _tags,
    "fields": _fields,
}


@require_POST
@agent_view
def change(request: AuthenticatedHttpRequest, number: str, what: str) -> HttpResponse:
    """Change one property of the ticket in place."""
    if what not in CHANGES:
        raise Http404
    ticket = ticket_for(request, number, write=True)
    try:
        CHANGES[what](request, ticket, expected_version(request))
    except DomainError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Saved."))
    return back_to(ticket)


@require_POST
@agent_view
def transfer(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Forward the ticket to another group with a handover note."""
    ticket = ticket_for(request, number, write=True)
    raw = request.POST.get("group", "")
    group = Group.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if group is None:
        messages.error(request, _("Choose the group to hand the ticket to."))
        return back_to(ticket)
    try:
        services.transfer(
            actor=request.user,
            ticket=ticket,
            group=group,
            note=request.POST.get("note", ""),
            expected_version=expected_version(request),
        )
    except DomainError as exc:
        report(request, exc)
        return back_to(ticket)
    messages.success(request, _("The ticket was handed to %(group)s.") % {"group": group.name})
    if access.can_see_ticket(request.user, ticket):
        return back_to(ticket)
    return redirect("desk:home")


def _other(request: AuthenticatedHttpRequest, number: str) -> Ticket:
    try:
        return access.access_ticket(request.user, number=number.strip(), write=True)
    except NotFound:
        raise ValidationError(
            _("There is no ticket %(number)s you may change.") % {"number": number}
        ) from None


@require_POST
@agent_view
def merge(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Merge this ticket into another."""
    ticket = ticket_for(request, number, write=True)
    try:
        target = _other(request, request.POST.get("target", ""))
        if expected_version(request) not in (None, ticket.version):
            raise StaleObject()
        services.merge_tickets(actor=request.user, source=ticket, target=target)
    except DomainError as exc:
        report(request, exc)
        return back_to(ticket)
    messages.success(
        request,
        _("%(source)s was merged into %(target)s.")
        % {"source": ticket.number, "target": target.number},
    )
    return back_to(target)


@require_POST
@agent_view
def split(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Make a new ticket from one article."""
    ticket = ticket_for(request, number, write=True)
    raw = request.POST.get("article", "")
    article = Article.objects.filter(pk=int(raw), ticket=ticket).first() if raw.isdigit() else None
    if article is None:
        raise Http404
    try:
        new = services.split_article(actor=request.user, article=article)
    except DomainError as exc:
        report(request, exc)
        return back_to(ticket)
    messages.success(request, _("The new ticket %(number)s was made.") % {"number": new.number})
    return back_to(new)


@require_POST
@agent_view
def link(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = ticket_for(request, number, write=True)
    try:
        target = _other(request, request.POST.get("target", ""))
        services.link_tickets(
            actor=request.user, source=ticket, target=target, kind=request.POST.get("kind", "")
        )
    except DomainError as exc:
        report(request, exc)
    return back_to(ticket)


@require_POST
@agent_view
def unlink(request: AuthenticatedHttpRequest, number: str, pk: int) -> HttpResponse:
    ticket = ticket_for(request, number, write=True)
    found = TicketLink.objects.filter(pk=pk).filter(source=ticket).first() or (
        TicketLink.objects.filter(pk=pk, target=ticket).first()
    )
    if found is None:
        raise Http404
    try:
        services.unlink_tickets(actor=request.user, link=found)
    except DomainError as exc:
        report(request, exc)
    return back_to(ticket)


@require_POST
@agent_view
def watch(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Start or stop watching the ticket."""
    ticket = ticket_for(request, number)
    try:
        if request.POST.get("watch") == "1":
            services.add_watcher(actor=request.user, ticket=ticket, agent=request.user)
        else:
            services.remove_watcher(actor=request.user, ticket=ticket, agent=request.user)
    except DomainError as exc:
        report(request, exc)
    return back_to(ticket)
