"""Language and time zone per person, and a plain answer when a dependency is down."""

import logging
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from tresen.core.unavailable import is_database_unavailable, unavailable_response

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
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            # Threads serve many people, and run other work: none inherits this language.
            translation.deactivate()
        return response


class UserLanguageActivationMiddleware:
    """After authentication: a signed-in person's own language and time zone win."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
            _activate_time_zone(getattr(user, "time_zone", ""))
        try:
            response = self.get_response(request)
        finally:
            # Threads serve many people: the next request must not inherit this zone.
            timezone.deactivate()
        response.headers["Content-Language"] = translation.get_language()
        return response


def _activate_time_zone(name: str) -> None:
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class DependencyDownMiddleware:
    """Turn a lost database connection in a view into a plain 503 that says to retry.

    Failures before the view (loading the session, say) reach `tresen.core.views.server_error`,
    which answers the same way.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG or not is_database_unavailable(exception):
            return None
        logger.error("database unavailable: %r", exception)
        return unavailable_response(request)
