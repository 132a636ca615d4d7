"""What the portal keeps of its own: mailed one-time tokens, attempt counts for rate limits,
and the request forms that admins offer to customers."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import Group
from tresen.tickets.models import Category, CustomField


class MailToken(models.Model):
    """A one-time secret sent by mail: confirms a sign-up, signs in, or confirms a request.

    Only the SHA-256 of the secret is stored; a token works once and only until it expires.
    """

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        LOGIN = "login", _("sign-in link")
        SUBMISSION = "submission", _("request without an account")

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    secret_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("e-mail address"))
    # Sign-up: name, language, password hash; request: its fields and the stored files' ids.
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailed token")
        verbose_name_plural = _("mailed tokens")
        indexes = [models.Index(fields=["expires_at"], name="mailtoken_expires")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.email}"


class Attempt(models.Model):
    """One attempt at a rate-limited action, by client address or by e-mail address."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)  # SHA-256 of the IP or address, never the value
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"], name="attempt_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"


class RequestForm(models.Model):
    """A form customers fill in to open a request for a group (and category)."""

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_de = models.CharField(_("name (German)"), max_length=100)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="request_forms", verbose_name=_("group")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request_forms",
        verbose_name=_("category"),
    )
    fields = models.ManyToManyField(
        CustomField,
        blank=True,
        related_name="request_forms",
        verbose_name=_("custom fields asked"),
        help_text=_("Fields of the group (or of all groups) that the customer fills in."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    # The form the embeddable snippet and requests without an account use.
    is_public = models.BooleanField(_("open without an account"), default=False)

    class Meta:
        verbose_name = _("request form")
        verbose_name_plural = _("request forms")
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str) -> str:
        return self.name_de if language.startswith("de") and self.name_de else self.name_en

    def description(self, language: str) -> str:
        if language.startswith("de") and self.description_de:
            return self.description_de
        return self.description_en

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.category_id and self.category and self.category.group_id != self.group_id:
            raise ValidationError(_("The category belongs to another group."))
