"""What the agent workspace keeps of its own: saved views, text modules, drafts, presence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import Group
from tresen.tickets.models import ArticleKind, Ticket


class SavedView(models.Model):
    """An agent's own list of tickets: a name for a set of filters."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The overview's query string (filters and sort), so a view opens exactly as it was saved.
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TextModule(models.Model):
    """A prepared answer agents insert into replies; placeholders are filled in on insert."""

    name = models.CharField(_("name"), max_length=100)
    keyword = models.SlugField(_("keyword"), max_length=50, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: offered in every language."),
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="text_modules",
        verbose_name=_("group"),
        help_text=_("Empty: offered for the tickets of every group."),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {requester_name}, {ticket_number}, {ticket_title}, {agent_name}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("text module")
        verbose_name_plural = _("text modules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Draft(models.Model):
    """What an agent has typed but not sent yet, kept on the server so a reload loses nothing."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_drafts"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="desk_drafts")
    kind = models.CharField(
        _("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.MESSAGE
    )
    body = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["author", "ticket"], name="draft_unique_per_agent")
        ]

    def __str__(self) -> str:
        return f"draft of {self.author_id} on {self.ticket_id}"


class Presence(models.Model):
    """An agent's last heartbeat on a ticket page, and when they last typed there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_presence"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="desk_presence")
    seen_at = models.DateTimeField(default=timezone.now)
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presence")
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="presence_unique")]
        indexes = [models.Index(fields=["ticket", "seen_at"], name="presence_ticket_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.ticket_id}"
