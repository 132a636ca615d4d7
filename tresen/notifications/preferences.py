"""Which notifications each person gets: every kind is on until the person turns it off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from tresen.core.errors import ValidationError
from tresen.notifications.models import NotificationKind, NotificationPreference

if TYPE_CHECKING:
    from tresen.accounts.models import User

CUSTOMER_KINDS = (
    NotificationKind.CUSTOMER_RECEIPT,
    NotificationKind.CUSTOMER_REPLY,
    NotificationKind.CUSTOMER_RESOLVED,
)
AGENT_KINDS = (
    NotificationKind.AGENT_NEW_TICKET,
    NotificationKind.AGENT_ASSIGNED,
    NotificationKind.AGENT_CUSTOMER_REPLIED,
    NotificationKind.AGENT_WATCHED_UPDATE,
)


@dataclass(frozen=True)
class PreferenceChoice:
    """One line of a settings page: the kind, its label, and whether it is on."""

    kind: str
    label: str
    enabled: bool


def kinds_for(user: User) -> tuple[str, ...]:
    """The kinds of notification that concern `user` (customers and agents get different ones)."""
    return AGENT_KINDS if user.is_agent else CUSTOMER_KINDS


def wants(user: User, kind: str) -> bool:
    """Whether `user` gets notifications of `kind` (on unless turned off)."""
    choice = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("enabled", flat=True)
        .first()
    )
    return True if choice is None else bool(choice)


def preferences_for(user: User) -> list[PreferenceChoice]:
    """The person's choices for every kind that concerns them, in display order."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return [
        PreferenceChoice(kind, str(NotificationKind(kind).label), stored.get(kind, True))
        for kind in kinds_for(user)
    ]


def set_preference(user: User, kind: str, enabled: bool) -> NotificationPreference:
    """Turn one kind of notification on or off for `user`."""
    if kind not in kinds_for(user):
        raise ValidationError(_("This kind of notification does not concern this person."))
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"enabled": enabled}
        )
    return preference
