"""My requests: the list, one request with its public conversation, answering, solving,
reopening and rating, and the attachments of what the customer may read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tresen.core.errors import DomainError, NotFound, PermissionDenied
from tresen.feedback.services import RATEABLE_STATES, rate_ticket
from tresen.portal import selectors
from tresen.portal.forms import RatingForm, ReplyForm, new_files
from tresen.portal.views.common import AuthenticatedHttpRequest, customer_required, language_of
from tresen.tickets.access import access_article, access_ticket
from tresen.tickets.models import Attachment, Ticket
from tresen.tickets.services import change_state, post_article
from tresen.tickets.states import ACTIVE_STATES, State


def _ticket(request: AuthenticatedHttpRequest, number: str) -> Ticket:
    try:
        return access_ticket(request.user, number=number)
    except NotFound:
        raise Http404 from None


@customer_required
@require_GET
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    wanted = selectors.RequestFilter(
        status=request.GET.get("status", "open"),
        scope=request.GET.get("scope", "mine"),
        query=request.GET.get("q", "").strip()[:100],
    )
    page = Paginator(selectors.list_requests(request.user, wanted), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "wanted": wanted,
        "shares": selectors.organisation_shares(request.user),
    }
    template = "portal/_request_rows.html" if request.htmx else "portal/requests.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@customer_required
@require_GET
def request_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    return render(request, "portal/request.html", _detail_context(request, ticket))


def _detail_context(request: AuthenticatedHttpRequest, ticket: Ticket, **extra: object) -> dict:
    rating = selectors.rating_of(request.user, ticket)
    return {
        "ticket": ticket,
        "articles": selectors.public_conversation(request.user, ticket),
        "fields": selectors.customer_fields(ticket, language_of(request)),
        "reply_form": extra.get("reply_form") or ReplyForm(),
        "rating": rating,
        "rating_form": RatingForm(initial={"score": rating.score if rating else None}),
        "can_rate": ticket.state in RATEABLE_STATES,
        "can_solve": ticket.state in ACTIVE_STATES,
        "can_reopen": ticket.state in (State.RESOLVED, State.CLOSED),
        "is_open": ticket.state != State.MERGED,
    }


@customer_required
@require_POST
def reply(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            post_article(
                actor=request.user,
                ticket=ticket,
                body_text=form.cleaned_data["body"],
                attachments=new_files(form.cleaned_data["attachments"]),
            )
        except (NotFound, PermissionDenied):
            raise Http404 from None
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your answer is added to the request."))
            return redirect("portal:ticket", number=ticket.number)
    context = _detail_context(request, ticket, reply_form=form)
    return render(request, "portal/request.html", context, status=400)


@customer_required
@require_POST
def set_state(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    target = State.RESOLVED if request.POST.get("state") == "resolved" else State.OPEN
    try:
        change_state(actor=request.user, ticket=ticket, state=target)
    except (NotFound, PermissionDenied):
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if target == State.RESOLVED:
            messages.success(request, _("The request is marked as solved. How did we do?"))
        else:
            messages.success(request, _("The request is open again."))
    return redirect("portal:ticket", number=ticket.number)


@customer_required
@require_POST
def rate(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rate_ticket(
                actor=request.user,
                ticket=ticket,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you for your rating."))
    return redirect("portal:ticket", number=ticket.number)


@customer_required
@require_GET
def attachment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """Serve a file only if its article is readable by the customer, always as a download."""
    found = Attachment.objects.select_related("blob").filter(pk=pk).first()
    if found is None:
        raise Http404
    try:
        article = access_article(request.user, found.article_id)
    except NotFound:
        raise Http404 from None
    if article.is_internal:
        raise Http404
    response = FileResponse(
        found.blob.file.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
