"""Background work of the outbox: send one mail, and sweep up every mail that is due."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


@db_task()
def send_mail_task(mail_id: int) -> None:
    """Attempt one mail; failures reschedule it themselves (see delivery.py)."""
    from tresen.notifications.delivery import deliver

    deliver(mail_id)


@db_periodic_task(crontab(minute="*"))
def send_due_mail_task() -> None:
    """Send whatever is queued and due: retries, and mail whose task was lost."""
    from tresen.notifications.delivery import deliver_due

    outcome = deliver_due()
    if outcome:
        logger.info("outbox: %s", outcome)
