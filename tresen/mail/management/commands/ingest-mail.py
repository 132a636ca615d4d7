"""`tresen ingest-mail [--mailbox NAME] [FILE ...]`: take raw messages from files or stdin.

Meant for a mail server's pipe. One JSON line per message. Exit 0 once every message is
stored; exit 75 (EX_TEMPFAIL) when storing failed, so the mail server retries later.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take in raw e-mail messages from files or standard input."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", help="message files; none: read standard input")
        parser.add_argument("--mailbox", help="the mailbox (channel) the messages came in by")

    def handle(self, *args: Any, **options: Any) -> None:
        from tresen.mail.intake import ingest_many
        from tresen.mail.models import Mailbox

        try:
            mailbox = None
            if options["mailbox"]:
                mailbox = (
                    Mailbox.objects.select_related("group").filter(name=options["mailbox"]).first()
                )
                if mailbox is None:
                    raise CommandError(f"No mailbox named {options['mailbox']!r}.")
            for batch in self._batches(options["files"]):
                for result in ingest_many(batch, mailbox=mailbox):
                    self.stdout.write(json.dumps(result.as_dict()))
                self.stdout.flush()
        except DatabaseError as exc:
            self.stderr.write(f"ingest-mail: database unavailable, try again later: {exc}")
            sys.exit(EX_TEMPFAIL)
        except OSError as exc:
            self.stderr.write(f"ingest-mail: could not read or store: {exc}")
            sys.exit(EX_TEMPFAIL)

    def _batches(self, files: list[str]):  # type: ignore[no-untyped-def]
        """Stored with one commit per batch; a failure leaves the earlier batches stored."""
        if not files:
            yield [sys.stdin.buffer.read()]
            return
        from tresen.mail.intake import batch_size

        size = batch_size()
        for start in range(0, len(files), size):
            yield [Path(name).read_bytes() for name in files[start : start + size]]
