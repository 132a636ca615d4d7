"""The one search box: a ticket number opens the ticket, words search the conversation."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from tresen.core.http import AuthenticatedHttpRequest
from tresen.desk.views.common import agent_view
from tresen.search import SearchPage, search_tickets
from tresen.tickets.access import visible_tickets
from tresen.tickets.models import Ticket, TicketNumbering

SEARCH_PAGE = 25


def ticket_by_number(request: AuthenticatedHttpRequest, text: str) -> Ticket | None:
    """The visible ticket whose number is `text` ("T10042", "t10042", or just "10042")."""
    if not text or " " in text or len(text) > 32 or not any(ch.isdigit() for ch in text):
        return None
    # Exact matches on the unique index only: a case-insensitive lookup would read the table.
    candidates = [text, text.upper()]
    if text.isdigit():
        numbering = TicketNumbering.objects.filter(pk=1).first() or TicketNumbering()
        candidates.append(f"{numbering.prefix}{int(text):0{numbering.digits}d}")
    return visible_tickets(request.user).filter(number__in=candidates).first()


@agent_view
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    text = " ".join(request.GET.get("q", "").split())
    found = ticket_by_number(request, text)
    if found is not None:
        return redirect(found)
    hits = SearchPage()
    if text:
        hits = search_tickets(
            request.user, text, limit=SEARCH_PAGE, after=request.GET.get("after") or None
        )
    return render(
        request,
        "desk/search.html",
        {"q": text, "hits": hits, "next_after": hits.next_after},
    )
