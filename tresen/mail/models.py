"""Mailboxes, every raw message that came in, and the postmaster's filter rules."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import Group
from tresen.tickets.models import Article, Category, Priority, Ticket


class Protocol(models.TextChoices):
    IMAP = "imap", "IMAP"
    IMAPS = "imaps", "IMAPS"
    POP3 = "pop3", "POP3"
    POP3S = "pop3s", "POP3S"


class Mailbox(models.Model):
    """A mailbox Tresen fetches from; its mail opens tickets in `group`."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(
        _("address"),
        blank=True,
        help_text=_("The address people write to; it never becomes a customer."),
    )
    protocol = models.CharField(
        _("protocol"), max_length=8, choices=Protocol.choices, default=Protocol.IMAPS
    )
    host = models.CharField(_("host"), max_length=253, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    # Needed in clear to log in; never shown back in the admin.
    password = models.CharField(_("password"), max_length=500, blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    archive_folder = models.CharField(
        _("move fetched mail to folder"),
        max_length=200,
        blank=True,
        help_text=_("IMAP only. Empty: fetched mail is flagged as read and stays."),
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="mailboxes", verbose_name=_("group")
    )
    poll_interval = models.PositiveIntegerField(_("polling interval (seconds)"), default=60)
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_port(self) -> int:
        defaults = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}
        return self.port or defaults[self.protocol]

    def is_due(self, now: object = None) -> bool:
        moment = now or timezone.now()
        if self.last_polled_at is None:
            return True
        return (moment - self.last_polled_at).total_seconds() >= self.poll_interval  # type: ignore[operator]


class InboundState(models.TextChoices):
    PENDING = "pending", _("stored, not yet processed")
    CREATED = "created", _("new ticket")
    APPENDED = "appended", _("added to a ticket")
    DUPLICATE = "duplicate", _("duplicate")
    AUTO_REPLY = "auto_reply", _("automatic reply")
    BOUNCE = "bounce", _("delivery failure")
    LOOP = "loop", _("mail loop")
    IGNORED = "ignored", _("ignored by a filter")
    QUARANTINED = "quarantined", _("quarantined")


FINAL_STATES = frozenset(InboundState.values) - {InboundState.PENDING}


class InboundMessage(models.Model):
    """One raw message as it arrived, stored before anything else is done with it."""

    # Indexed by inbound_unique_per_mailbox, which leads with the mailbox.
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("mailbox"),
        db_index=False,
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    raw = models.BinaryField(_("raw message"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)
    state = models.CharField(
        _("state"), max_length=16, choices=InboundState.choices, default=InboundState.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    rule = models.CharField(_("rule"), max_length=64, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("ticket"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("article"),
    )
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_state"),
            models.Index(fields=["message_id"], name="inbound_message_id"),
        ]
        constraints = [
            # The same bytes on the same channel are one message, however often delivered.
            models.UniqueConstraint(
                fields=["mailbox", "sha256"],
                name="inbound_unique_per_mailbox",
                condition=Q(mailbox__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["sha256"],
                name="inbound_unique_without_mailbox",
                condition=Q(mailbox__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.state}"


class MatchKind(models.TextChoices):
    CONTAINS = "contains", _("contains")
    EQUALS = "equals", _("equals")
    REGEX = "regex", _("matches the regular expression")


class PostmasterFilter(models.Model):
    """A rule on a mail header that routes, tags or drops mail before a ticket is opened."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="filters",
        verbose_name=_("mailbox"),
        help_text=_("Empty: the rule applies to mail of every mailbox."),
    )
    header = models.CharField(
        _("header"), max_length=100, help_text=_("For example Subject, From or X-Spam-Flag.")
    )
    match = models.CharField(
        _("match"), max_length=16, choices=MatchKind.choices, default=MatchKind.CONTAINS
    )
    value = models.CharField(_("value"), max_length=500)
    negate = models.BooleanField(_("applies when it does not match"), default=False)
    ignore = models.BooleanField(_("ignore the mail (kept, no ticket)"), default=False)
    set_group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set group"),
    )
    set_priority = models.PositiveSmallIntegerField(
        _("set priority"), choices=Priority.choices, null=True, blank=True
    )
    set_category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set category"),
    )
    add_tags = models.CharField(
        _("add tags"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    stop = models.BooleanField(_("stop after this rule"), default=False)

    class Meta:
        verbose_name = _("postmaster filter")
        verbose_name_plural = _("postmaster filters")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from tresen.mail.filters import pattern_problem

        if self.match == MatchKind.REGEX:
            problem = pattern_problem(self.value)
            if problem:
                raise ValidationError({"value": problem})
