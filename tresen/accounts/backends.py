from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tresen.accounts.models import User, normalise_email


class EmailBackend(ModelBackend):
    """Sign in by e-mail address, case-insensitively; same work for known and unknown addresses."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = normalise_email(kwargs.get("email") or username or "")
        if not email or password is None:
            return None
        try:
            user = User.objects.get(email=email)
        except User.DoesNotExist:
            User().set_password(password)  # equal timing for unknown addresses
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
