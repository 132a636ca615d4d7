"""Background work of mail intake: poll the due mailboxes, finish what an outage left."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("tresen-fetch-mail")
def fetch_mail_task() -> None:
    """The same code as `tresen fetch-mail`, once a minute; each mailbox keeps its interval."""
    from tresen.mail.fetching import fetch_due_mailboxes
    from tresen.mail.intake import process_pending

    for report in fetch_due_mailboxes():
        if report.error:
            logger.warning("mailbox %s: %s", report.mailbox, report.error)
    process_pending()
