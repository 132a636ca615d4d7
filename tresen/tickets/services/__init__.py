"""Every write on tickets. Channels, pages, the API and automation all call these.

Each service takes the acting person (or an Actor for the system and automation), checks
access, changes the ticket inside one transaction holding the ticket's row lock, bumps its
version, and records a timeline event. Side effects run after commit (see events.py).

The services live in modules by concern (creation, articles, state, properties,
participants, relations, scheduler); import them from here.
"""

from tresen.tickets.services._core import NewFile, next_ticket_number, reserve_ticket_numbers
from tresen.tickets.services.articles import post_article
from tresen.tickets.services.creation import create_ticket, open_ticket
from tresen.tickets.services.participants import add_cc, add_watcher, remove_cc, remove_watcher
from tresen.tickets.services.properties import (
    assign,
    normalise_tag,
    set_category,
    set_custom_fields,
    set_priority,
    set_tags,
    set_title,
    set_type,
    transfer,
)
from tresen.tickets.services.relations import (
    link_tickets,
    merge_tickets,
    split_article,
    unlink_tickets,
)
from tresen.tickets.services.scheduler import act_on_pending_dates
from tresen.tickets.services.state import change_state

__all__ = [
    "NewFile",
    "act_on_pending_dates",
    "add_cc",
    "add_watcher",
    "assign",
    "change_state",
    "create_ticket",
    "link_tickets",
    "merge_tickets",
    "next_ticket_number",
    "normalise_tag",
    "open_ticket",
    "post_article",
    "remove_cc",
    "remove_watcher",
    "reserve_ticket_numbers",
    "set_category",
    "set_custom_fields",
    "set_priority",
    "set_tags",
    "set_title",
    "set_type",
    "split_article",
    "transfer",
    "unlink_tickets",
]
