"""Opening requests: the forms for signed-in customers, for guests (confirmed by mail) and
the embeddable form for a company's own website."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tresen.core.errors import DomainError
from tresen.portal import ratelimit
from tresen.portal.forms import GuestRequestForm, RequestTicketForm, new_files
from tresen.portal.models import RequestForm
from tresen.portal.submissions import (
    Request,
    confirm_submission,
    start_submission,
    submit_request,
)
from tresen.portal.views.account import RATE_LIMITED
from tresen.portal.views.common import AuthenticatedHttpRequest, customer_required, language_of
from tresen.tickets.access import access_ticket

OPENED_ANSWERS = "portal_opened_answers"


def offered_forms(*, public: bool = False) -> QuerySet[RequestForm]:
    qs = RequestForm.objects.filter(is_active=True, group__is_active=True)
    return qs.filter(is_public=True) if public else qs


def _request(form: RequestTicketForm, request_form: RequestForm) -> Request:
    data = form.cleaned_data
    return Request(
        form=request_form,
        title=data["title"],
        body=data["body"],
        custom_fields=form.custom_values(),
        files=new_files(data["attachments"]),
    )


@customer_required
@require_GET
def choose_form(request: AuthenticatedHttpRequest) -> HttpResponse:
    forms = list(offered_forms())
    if len(forms) == 1:
        return redirect("portal:new_request", form_id=forms[0].pk)
    return render(request, "portal/choose_form.html", {"forms": forms, "guest": False})


@customer_required
@require_http_methods(["GET", "POST"])
def new_request(request: AuthenticatedHttpRequest, form_id: int) -> HttpResponse:
    request_form = get_object_or_404(offered_forms(), pk=form_id)
    form = RequestTicketForm(
        request.POST or None,
        request.FILES or None,
        request_form=request_form,
        language=language_of(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            ip = ratelimit.client_ip(request)
            ratelimit.check_and_count("request", ip=ip, email=request.user.email)
            ticket = submit_request(customer=request.user, request=_request(form, request_form))
        except ratelimit.RateLimited:
            form.add_error(None, RATE_LIMITED)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            request.session.pop(OPENED_ANSWERS, None)
            return redirect("portal:request_created", number=ticket.number)
    return render(
        request,
        "portal/new_request.html",
        {"form": form, "request_form": request_form, "guest": False},
        status=400 if form.errors else 200,
    )


@customer_required
@require_GET
def request_created(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    try:
        ticket = access_ticket(request.user, number=number)
    except DomainError:
        raise Http404 from None
    return render(request, "portal/request_created.html", {"ticket": ticket})


# Without an account ---------------------------------------------------------------------------


@require_GET
def guest_choose_form(request: HttpRequest) -> HttpResponse:
    forms = list(offered_forms(public=True))
    if len(forms) == 1:
        return redirect("portal:guest_request", form_id=forms[0].pk)
    return render(request, "portal/choose_form.html", {"forms": forms, "guest": True})


def _guest_form(request: HttpRequest, form_id: int, template: str, embedded: bool) -> HttpResponse:
    request_form = get_object_or_404(offered_forms(public=True), pk=form_id)
    form = GuestRequestForm(
        request.POST or None,
        request.FILES or None,
        request_form=request_form,
        language=language_of(request),
    )
    context = {"form": form, "request_form": request_form, "guest": True, "embedded": embedded}
    if request.method != "POST" or not form.is_valid():
        return render(request, template, context, status=400 if form.errors else 200)
    data = form.cleaned_data
    if data["website"]:
        # A robot filled in the hidden field: answer as if all went well, and keep nothing.
        return render(request, "portal/check_mail.html", {"email": data["email"], **context})
    try:
        ratelimit.check_and_count(
            "submission", ip=ratelimit.client_ip(request), email=data["email"]
        )
        start_submission(
            email=data["email"],
            name=data["name"],
            language=language_of(request),
            request=_request(form, request_form),
        )
    except ratelimit.RateLimited:
        form.add_error(None, RATE_LIMITED)
    except DomainError as exc:
        form.add_error(None, str(exc.message))
    else:
        return render(request, "portal/check_mail.html", {"email": data["email"], **context})
    return render(request, template, context, status=400)


@require_http_methods(["GET", "POST"])
def guest_request(request: HttpRequest, form_id: int) -> HttpResponse:
    return _guest_form(request, form_id, "portal/new_request.html", embedded=False)


# The embedded form lives in an iframe on another site, where the browser withholds our
# SameSite cookies, so a CSRF token cannot work. It needs none: it acts for nobody signed in
# and creates nothing until the address owner confirms by mail; honeypot and rate limits
# keep robots out.
@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def embedded_request(request: HttpRequest, form_id: int) -> HttpResponse:
    return _guest_form(request, form_id, "portal/embed.html", embedded=True)


@require_http_methods(["GET", "POST"])
def submission_confirm(request: HttpRequest, token: str) -> HttpResponse:
    from tresen.portal.tokens import peek_token

    if request.method == "POST":
        try:
            ticket = confirm_submission(value=token)
        except DomainError as exc:
            return render(request, "portal/link_invalid.html", {"reason": exc.message}, status=400)
        if ticket is not None:
            return render(request, "portal/request_created.html", {"ticket": ticket, "guest": True})
    elif peek_token(purpose="submission", value=token) is not None:
        return render(request, "portal/confirm.html", {"what": "submission"})
    return render(request, "portal/link_invalid.html", status=400)
