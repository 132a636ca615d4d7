"""Sign-up, sign-in (password or mailed link), password reset, profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tresen.accounts.models import User
from tresen.portal import ratelimit, registration, tasks
from tresen.portal.forms import EmailForm, LoginForm, ProfileForm, SignupForm
from tresen.portal.views.common import AuthenticatedHttpRequest, customer_required, language_of

RATE_LIMITED = gettext_lazy("Too many attempts. Please wait a while and try again.")


def _limited(request: HttpRequest, scope: str, email: str = "") -> bool:
    try:
        ratelimit.check_and_count(scope, ip=ratelimit.client_ip(request), email=email)
    except ratelimit.RateLimited:
        return True
    return False


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return str(reverse_lazy("portal:home"))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _limited(request, "login", email):
            error = str(RATE_LIMITED)
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is not None:
                login(request, user)
                return redirect(_next_url(request))
            error = _("E-mail address or password is wrong.")
    elif request.method == "POST":
        error = _("E-mail address or password is wrong.")
    return render(
        request, "portal/login.html", {"form": form, "error": error, "next": _next_url(request)}
    )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, initial={"language": language_of(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _limited(request, "signup", data["email"]):
            form.add_error(None, RATE_LIMITED)
        else:
            tasks.signup_task(
                data["email"], data["name"], make_password(data["password"]), data["language"], ""
            )
            return render(request, "portal/check_mail.html", {"email": data["email"]})
    return render(request, "portal/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links must not spend them."""
    if request.method == "POST":
        user = registration.confirm_signup(value=token)
        if user is not None:
            login(request, user, backend="tresen.accounts.backends.EmailBackend")
            messages.success(request, _("Your account is ready. Welcome!"))
            return redirect("portal:home")
    elif _token_looks_valid(token, "signup"):
        return render(request, "portal/confirm.html", {"what": "signup"})
    return render(request, "portal/link_invalid.html", status=400)


def _token_looks_valid(token: str, purpose: str) -> bool:
    from tresen.portal.tokens import peek_token

    return peek_token(purpose=purpose, value=token) is not None


@require_http_methods(["GET", "POST"])
def login_link_request(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _limited(request, "login_link", email):
            form.add_error(None, RATE_LIMITED)
        else:
            tasks.login_link_task(email)
            return render(request, "portal/check_mail.html", {"email": email})
    return render(request, "portal/login_link.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        user = registration.redeem_login_link(value=token)
        if user is not None:
            login(request, user, backend="tresen.accounts.backends.EmailBackend")
            return redirect("portal:home")
    elif _token_looks_valid(token, "login"):
        return render(request, "portal/confirm.html", {"what": "login"})
    return render(request, "portal/link_invalid.html", status=400)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _limited(request, "reset", email):
            form.add_error(None, RATE_LIMITED)
        else:
            tasks.password_reset_task(email)
            return render(request, "portal/check_mail.html", {"email": email})
    return render(request, "portal/password_reset.html", {"form": form})


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:login")
    post_reset_login = False

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password is changed. Sign in with it now."))
        return super().form_valid(form)


@customer_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("portal:profile")
    return render(request, "portal/profile.html", {"form": form})
