"""The portal's front page: the customer's requests, or the way in for visitors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tresen.knowledge.selectors import published_answers
from tresen.portal.views.asking import offered_forms
from tresen.portal.views.common import language_of


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if not user.is_customer:  # type: ignore[union-attr]
            return redirect("home")
        return redirect("portal:requests")
    context = {
        "answers": published_answers(language_of(request)).order_by("-solved_count", "title")[:6],
        "guest_forms": offered_forms(public=True).exists(),
    }
    return render(request, "portal/welcome.html", context)
