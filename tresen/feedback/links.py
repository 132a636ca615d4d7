"""One-click rating links for mail: signed, expiring, valid for one ticket and its requester.

The token names the ticket and the requester; the score is part of the URL, so the same token
serves the "good" and the "bad" link. A link proves only that its holder received the mail
about this ticket; it lets them rate that ticket and nothing else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from tresen.feedback.models import Score
from tresen.tickets.models import Ticket

SALT = "tresen.feedback.rating"
MAX_AGE = datetime.timedelta(days=30)


@dataclass(frozen=True)
class RatingClaim:
    ticket_id: int
    requester_id: int


def rating_token(ticket: Ticket) -> str:
    """Return the signed token that lets the ticket's requester rate it."""
    return signing.dumps({"t": ticket.pk, "r": ticket.requester_id}, salt=SALT, compress=True)


def read_rating_token(token: str) -> RatingClaim | None:
    """Return what a token claims, or None when it is forged, damaged or expired."""
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(value, dict):
        return None
    ticket_id, requester_id = value.get("t"), value.get("r")
    if not isinstance(ticket_id, int) or not isinstance(requester_id, int):
        return None
    return RatingClaim(ticket_id=ticket_id, requester_id=requester_id)


def rating_urls(ticket: Ticket) -> dict[str, str]:
    """Return absolute one-click URLs {"good": ..., "bad": ...} for the ticket's requester."""
    token = rating_token(ticket)
    return {
        score: settings.SITE_URL
        + reverse("portal:rate_by_link", kwargs={"token": token, "score": score})
        for score in Score.values
    }
