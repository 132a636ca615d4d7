"""tresen search-reindex: rebuild the full-text index, or bring some tickets up to date."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tresen.search.index import rebuild_index, reindex_ticket
from tresen.tickets.models import Ticket


class Command(BaseCommand):
    help = "Rebuild the full-text search index (all tickets, or the given ticket numbers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", help="ticket numbers; all tickets if none")

    def handle(self, *args: Any, numbers: list[str], **options: Any) -> None:
        started = time.monotonic()
        if numbers:
            ids = list(Ticket.objects.filter(number__in=numbers).values_list("pk", flat=True))
            missing = len(set(numbers)) - len(ids)
            count = sum(reindex_ticket(pk) for pk in ids)
            if missing:
                self.stderr.write(f"{missing} ticket number(s) not found.")
        else:
            count = rebuild_index()
        seconds = time.monotonic() - started
        self.stdout.write(f"Indexed {count} documents in {seconds:.1f} s.")
