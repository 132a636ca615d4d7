"""Phone numbers in one form: E.164, so a caller's number finds the person."""

import phonenumbers
from django.utils.translation import gettext as _

from tresen.core.errors import ValidationError

DEFAULT_REGION = "DE"


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return `raw` as E.164 (+4930123456); raise ValidationError if it is no phone number."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."))
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("“%(number)s” is not a phone number.") % {"number": raw}) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(_("“%(number)s” is not a phone number.") % {"number": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Return the E.164 form of `raw`, or None where it is no phone number."""
    try:
        return normalise_phone(raw, region)
    except ValidationError:
        return None
