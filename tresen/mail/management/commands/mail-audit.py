"""`tresen mail-audit`: prove that every stored raw message has exactly one final state."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Check that every stored inbound message reached one final state."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--verify-hashes", action="store_true", help="also re-hash every stored raw message"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from tresen.mail.audit import audit_inbound

        report = audit_inbound(verify_hashes=options["verify_hashes"])
        for line in report.summary_lines():
            self.stdout.write(line)
        for problem in report.problems:
            self.stdout.write(f"NOT FINAL {problem}")
        if report.problems:
            sys.exit(1)
