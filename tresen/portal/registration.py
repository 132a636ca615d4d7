"""Customer accounts from the portal: sign-up confirmed by mail, sign-in links, password reset.

None of these reveals whether an address has an account: the page answers the same for
every address, and what differs (which mail is sent, if any) reaches only the mailbox owner.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tresen.accounts.models import Role, User, normalise_email
from tresen.accounts.services import get_or_create_customer, is_own_address
from tresen.portal.mails import send_portal_mail
from tresen.portal.models import MailToken
from tresen.portal.tokens import issue_token, redeem_token


def _link(name: str, **kwargs: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _existing(email: str) -> User | None:
    return User.objects.filter(email=normalise_email(email)).first()


def start_signup(
    *, email: str, name: str, password_hash: str, language: str, time_zone: str = ""
) -> None:
    """Mail a confirmation link, or, for an address that already has an account, a hint.

    Nothing is created yet: the account exists (and can sign in) only after the link is
    followed, which proves the address belongs to the person.
    """
    address = normalise_email(email)
    if is_own_address(address):
        return
    user = _existing(address)
    with transaction.atomic():
        if user is not None and (user.has_usable_password() or not user.is_customer):
            send_portal_mail(
                to=address,
                template="account_exists",
                context={
                    "user": user,
                    "login_url": _link("portal:login"),
                    "reset_url": _link("portal:password_reset"),
                },
                language=user.language,
            )
            return
        payload = {
            "name": name.strip()[:200],
            "language": language,
            "time_zone": time_zone,
            "password": password_hash,
        }
        value = issue_token(purpose=MailToken.Purpose.SIGNUP, email=address, payload=payload)
        send_portal_mail(
            to=address,
            template="confirm_signup",
            context={"name": payload["name"], "url": _link("portal:signup_confirm", token=value)},
            language=language,
        )


def confirm_signup(*, value: str) -> User | None:
    """Create (or complete) the customer account of a followed sign-up link; None if invalid.

    A customer known from earlier mail gets the password and the name they chose now: the
    link proves they hold the mailbox, just as a password reset would.
    """
    with transaction.atomic():
        token = redeem_token(purpose=MailToken.Purpose.SIGNUP, value=value)
        if token is None:
            return None
        data = token.payload
        user, created = get_or_create_customer(
            email=token.email, name=data.get("name", ""), language=data.get("language")
        )
        if not user.is_customer or not user.is_active:
            return None
        if not created and data.get("name"):
            user.name = data["name"]
        if data.get("time_zone"):
            user.time_zone = data["time_zone"]
        user.language = data.get("language") or user.language
        user.password = data["password"]
        user.save()
    return user


def request_login_link(*, email: str) -> None:
    """Mail a one-time sign-in link to an active customer; nothing for any other address."""
    user = _existing(email)
    if user is None or not user.is_active or user.role != Role.CUSTOMER:
        return
    with transaction.atomic():
        value = issue_token(purpose=MailToken.Purpose.LOGIN, email=user.email)
        send_portal_mail(
            to=user.email,
            template="login_link",
            context={"user": user, "url": _link("portal:login_link", token=value)},
            language=user.language,
        )


def redeem_login_link(*, value: str) -> User | None:
    """Return the customer a followed sign-in link signs in, using it up; None if invalid."""
    with transaction.atomic():
        token = redeem_token(purpose=MailToken.Purpose.LOGIN, value=value)
        if token is None:
            return None
        user = _existing(token.email)
    if user is None or not user.is_active or not user.is_customer:
        return None
    return user


def request_password_reset(*, email: str) -> None:
    """Mail a password-reset link to an active person with this address; nothing otherwise."""
    user = _existing(email)
    if user is None or not user.is_active:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with transaction.atomic():
        send_portal_mail(
            to=user.email,
            template="password_reset",
            context={
                "user": user,
                "url": _link("portal:password_reset_confirm", uidb64=uid, token=token),
            },
            language=user.language,
        )
