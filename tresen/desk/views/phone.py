"""New phone ticket: find the caller by number or name, or create them, and record the call."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tresen.accounts.models import Group, User
from tresen.accounts.services import find_people_by_phone, get_or_create_customer
from tresen.core.errors import DomainError, ValidationError
from tresen.core.http import AuthenticatedHttpRequest
from tresen.desk.ticket_list import my_group_ids
from tresen.desk.views.common import agent_view, report
from tresen.tickets import access, services
from tresen.tickets.models import ArticleKind, Channel, Priority, Ticket
from tresen.tickets.states import ACTIVE_STATES

MAX_CALLERS = 10


def find_callers(user: User, text: str) -> list[tuple[User, list[Ticket]]]:
    """People matching a phone number, a name or an address, each with their open tickets
    that `user` may see (two queries, however many people match)."""
    text = " ".join(text.split())
    if len(text) < 3:
        return []
    people = find_people_by_phone(text)
    if not people and any(ch.isalpha() for ch in text):
        people = list(
            User.objects.filter(Q(name__icontains=text) | Q(email__icontains=text), is_active=True)
            .select_related("organisation")
            .order_by("name")[:MAX_CALLERS]
        )
    people = people[:MAX_CALLERS]
    tickets: dict[int, list[Ticket]] = {p.pk: [] for p in people}
    open_tickets = (
        access.visible_tickets(user)
        .filter(requester__in=people, state__in=ACTIVE_STATES)
        .order_by("-updated_at", "-id")
    )
    for ticket in open_tickets[:200]:
        tickets[ticket.requester_id].append(ticket)
    return [(p, tickets[p.pk]) for p in people]


@agent_view
def lookup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The callers matching what the agent typed (HTMX fragment)."""
    return render(
        request,
        "desk/_callers.html",
        {"callers": find_callers(request.user, request.GET.get("caller", ""))},
    )


def _groups(user: User) -> list[Group]:
    ids = my_group_ids(user)
    qs = Group.objects.filter(is_active=True)
    return list(qs if ids is None else qs.filter(pk__in=access.agent_group_ids(user, write=True)))


def _requester(request: AuthenticatedHttpRequest) -> User:
    raw = request.POST.get("requester", "")
    if raw.isdigit():
        found = User.objects.filter(pk=int(raw), is_active=True).first()
        if found is not None:
            return found
    email = request.POST.get("new_email", "").strip()
    if not email:
        raise ValidationError(_("Choose the caller, or enter the new caller's e-mail address."))
    try:
        person, _created = get_or_create_customer(
            email=email,
            name=request.POST.get("new_name", ""),
            phone=request.POST.get("new_phone", "").strip() or None,
        )
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages)) from None
    return person


@agent_view
def new_phone_ticket(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = _groups(request.user)
    if request.method == "POST":
        raw_group = request.POST.get("group", "")
        group = next((g for g in groups if str(g.pk) == raw_group), None)
        priority = request.POST.get("priority", "")
        try:
            if group is None:
                raise ValidationError(_("Choose a group."))
            with transaction.atomic():
                ticket = services.create_ticket(
                    actor=request.user,
                    requester=_requester(request),
                    title=request.POST.get("title", ""),
                    group=group,
                    channel=Channel.PHONE,
                    body_text=request.POST.get("body", ""),
                    article_kind=ArticleKind.PHONE,
                    priority=int(priority) if priority.isdigit() else Priority.NORMAL,
                    owner=request.user if request.POST.get("take") == "1" else None,
                )
        except DomainError as exc:
            report(request, exc)
        else:
            messages.success(
                request, _("Ticket %(number)s was opened.") % {"number": ticket.number}
            )
            return redirect(ticket)
    return render(
        request,
        "desk/phone.html",
        {"groups": groups, "priorities": Priority.choices, "form": request.POST},
    )
