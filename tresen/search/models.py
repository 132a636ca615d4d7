"""The search index: one row per searchable thing, whatever app it comes from.

A document is identified by its kind and the id of the object it was made from. Ticket
documents (the ticket's title, each article) also carry the ticket, so that access rules of
tickets apply to them; documents of other kinds (knowledge-base articles, later) leave it empty
and say who may read them through `is_public`.

The full-text machinery is database specific and lives outside Django's model state (see
migration 0002): on PostgreSQL a generated `vector` column (German and English) with a GIN
index, on SQLite an FTS5 table kept in step by triggers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tresen.tickets.models import Ticket

# Text beyond this is not indexed: PostgreSQL refuses a tsvector over 1 MB, and a mail that long
# is a log file or a forwarded thread whose first part says what it is about.
MAX_INDEXED_CHARS = 100_000


class DocumentKind(models.TextChoices):
    TICKET = "ticket", _("ticket")
    ARTICLE = "article", _("article")


class SearchDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    object_id = models.BigIntegerField(_("object"))
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    # The ticket's group, copied so that an agent's search reads only the documents of their
    # groups (the first column of the GIN index, see migration 0004). A hint for speed, never
    # a permission: results are still filtered through tresen.tickets.access, so a copy that
    # is out of date hides a ticket at worst.
    group_id = models.BigIntegerField(_("group"), null=True, blank=True)
    # False for internal notes: customers never match them, nor see them in snippets.
    is_public = models.BooleanField(_("public"), default=False)
    title = models.TextField(_("title"), blank=True)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        db_table = "search_document"
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
