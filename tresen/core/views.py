"""Entry and health: where a signed-in person lands, and what monitoring asks."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string

from tresen.core.unavailable import is_database_unavailable, unavailable_response

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.is_agent:  # type: ignore[union-attr]
        return redirect("desk:home")
    return redirect("portal:home")


def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers (liveness); says nothing about its dependencies."""
    return HttpResponse("ok", content_type="text/plain")


def readyz(request: HttpRequest) -> JsonResponse:
    """Name each dependency that is down; 503 when any is."""
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis(settings.REDIS_URL)
    ok = all(v == "ok" for v in checks.values())
    down = sorted(name for name, state in checks.items() if state != "ok")
    return JsonResponse({"ready": ok, "down": down, "checks": checks}, status=200 if ok else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        logger.warning("readyz: database down: %r", exc)
        return f"down: {exc.__class__.__name__}"
    return "ok"


def _check_redis(url: str) -> str:
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except Exception as exc:
        logger.warning("readyz: redis down: %r", exc)
        return f"down: {exc.__class__.__name__}"
    return "ok"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database becomes the plain 503 page, anything else a plain 500.

    Django calls this inside its exception handler, so `sys.exc_info()` is the failure; this
    also covers failures before the view, such as loading the session.
    """
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return unavailable_response(request)
    return HttpResponseServerError(render_to_string("500.html"))
