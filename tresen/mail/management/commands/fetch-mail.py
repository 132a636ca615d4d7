"""`tresen fetch-mail`: poll every due mailbox once, then process what an outage left pending."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Fetch mail from every due mailbox once."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mailbox", help="only this mailbox (polled even if not yet due)")
        parser.add_argument("--all", action="store_true", help="poll every active mailbox now")

    def handle(self, *args: Any, **options: Any) -> None:
        from tresen.mail.fetching import fetch_due_mailboxes
        from tresen.mail.intake import process_pending

        try:
            reports = fetch_due_mailboxes(only=options["mailbox"], force=options["all"])
            process_pending()
        except DatabaseError as exc:
            self.stderr.write(f"fetch-mail: database unavailable, try again later: {exc}")
            sys.exit(EX_TEMPFAIL)
        failed = False
        for report in reports:
            for result in report.results:
                self.stdout.write(json.dumps({"mailbox": report.mailbox, **result.as_dict()}))
            if report.error:
                failed = True
                self.stderr.write(f"fetch-mail: {report.mailbox}: {report.error}")
        if failed:
            sys.exit(EX_TEMPFAIL)
