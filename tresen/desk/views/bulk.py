"""Bulk actions on a selection of tickets: all of them change, or none does."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tresen.accounts.models import Group, User
from tresen.core.errors import DomainError, ValidationError
from tresen.core.http import AuthenticatedHttpRequest
from tresen.desk.views.common import agent_view, parse_local_datetime
from tresen.tickets import access, services
from tresen.tickets.models import Ticket

BulkAction = Callable[[AuthenticatedHttpRequest, Ticket], None]


class BulkFailed(Exception):
    """One ticket refused the change; raised out of the transaction so all of it rolls back."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"{number}: {reason}")
        self.number = number
        self.reason = reason


def _assign(request: AuthenticatedHttpRequest, ticket: Ticket) -> None:
    raw = request.POST.get("owner", "")
    owner: User | None = None
    if raw == "me":
        owner = request.user
    elif raw.isdigit():
        owner = User.objects.filter(pk=int(raw)).first()
    elif raw != "none":
        raise ValidationError(_("Choose the agent."))
    services.assign(actor=request.user, ticket=ticket, owner=owner)


def _state(request: AuthenticatedHttpRequest, ticket: Ticket) -> None:
    services.change_state(
        actor=request.user,
        ticket=ticket,
        state=request.POST.get("state", ""),
        pending_until=parse_local_datetime(request.POST.get("pending_until", "")),
    )


def _priority(request: AuthenticatedHttpRequest, ticket: Ticket) -> None:
    raw = request.POST.get("priority", "")
    services.set_priority(
        actor=request.user, ticket=ticket, priority=int(raw) if raw.isdigit() else 0
    )


def _group(request: AuthenticatedHttpRequest, ticket: Ticket) -> None:
    raw = request.POST.get("group", "")
    group = Group.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if group is None:
        raise ValidationError(_("Choose the group to hand the ticket to."))
    services.transfer(
        actor=request.user, ticket=ticket, group=group, note=request.POST.get("note", "")
    )


def _tags(request: AuthenticatedHttpRequest, ticket: Ticket) -> None:
    add = [t for t in request.POST.get("tags", "").split(",") if t.strip()]
    remove = [t for t in request.POST.get("remove_tags", "").split(",") if t.strip()]
    if not add and not remove:
        raise ValidationError(_("Enter the tags to add or remove."))
    services.set_tags(actor=request.user, ticket=ticket, add=add, remove=remove)


ACTIONS: dict[str, BulkAction] = {
    "assign": _assign,
    "state": _state,
    "priority": _priority,
    "group": _group,
    "tags": _tags,
}


def _selected(request: AuthenticatedHttpRequest) -> list[int]:
    return sorted({int(v) for v in request.POST.getlist("ticket") if v.isdigit()})


def _ticket(request: AuthenticatedHttpRequest, pk: int) -> Ticket:
    try:
        return access.access_ticket(request.user, pk=pk, write=True)
    except DomainError as exc:
        raise BulkFailed(f"#{pk}", str(exc.message)) from None


def run_bulk(request: AuthenticatedHttpRequest, action: str, ids: list[int]) -> int:
    """Apply `action` to every selected ticket in one transaction; BulkFailed names the
    ticket that refused, and nothing is changed then."""
    with transaction.atomic():
        tickets = [_ticket(request, pk) for pk in ids]
        if action == "merge":
            _merge(request, tickets)
            return len(tickets)
        for ticket in tickets:
            try:
                ACTIONS[action](request, ticket)
            except DomainError as exc:
                raise BulkFailed(ticket.number, str(exc.message)) from None
    return len(tickets)


def _merge(request: AuthenticatedHttpRequest, tickets: list[Ticket]) -> None:
    number = request.POST.get("target", "").strip()
    if number:
        try:
            target = access.access_ticket(request.user, number=number, write=True)
        except DomainError as exc:
            raise BulkFailed(number, str(exc.message)) from None
    else:
        # Without a named target the oldest selected ticket takes in the others.
        target = min(tickets, key=lambda t: (t.created_at, t.pk))
    for ticket in tickets:
        if ticket.pk == target.pk:
            continue
        try:
            services.merge_tickets(actor=request.user, source=ticket, target=target)
        except DomainError as exc:
            raise BulkFailed(ticket.number, str(exc.message)) from None


@require_POST
@agent_view
def bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    ids = _selected(request)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("desk:home")
    if action not in ACTIONS and action != "merge":
        messages.error(request, _("Choose an action."))
    elif not ids:
        messages.error(request, _("Select at least one ticket."))
    else:
        try:
            count = run_bulk(request, action, ids)
        except BulkFailed as failed:
            messages.error(
                request,
                _("Nothing was changed: ticket %(number)s refused: %(reason)s")
                % {"number": failed.number, "reason": failed.reason},
            )
        else:
            changed = ngettext(
                "%(count)d ticket was changed.", "%(count)d tickets were changed.", count
            )
            messages.success(request, changed % {"count": count})
    return redirect(back or reverse("desk:home"))
