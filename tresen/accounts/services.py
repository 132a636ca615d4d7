"""Writes on people: customers found or created by address, with their organisation."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tresen.accounts.models import (
    Group,
    Language,
    Organisation,
    OrganisationDomain,
    PhoneNumber,
    Role,
    User,
    normalise_email,
)
from tresen.core.errors import ValidationError
from tresen.core.phone import normalise_phone


def organisation_for_email(email: str) -> Organisation | None:
    """Return the organisation whose mail domain matches `email`, if any."""
    domain = normalise_email(email).rpartition("@")[2]
    if not domain:
        return None
    found = OrganisationDomain.objects.select_related("organisation").filter(domain=domain).first()
    return found.organisation if found else None


def is_own_address(email: str) -> bool:
    """True for Tresen's own addresses (group senders, the default sender): never customers."""
    address = normalise_email(email)
    if address == normalise_email(settings.DEFAULT_FROM_EMAIL):
        return True
    return Group.objects.filter(email__iexact=address).exists()


def get_or_create_customer(
    *,
    email: str,
    name: str = "",
    language: str | None = None,
    phone: str | None = None,
    own_address_checked: bool = False,
) -> tuple[User, bool]:
    """Return the person with this address, creating a customer (with organisation) if new.

    `own_address_checked` says the caller has just made sure, with `is_own_address` or a
    stricter check, that the address is not one of Tresen's own (mail intake does, per
    message): the same query is not asked twice.
    """
    address = normalise_email(email)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValidationError(_("“%(address)s” is not an e-mail address.") % {"address": email})
    if not own_address_checked and is_own_address(address):
        raise ValidationError(_("Tresen's own addresses cannot become customers."))
    try:  # get(), not first(): no ORDER BY to build for a unique column
        return User.objects.get(email=address), False
    except User.DoesNotExist:
        pass
    try:
        # Checked here, where a customer is made: a known address was checked when it was.
        validate_email(address)
        with transaction.atomic():
            user = User.objects.create_user(
                address,
                name=(name or "").strip()[:200],
                role=Role.CUSTOMER,
                language=_supported_language(language),
                organisation=organisation_for_email(address),
            )
            if phone:
                PhoneNumber.objects.create(user=user, number=normalise_phone(phone))
    except IntegrityError:  # created concurrently by another request
        return User.objects.get(email=address), False
    except DjangoValidationError as exc:
        # Mail and the portal handle the domain's error; a model error would be a crash there.
        raise ValidationError(
            _("“%(address)s” is not an e-mail address.") % {"address": email}
        ) from exc
    return user, True


def _supported_language(language: str | None) -> str:
    """`de-AT`, `DE` and `de` all mean German; anything unsupported means the default."""
    code = (language or "").strip().lower()[:2]
    return code if code in Language.values else settings.LANGUAGE_CODE


def find_people_by_phone(raw: str) -> list[User]:
    """Return the people who have this phone number (any spelling of it)."""
    from tresen.core.phone import try_normalise_phone

    number = try_normalise_phone(raw)
    if number is None:
        return []
    return list(
        User.objects.filter(phone_numbers__number=number, is_active=True)
        .select_related("organisation")
        .distinct()
    )
