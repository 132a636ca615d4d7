"""A customer's rating of a resolved ticket: good or bad, with an optional comment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tresen.tickets.models import Ticket


class Score(models.TextChoices):
    GOOD = "good", _("good")
    BAD = "bad", _("bad")


class Rating(models.Model):
    """One per ticket and customer; rating again changes it instead of adding another."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("ticket")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("customer"),
    )
    score = models.CharField(_("score"), max_length=8, choices=Score.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "customer"], name="rating_one_per_customer"),
        ]
        # Reports count ratings per period and score.
        indexes = [models.Index(fields=["updated_at", "score"], name="rating_time_score")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score}"
