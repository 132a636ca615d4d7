"""The site-wide sign-in page (agents and admins use it), under the same rate limit as the
portal's: per client address and per e-mail address, refused attempts counted too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from tresen.portal.ratelimit import RateLimited, check_and_count, client_ip
from tresen.portal.views.account import RATE_LIMITED


class RateLimitedLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            check_and_count("login", ip=client_ip(request), email=request.POST.get("username", ""))
        except RateLimited:
            form = self.get_form()
            form.is_valid()  # binds the data so the address stays in the field
            return self.render_to_response(
                self.get_context_data(form=form, rate_limited=RATE_LIMITED)
            )
        return super().post(request, *args, **kwargs)
