"""Writes on the knowledge base: what readers did with an article."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from tresen.accounts.models import User
from tresen.core.errors import ValidationError
from tresen.knowledge.models import Answer, Deflection


def record_view(*, answer: Answer) -> None:
    """Count one reading of an article."""
    Answer.objects.filter(pk=answer.pk).update(view_count=F("view_count") + 1)


def record_deflection(*, answer: Answer, user: User | None, how: str) -> Deflection:
    """Record a request that the article solved before it became a ticket."""
    if how not in Deflection.How.values:
        raise ValidationError("Unknown kind of deflection.")
    with transaction.atomic():
        reader = user if user is not None and user.is_authenticated else None
        deflection = Deflection.objects.create(answer=answer, user=reader, how=how)
        Answer.objects.filter(pk=answer.pk).update(solved_count=F("solved_count") + 1)
    return deflection
