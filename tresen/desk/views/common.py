"""What every desk view shares: agents only, ticket access, domain errors as messages."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tresen.core.errors import DomainError, NotFound, PermissionDenied
from tresen.core.http import AuthenticatedHttpRequest
from tresen.tickets.access import access_ticket
from tresen.tickets.models import Ticket

View = Callable[..., HttpResponseBase]


def agent_view(view: View) -> View:
    """Signed-in agents and admins only; to anyone else the desk does not exist."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_agent:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def ticket_for(request: AuthenticatedHttpRequest, number: str, *, write: bool = False) -> Ticket:
    """The ticket if the agent may see it (404 otherwise); 403 when writing is asked and the
    agent may only read."""
    try:
        return access_ticket(request.user, number=number, write=write)
    except NotFound:
        raise Http404 from None
    except PermissionDenied:
        raise HttpForbidden from None


def expected_version(request: AuthenticatedHttpRequest) -> int | None:
    """The version the page was rendered with, so a change on a stale page is refused."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def back_to(ticket: Ticket) -> HttpResponseRedirect:
    return redirect("desk:ticket", number=ticket.number)


def report(request: AuthenticatedHttpRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


def parse_local_datetime(raw: str) -> datetime.datetime | None:
    """A datetime-local input, read in the agent's own time zone (activated per request)."""
    value = parse_datetime((raw or "").strip())
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.get_current_timezone())
    return value
