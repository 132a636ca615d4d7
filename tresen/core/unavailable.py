"""The answer people get while the database is unreachable: a plain 503 that says to retry."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = "30"


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for errors that mean "no connection", not for a bad query or a broken constraint."""
    return isinstance(exc, (OperationalError, InterfaceError))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("The database is unavailable. Please retry shortly.")},
            status=503,
            headers=headers,
        )
    # Rendered without a request: context processors would read the session, i.e. the database.
    html = render_to_string("core/unavailable.html")
    return HttpResponse(html, status=503, headers=headers)
