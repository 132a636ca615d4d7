"""The outbox of every mail Tresen sends, and each person's choice of notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    # Never handed to the mail server: an automatic answer held back by the rate limit.
    SUPPRESSED = "suppressed", _("suppressed")


class OutboundMail(models.Model):
    """One mail as it leaves Tresen: rendered once, sent at least once with the same Message-ID.

    The row is the truth: the background task and the periodic sweep only ever send what a
    row says is queued and due, so a lost task or a flushed queue loses nothing.
    """

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_address = models.CharField(_("from"), max_length=400)
    reply_to = models.CharField(_("reply to"), max_length=400, blank=True)
    to = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=500)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    # Further headers as sent: In-Reply-To, References, Auto-Submitted ...
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    automatic = models.BooleanField(_("automatic"), default=False)
    # What caused the mail ("event:<id>:<kind>:<language>"), so a notification is queued once
    # even when the event is published twice.
    origin = models.CharField(_("origin"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OutboundStatus.choices,
        default=OutboundStatus.QUEUED,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_mails",
        verbose_name=_("ticket"),
    )
    article = models.ForeignKey(
        "tickets.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_mails",
        verbose_name=_("article"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbound_due",
                condition=models.Q(status="queued"),
            ),
            models.Index(fields=["ticket", "created_at"], name="outbound_ticket"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["origin"], name="outbound_origin_once", condition=~models.Q(origin="")
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class RecipientState(models.TextChoices):
    # Still to be sent to; a temporary refusal (4xx) leaves the address pending.
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    # The mail server refused the address for good (5xx), or its retries ran out.
    REFUSED = "refused", _("refused")


class OutboundRecipient(models.Model):
    """One address a mail goes to, with what the mail server answered for it.

    Attempts after the first go only to the pending addresses, so that a server which took some
    recipients and refused others never gets the mail twice for the same person. The rows also
    make "how many automatic answers to X lately" cheap.
    """

    mail = models.ForeignKey(OutboundMail, on_delete=models.CASCADE, related_name="recipients")
    address = models.CharField(_("address"), max_length=320)
    automatic = models.BooleanField(_("automatic"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=RecipientState.choices, default=RecipientState.PENDING
    )
    # The server's last refusal of this address, e.g. 550 and "5.1.1 mailbox unknown".
    smtp_code = models.PositiveSmallIntegerField(_("SMTP code"), null=True, blank=True)
    smtp_reply = models.CharField(_("SMTP reply"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        indexes = [
            models.Index(fields=["address", "automatic", "created_at"], name="outbound_rcpt_rate")
        ]

    def __str__(self) -> str:
        return self.address


class OutboundAttachment(models.Model):
    """A file that goes with an outgoing mail; the content is a stored Blob."""

    mail = models.ForeignKey(OutboundMail, on_delete=models.CASCADE, related_name="attachments")
    blob = models.ForeignKey("tickets.Blob", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=200)
    # Set for images that the HTML shows inline (`<img src="cid:...">`).
    content_id = models.CharField(_("Content-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attachment of outgoing mail")
        verbose_name_plural = _("attachments of outgoing mail")

    def __str__(self) -> str:
        return self.filename


class NotificationKind(models.TextChoices):
    CUSTOMER_RECEIPT = "customer.receipt", _("Confirmation that my request was received")
    CUSTOMER_REPLY = "customer.reply", _("Replies to my requests")
    CUSTOMER_RESOLVED = "customer.resolved", _("My request was solved")
    AGENT_NEW_TICKET = "agent.new_ticket", _("New ticket in one of my groups")
    AGENT_ASSIGNED = "agent.assigned", _("A ticket was assigned to me")
    AGENT_CUSTOMER_REPLIED = "agent.customer_replied", _("The customer replied on my ticket")
    AGENT_WATCHED_UPDATE = "agent.watched_update", _("Updates on tickets I watch")


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification; no row means the default: on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'on' if self.enabled else 'off'}"
