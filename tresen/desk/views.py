"""The agent workspace."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from tresen.core.errors import NotFound
from tresen.core.http import AuthenticatedHttpRequest
from tresen.tickets.access import access_ticket, visible_tickets


def _agent_required(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_agent:
        raise Http404


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    _agent_required(request)
    tickets = (
        visible_tickets(request.user)
        .select_related("group", "owner")
        .order_by("-updated_at", "-id")[:50]
    )
    return render(request, "desk/home.html", {"tickets": tickets})


@login_required
def ticket(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    _agent_required(request)
    try:
        found = access_ticket(request.user, number=number)
    except NotFound:
        raise Http404 from None
    return render(request, "desk/ticket.html", {"ticket": found})
