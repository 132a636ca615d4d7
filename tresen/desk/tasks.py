"""Background work of the desk."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def forget_gone_presence_task() -> None:
    """Hourly: heartbeats of pages closed without a goodbye do not pile up."""
    from tresen.desk.presence import forget_gone

    forget_gone()
