"""Writes on ratings: a customer rates a resolved ticket (and may change the rating)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tresen.accounts.models import User
from tresen.core.errors import NotFound, ValidationError
from tresen.feedback.models import Rating, Score
from tresen.tickets import access
from tresen.tickets.events import as_actor, record_event
from tresen.tickets.models import Ticket
from tresen.tickets.states import State

RATEABLE_STATES = frozenset({State.RESOLVED, State.CLOSED})
MAX_COMMENT = 5000


def rate_ticket(*, actor: User, ticket: Ticket, score: str, comment: str | None = None) -> Rating:
    """Record (or change) `actor`'s rating of a resolved ticket and put it on the timeline.

    `comment` None keeps an earlier comment, so a second click on the other score does not
    wipe what the customer wrote.
    """
    if score not in Score.values:
        raise ValidationError(_("A rating is either good or bad."))
    if not access.can_reply_as_customer(actor, ticket):
        raise NotFound()
    if ticket.state not in RATEABLE_STATES:
        raise ValidationError(_("Requests can be rated once they are solved."))
    text = (comment or "").strip()[:MAX_COMMENT]
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        rating = Rating.objects.filter(ticket=locked, customer=actor).first()
        now = timezone.now()
        if rating is None:
            rating = Rating(ticket=locked, customer=actor, created_at=now)
        elif rating.score == score and (comment is None or rating.comment == text):
            return rating
        previous = rating.score if rating.pk else None
        rating.score = score
        if comment is not None:
            rating.comment = text
        rating.updated_at = now
        rating.save()
        record_event(
            locked,
            "ticket.rated",
            as_actor(actor),
            {"score": score, "previous": previous, "comment": rating.comment},
        )
    return rating
