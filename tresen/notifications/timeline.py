"""How the outbox's events read on a ticket's timeline, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tresen.tickets.models import Event


def describe_mail_event(event: Event) -> str | None:
    """A sentence for a mail event, or None for a kind this app does not describe."""
    if event.kind != "mail.delivery_failed":
        return None
    sentences = [
        _("Mail not delivered to %(address)s: %(reason)s") % {"address": address, "reason": reason}
        for address, reason in _refusals(event.data or {})
    ]
    return " · ".join(sentences) or None


def _refusals(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(address, server's answer) for each address the mail did not reach."""
    refused = data.get("refused")
    if isinstance(refused, list):
        return [
            (str(entry.get("address", "")), _reason(entry.get("code"), entry.get("reply", "")))
            for entry in refused
            if isinstance(entry, dict)
        ]
    # Recorded before the outbox kept an answer per address: one error for all of them.
    error = str(data.get("error", ""))
    return [(str(address), error) for address in data.get("to") or []]


def _reason(code: object, reply: object) -> str:
    return f"{code} {reply}" if isinstance(code, int) else str(reply)
