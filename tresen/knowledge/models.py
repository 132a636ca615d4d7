"""Knowledge-base articles and what customers did with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import Language
from tresen.core.html import sanitise_html


class Answer(models.Model):
    """A published answer to a common question, in one language."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # Sanitised on every save, so the portal can render it as is.
    body_html = models.TextField(_("text (HTML)"))
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    solved_count = models.PositiveIntegerField(_("requests solved"), default=0)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="answer_unique_slug"),
        ]
        indexes = [models.Index(fields=["language", "is_published"], name="answer_published")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        self.body_html = sanitise_html(self.body_html)
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Deflection(models.Model):
    """A request that an article answered before it became a ticket."""

    class How(models.TextChoices):
        SOLVED_BUTTON = "solved_button", _("“This solved my problem” pressed")
        LEFT_AFTER_READING = "left_after_reading", _("left the form after reading")

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="deflections", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    how = models.CharField(_("how"), max_length=24, choices=How.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("request solved by an article")
        verbose_name_plural = _("requests solved by articles")
        indexes = [models.Index(fields=["answer", "created_at"], name="deflection_answer_time")]

    def __str__(self) -> str:
        return f"{self.answer_id} {self.how}"
