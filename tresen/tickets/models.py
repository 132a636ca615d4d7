"""Tickets, their articles and attachments, and the timeline of everything that happened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import Group, Organisation
from tresen.tickets.states import State


class Priority(models.IntegerChoices):
    LOW = 1, _("low")
    NORMAL = 2, _("normal")
    HIGH = 3, _("high")
    URGENT = 4, _("urgent")


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("incident")
    SERVICE_REQUEST = "service_request", _("service request")
    QUESTION = "question", _("question")
    PROBLEM = "problem", _("problem")
    CHANGE = "change", _("change")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    WEB = "web", _("web")
    API = "api", _("API")


class TicketNumbering(models.Model):
    """The one row that hands out ticket numbers: prefix and the next value of the sequence."""

    prefix = models.CharField(_("prefix"), max_length=16, default="T", blank=True)
    next_value = models.PositiveBigIntegerField(_("next number"), default=10001)
    digits = models.PositiveSmallIntegerField(_("minimum digits"), default=5)

    class Meta:
        verbose_name = _("ticket numbering")
        verbose_name_plural = _("ticket numbering")

    def __str__(self) -> str:
        return f"{self.prefix}{self.next_value:0{self.digits}d}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A category of a group's tickets; categories nest (Hardware › Printer › Toner)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="categories", verbose_name=_("group")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "parent", "name"],
                name="category_unique_name",
                condition=Q(parent__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["group", "name"],
                name="category_unique_top_name",
                condition=Q(parent__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        names: list[str] = []
        seen: set[int | None] = set()
        node: Category | None = self
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent and self.parent.group_id != self.group_id:
            raise ValidationError(_("A subcategory belongs to the group of its parent."))
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError(_("A category cannot be its own ancestor."))
            node = node.parent


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    SELECT = "select", _("select")
    MULTISELECT = "multiselect", _("multi-select")
    CHECKBOX = "checkbox", _("checkbox")


class CustomField(models.Model):
    """A field that admins define for the tickets of one group (or of all groups)."""

    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="custom_fields",
        verbose_name=_("group"),
        help_text=_("Empty: the field applies to the tickets of every group."),
    )
    key = models.SlugField(_("key"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_de = models.CharField(_("label (German)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=FieldKind.choices)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_("For select and multi-select: the list of allowed values."),
    )
    required = models.BooleanField(_("required"), default=False)
    visible_to_customer = models.BooleanField(_("shown to the customer"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "key"],
                name="custom_field_unique_key",
                condition=Q(group__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["key"],
                name="custom_field_unique_global_key",
                condition=Q(group__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        options = self.options if isinstance(self.options, list) else None
        if options is None or not all(isinstance(o, str) and o.strip() for o in options):
            raise ValidationError({"options": _('Enter a list of texts, such as ["A", "B"].')})
        if self.kind in (FieldKind.SELECT, FieldKind.MULTISELECT) and not options:
            raise ValidationError({"options": _("A selection needs at least one option.")})
        if len(set(options)) != len(options):
            raise ValidationError({"options": _("Each option may appear only once.")})

    def label(self, language: str) -> str:
        return self.label_de if language.startswith("de") and self.label_de else self.label_en


class Ticket(models.Model):
    # Never proof of access: the number is shown to people and guessed easily.
    # Unique by a constraint in Meta, which makes no second (LIKE) index on PostgreSQL.
    number = models.CharField(_("number"), max_length=32)
    title = models.CharField(_("title"), max_length=250)
    # No single-column indexes on these keys: each leads a list index in Meta, which serves
    # the same lookups, and every index costs on every ticket write.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("requester"),
        db_index=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("organisation"),
        db_index=False,
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("group"),
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tickets",
        verbose_name=_("owner"),
        db_index=False,
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    type = models.CharField(
        _("type"), max_length=20, choices=TicketType.choices, default=TicketType.INCIDENT
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("category"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    pending_until = models.DateTimeField(_("pending until"), null=True, blank=True)
    reminder_reached_at = models.DateTimeField(_("reminder reached"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_sources",
        verbose_name=_("merged into"),
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="watched_tickets",
        verbose_name=_("watchers"),
    )
    cc_participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="cc_tickets",
        verbose_name=_("CC participants"),
    )
    # Bumped by every write; a change made on an out-of-date page is refused, not applied.
    version = models.PositiveIntegerField(_("version"), default=1)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_customer_contact_at = models.DateTimeField(
        _("last customer contact"), null=True, blank=True
    )
    last_agent_contact_at = models.DateTimeField(_("last agent contact"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # Queues: a group's tickets in a state, newest change first, keyset on (updated, id).
            models.Index(
                fields=["group", "state", "-updated_at", "-id"], name="ticket_group_state"
            ),
            models.Index(
                fields=["owner", "state", "-updated_at", "-id"], name="ticket_owner_state"
            ),
            models.Index(fields=["requester", "-updated_at", "-id"], name="ticket_requester"),
            models.Index(fields=["organisation", "-updated_at", "-id"], name="ticket_organisation"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            # Desk filters: all tickets of a state (admins), a category, a priority.
            models.Index(fields=["state", "-updated_at", "-id"], name="ticket_state_updated"),
            models.Index(fields=["category", "-updated_at", "-id"], name="ticket_category"),
            models.Index(
                fields=["group", "priority", "-updated_at", "-id"], name="ticket_group_priority"
            ),
            # Most tickets are closed, so partial indexes over the active ones stay small. The
            # desk's queue counts are read from this one alone; the two after it let a queue
            # page sorted by priority or by last change stop after 51 rows.
            models.Index(
                fields=["group", "owner", "state", "pending_until"],
                name="ticket_active_counts",
                condition=Q(
                    state__in=[
                        State.NEW,
                        State.OPEN,
                        State.PENDING_REMINDER,
                        State.PENDING_CLOSE,
                    ]
                ),
            ),
            models.Index(
                fields=["priority", "id"],
                name="ticket_active_priority",
                condition=Q(
                    state__in=[
                        State.NEW,
                        State.OPEN,
                        State.PENDING_REMINDER,
                        State.PENDING_CLOSE,
                    ]
                ),
            ),
            models.Index(
                fields=["-updated_at", "-id"],
                name="ticket_active_updated",
                condition=Q(
                    state__in=[
                        State.NEW,
                        State.OPEN,
                        State.PENDING_REMINDER,
                        State.PENDING_CLOSE,
                    ]
                ),
            ),
            # "My open tickets" newest first: stops after 51 rows however many the agent owns.
            models.Index(
                fields=["owner", "-updated_at", "-id"],
                name="ticket_active_owner_updated",
                condition=Q(
                    state__in=[
                        State.NEW,
                        State.OPEN,
                        State.PENDING_REMINDER,
                        State.PENDING_CLOSE,
                    ]
                ),
            ),
            models.Index(
                fields=["state", "pending_until"],
                name="ticket_pending",
                condition=Q(state__in=[State.PENDING_REMINDER, State.PENDING_CLOSE]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="ticket_number_unique"),
            models.CheckConstraint(
                condition=~Q(state__in=[State.PENDING_REMINDER, State.PENDING_CLOSE])
                | Q(pending_until__isnull=False),
                name="ticket_pending_has_date",
            ),
            models.CheckConstraint(
                condition=Q(state=State.MERGED, merged_into__isnull=False)
                | (~Q(state=State.MERGED) & Q(merged_into__isnull=True)),
                name="ticket_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("desk:ticket", kwargs={"number": self.number})


class ArticleKind(models.TextChoices):
    MESSAGE = "message", _("public message")
    NOTE = "note", _("internal note")
    PHONE = "phone", _("phone note")


class SenderRole(models.TextChoices):
    CUSTOMER = "customer", _("customer")
    AGENT = "agent", _("agent")
    SYSTEM = "system", _("system")


class Article(models.Model):
    """One entry of the conversation: a public message, an internal note or a phone note."""

    # Indexed by article_timeline, which leads with the ticket.
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="articles",
        verbose_name=_("ticket"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices)
    is_internal = models.BooleanField(_("internal"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    sender_role = models.CharField(_("sender"), max_length=10, choices=SenderRole.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("author"),
    )
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)
    cc_addresses = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    # Always sanitised by tresen.core.html before it is stored; rendered as is.
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=500, blank=True)
    references = models.TextField(_("References"), blank=True)
    # Channel-specific facts: how a mail was attached to the ticket, a delivery failure ...
    meta = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="article_timeline"),
            # Threading looks Message-IDs up by equality: no LIKE index needed.
            models.Index(fields=["message_id"], name="article_message_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="note") | Q(is_internal=True), name="article_note_is_internal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Blob(models.Model):
    """File content stored once by its SHA-256, however many attachments refer to it."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=200)
    file = models.FileField(upload_to="blobs/", max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.sha256


class Attachment(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("article")
    )
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=200)
    content_id = models.CharField(_("Content-ID"), max_length=255, blank=True)
    is_inline = models.BooleanField(_("inline"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    @property
    def size(self) -> int:
        return self.blob.size


class ActorKind(models.TextChoices):
    PERSON = "person", _("person")
    SYSTEM = "system", _("system")
    AUTOMATION = "automation", _("automation")


class Event(models.Model):
    """One change on the timeline: what happened, who did it, when, and the values involved."""

    # Indexed by event_timeline, which leads with the ticket.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_kind = models.CharField(
        _("actor kind"), max_length=16, choices=ActorKind.choices, default=ActorKind.PERSON
    )
    # The rule's name for automation, a short word for the system (e.g. "mail", "scheduler").
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # True from the write until every listener (notifications, search, automation) has run.
    # A periodic task publishes what a lost task or a flushed queue left behind. Rows loaded in
    # bulk (imports, demo data) take the database default and are never published.
    awaiting_publication = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="event_timeline"),
            models.Index(fields=["kind", "created_at"], name="event_kind_time"),
            models.Index(
                fields=["created_at"],
                name="event_awaiting_publication",
                condition=Q(awaiting_publication=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class LinkKind(models.TextChoices):
    PARENT = "parent", _("parent of")
    RELATED = "related", _("related to")
    DUPLICATE = "duplicate", _("duplicate of")


class TicketLink(models.Model):
    """source is parent of / related to / duplicate of target."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
