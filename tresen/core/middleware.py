"""Language per person, and a plain answer when a dependency is down."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]


class UserLanguageMiddleware:
    """Before authentication: the browser's language (session cookie not read yet)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class UserLanguageActivationMiddleware:
    """After authentication: a signed-in person's own language wins over the browser's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers["Content-Language"] = translation.get_language()
        return response


class DependencyDownMiddleware:
    """Turn a lost database connection into a plain 503 that says to retry."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (DatabaseError, InterfaceError)) or settings.DEBUG:
            return None
        if not _is_connection_error(exception):
            return None
        logger.error("database unavailable: %r", exception)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "The database is unavailable. Please retry shortly."}, status=503
            )
        html = render_to_string("core/unavailable.html", request=None)
        return HttpResponse(html, status=503, headers={"Retry-After": "30"})


def _is_connection_error(exc: Exception) -> bool:
    from django.db import OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))
