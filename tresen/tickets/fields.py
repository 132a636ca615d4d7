"""Custom field values checked against the fields that admins defined for a group."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from tresen.core.errors import ValidationError
from tresen.core.snapshot import remembered
from tresen.tickets.models import CustomField, FieldKind


def fields_for_group(group_id: int) -> list[CustomField]:
    return remembered(
        ("tickets.custom_fields", group_id),
        lambda: list(
            CustomField.objects.filter(Q(group_id=group_id) | Q(group__isnull=True), is_active=True)
        ),
    )


def clean_value(field: CustomField, value: Any) -> Any:
    """Return `value` in the stored form for `field`, or raise ValidationError."""
    label = field.label_en
    if value in (None, "", []):
        if field.required:
            raise ValidationError(_("“%(field)s” is required.") % {"field": label})
        return None
    if field.kind == FieldKind.TEXT:
        text = str(value).strip()
        if len(text) > 1000:
            raise ValidationError(_("“%(field)s” is too long.") % {"field": label})
        return text
    if field.kind == FieldKind.NUMBER:
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("“%(field)s” must be a number.") % {"field": label}) from None
        if not number.is_finite():
            raise ValidationError(_("“%(field)s” must be a number.") % {"field": label})
        return int(number) if number == number.to_integral_value() else float(number)
    if field.kind == FieldKind.DATE:
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError(
                _("“%(field)s” must be a date (YYYY-MM-DD).") % {"field": label}
            ) from None
    if field.kind == FieldKind.CHECKBOX:
        if isinstance(value, bool):
            return value
        return str(value).lower() in {"1", "true", "on", "yes"}
    options = [str(o) for o in field.options or []]
    if field.kind == FieldKind.SELECT:
        if str(value) not in options:
            raise ValidationError(
                _("“%(field)s” has no option “%(value)s”.") % {"field": label, "value": value}
            )
        return str(value)
    values = value if isinstance(value, list | tuple) else [value]
    chosen = [str(v) for v in values]
    unknown = [v for v in chosen if v not in options]
    if unknown:
        raise ValidationError(
            _("“%(field)s” has no option “%(value)s”.") % {"field": label, "value": unknown[0]}
        )
    return sorted(set(chosen), key=options.index)


def clean_values(group_id: int, values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Check `values` for the group's fields; unknown keys are refused, not ignored."""
    fields = {f.key: f for f in fields_for_group(group_id)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValidationError(_("There is no field “%(field)s”.") % {"field": unknown[0]})
    cleaned: dict[str, Any] = {}
    for key, field in fields.items():
        if key in values:
            cleaned[key] = clean_value(field, values[key])
        elif not partial and field.required:
            raise ValidationError(_("“%(field)s” is required.") % {"field": field.label_en})
    return cleaned
