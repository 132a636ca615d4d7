"""`tresen outbox`: what the outbox holds; send what is due; queue failed mail again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Min

from tresen.notifications.delivery import deliver_due
from tresen.notifications.models import OutboundMail, OutboundStatus
from tresen.notifications.outbox import requeue_mail


class Command(BaseCommand):
    help = "Show the outbox by status; --send-due sends what is due; --retry ID queues again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--send-due", action="store_true", help="Attempt every due mail now.")
        parser.add_argument(
            "--retry", type=int, nargs="+", default=[], metavar="ID", help="Queue mail again."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for mail_id in options["retry"]:
            mail = requeue_mail(mail_id=mail_id)
            self.stdout.write(f"{mail.pk} {mail.message_id}: {mail.status}")
        if options["send_due"]:
            outcome = deliver_due()
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(outcome.items())) or "-")
        counts = OutboundMail.objects.values("status").annotate(
            n=Count("id"), oldest=Min("created_at")
        )
        by_status = {row["status"]: row for row in counts}
        for status in OutboundStatus.values:
            row = by_status.get(status)
            since = f" (oldest {row['oldest']:%Y-%m-%d %H:%M} UTC)" if row else ""
            self.stdout.write(f"{status:<11} {row['n'] if row else 0}{since}")
