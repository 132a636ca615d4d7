"""Rating from the link in the "resolved" mail, signed in or not.

The link's GET only shows the page (with the chosen score ready and submitted by the page's
script), because mail scanners open every link of a mail: a GET that recorded the score would
let a scanner rate "good" and then "bad" for the customer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tresen.accounts.models import User
from tresen.core.errors import DomainError
from tresen.feedback.links import read_rating_token
from tresen.feedback.models import Score
from tresen.feedback.services import rate_ticket
from tresen.portal.forms import RatingForm
from tresen.tickets.models import Ticket


def _claimed(token: str) -> tuple[Ticket, User] | None:
    claim = read_rating_token(token)
    if claim is None:
        return None
    ticket = Ticket.objects.select_related("requester").filter(pk=claim.ticket_id).first()
    # The link is for the requester it was mailed to; a changed requester voids it.
    if ticket is None or ticket.requester_id != claim.requester_id:
        return None
    return ticket, ticket.requester


@require_http_methods(["GET", "POST"])
def rate_by_link(request: HttpRequest, token: str, score: str) -> HttpResponse:
    claimed = _claimed(token)
    if claimed is None or score not in Score.values:
        return render(request, "portal/link_invalid.html", status=400)
    ticket, customer = claimed
    form = RatingForm(request.POST or None, initial={"score": score})
    context = {"ticket": ticket, "form": form, "score": score, "saved": False}
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"] if "comment" in request.POST else None
        try:
            rate_ticket(
                actor=customer, ticket=ticket, score=form.cleaned_data["score"], comment=comment
            )
        except DomainError as exc:
            context["error"] = str(exc.message) or _("The request cannot be rated.")
        else:
            context.update(saved=True, score=form.cleaned_data["score"])
            context["form"] = RatingForm(initial=form.cleaned_data)
    return render(request, "portal/rate.html", context)
