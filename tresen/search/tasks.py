"""Background work of search: bring one ticket's documents up to date."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=5)
def reindex_ticket_task(ticket_id: int) -> None:
    from tresen.search.index import reindex_ticket

    reindex_ticket(ticket_id)
