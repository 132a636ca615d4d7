"""Reads on ratings for reports: counts per score in a period, optionally per group."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from tresen.feedback.models import Rating, Score


@dataclass(frozen=True)
class Satisfaction:
    good: int
    bad: int

    @property
    def total(self) -> int:
        return self.good + self.bad

    @property
    def percent_good(self) -> float | None:
        return round(100 * self.good / self.total, 1) if self.total else None


def ratings_in_period(
    start: datetime.datetime, end: datetime.datetime, *, group_id: int | None = None
) -> QuerySet[Rating]:
    """Ratings last changed in [start, end), with ticket and customer loaded."""
    qs = Rating.objects.filter(updated_at__gte=start, updated_at__lt=end)
    if group_id is not None:
        qs = qs.filter(ticket__group_id=group_id)
    return qs.select_related("ticket", "customer")


def satisfaction(ratings: QuerySet[Rating]) -> Satisfaction:
    """Count good and bad ratings in one query."""
    counts = ratings.aggregate(
        good=Count("pk", filter=Q(score=Score.GOOD)), bad=Count("pk", filter=Q(score=Score.BAD))
    )
    return Satisfaction(good=counts["good"], bad=counts["bad"])
