"""The customer portal."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tresen.core.http import AuthenticatedHttpRequest
from tresen.tickets.access import visible_tickets


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    tickets = visible_tickets(request.user).order_by("-updated_at", "-id")[:50]
    return render(request, "portal/home.html", {"tickets": tickets})


def rate_by_link(request: HttpRequest, token: str, score: str) -> HttpResponse:
    """Placeholder until the rating page lands: the link target must exist for the mails."""
    raise Http404
