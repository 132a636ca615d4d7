"""What every portal page shares: who may enter, and domain errors as HTTP answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from tresen.core.http import AuthenticatedHttpRequest

View = Callable[..., HttpResponseBase]


def customer_required(view: View) -> View:
    """Signed-out people go to the portal's sign-in page; agents belong in the desk.

    The portal shows what a customer may see; an agent here would see internal articles
    through the agent rules, so the portal serves customers only.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if not user.is_customer:  # type: ignore[union-attr]
            if request.method == "GET" and not request.htmx:  # type: ignore[attr-defined]
                return redirect("home")
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def language_of(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "en"))[:2]


__all__ = ["AuthenticatedHttpRequest", "customer_required", "language_of"]
