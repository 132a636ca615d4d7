"""The customer portal."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from tresen.core.http import AuthenticatedHttpRequest
from tresen.tickets.access import visible_tickets


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    tickets = visible_tickets(request.user).order_by("-updated_at", "-id")[:50]
    return render(request, "portal/home.html", {"tickets": tickets})
