"""A ticket's one timeline: its articles and its events in order, quoted history folded away."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from tresen.core.html import sanitise_html
from tresen.tickets.access import visible_articles
from tresen.tickets.models import Article, Event, Ticket
from tresen.tickets.states import State

if TYPE_CHECKING:
    from tresen.accounts.models import User

# "On Mon, 3 Feb 2025 at 10:00, Carl <carl@example.com> wrote:", "Am 03.02.2025 um 10:00
# schrieb Carl:", Outlook's separators: where a mail client starts quoting the history.
ATTRIBUTION = re.compile(
    r"^\s*(On\s.+wrote:|Am\s.+schrieb.*:|-{2,}\s*(Original Message|Ursprüngliche Nachricht)"
    r"\s*-{2,}|From:\s.+|Von:\s.+)\s*$",
    re.IGNORECASE,
)
# Fewer quoted lines than this stay visible: folding two lines helps no one.
MIN_FOLDED_LINES = 4


def split_quoted_text(text: str) -> tuple[str, str]:
    """Split a plain-text body into (what is new, the quoted history at its end)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if ATTRIBUTION.match(line) or (line.startswith(">") and _only_quotes_follow(lines, index)):
            rest = lines[index:]
            if sum(1 for r in rest if r.strip()) < MIN_FOLDED_LINES:
                break
            return "\n".join(lines[:index]).rstrip(), "\n".join(rest)
    return text, ""


def _only_quotes_follow(lines: list[str], start: int) -> bool:
    return all(not line.strip() or line.startswith(">") for line in lines[start:])


HTML_QUOTE = re.compile(
    r'<blockquote|<div class="gmail_quote|<div id="appendonsend|<div class="moz-cite-prefix',
    re.IGNORECASE,
)


def split_quoted_html(html: str) -> tuple[str, str]:
    """Split sanitised HTML at the first quoted block; both halves are sanitised again so
    that each is well-formed on its own."""
    match = HTML_QUOTE.search(html)
    if match is None or len(html) - match.start() < 200:
        return html, ""
    return sanitise_html(html[: match.start()]), sanitise_html(html[match.start() :])


@dataclass
class Entry:
    """One line of the timeline: an article or an event."""

    at: datetime.datetime
    article: Article | None = None
    event: Event | None = None
    body: str = ""
    quoted: str = ""
    is_html: bool = False

    @property
    def sentence(self) -> str:
        return describe_event(self.event) if self.event is not None else ""


def build_timeline(user: User, ticket: Ticket) -> list[Entry]:
    """The articles `user` may read and the ticket's events, oldest first (two queries plus
    one for the attachments)."""
    entries: list[Entry] = []
    articles = (
        visible_articles(user, ticket)
        .select_related("author")
        .prefetch_related("attachments__blob")
        .order_by("created_at", "id")
    )
    for article in articles:
        if article.body_html:
            body, quoted = split_quoted_html(article.body_html)
            entries.append(Entry(article.created_at, article, None, body, quoted, True))
        else:
            body, quoted = split_quoted_text(article.body_text)
            entries.append(Entry(article.created_at, article, None, body, quoted))
    events = (
        Event.objects.filter(ticket=ticket)
        .exclude(kind__in=HIDDEN_EVENTS)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    entries.extend(Entry(event.created_at, event=event) for event in events)
    entries.sort(key=lambda e: e.at)
    return entries


# The article itself stands on the timeline; its creation event would say it twice.
HIDDEN_EVENTS = ("article.created",)


def actor_name(event: Event) -> str:
    if event.actor is not None:
        return event.actor.display_name
    if event.actor_kind == "automation":
        return _("Rule “%(rule)s”") % {"rule": event.actor_label}
    return _("System")


def _person(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return _("nobody")


def _state(value: Any) -> str:
    try:
        return str(State(value).label)
    except ValueError:
        return str(value)


def describe_event(event: Event) -> str:
    """A sentence for the timeline, in the reader's language."""
    d = event.data or {}
    who = actor_name(event)
    kind = event.kind
    if kind == "ticket.created":
        return _("%(who)s created the ticket.") % {"who": who}
    if kind == "ticket.state_changed":
        return _("%(who)s changed the state from “%(old)s” to “%(new)s”.") % {
            "who": who,
            "old": _state(d.get("from")),
            "new": _state(d.get("to")),
        }
    if kind == "ticket.assigned":
        return _("%(who)s assigned the ticket to %(owner)s.") % {
            "who": who,
            "owner": _person(d.get("to")),
        }
    if kind == "ticket.transferred":
        return _("%(who)s handed the ticket from %(old)s to %(new)s.") % {
            "who": who,
            "old": d.get("from", ""),
            "new": d.get("to", ""),
        }
    if kind == "ticket.merged":
        return _("%(who)s merged %(source)s into %(target)s.") % {
            "who": who,
            "source": d.get("source", ""),
            "target": d.get("target", ""),
        }
    if kind == "ticket.split":
        return _("%(who)s split %(target)s off %(source)s.") % {
            "who": who,
            "source": d.get("source", ""),
            "target": d.get("target", ""),
        }
    if kind in ("ticket.linked", "ticket.unlinked"):
        template = (
            _("%(who)s linked %(source)s and %(target)s.")
            if kind == "ticket.linked"
            else _("%(who)s removed the link between %(source)s and %(target)s.")
        )
        return template % {"who": who, "source": d.get("source"), "target": d.get("target")}
    if kind == "ticket.tags_changed":
        return _("%(who)s changed the tags (added: %(added)s; removed: %(removed)s).") % {
            "who": who,
            "added": ", ".join(d.get("added", [])) or "–",
            "removed": ", ".join(d.get("removed", [])) or "–",
        }
    if kind == "ticket.reminder_reached":
        return _("The reminder date was reached.")
    if kind.startswith("mail."):
        from tresen.notifications.timeline import describe_mail_event

        if sentence := describe_mail_event(event):
            return sentence
    return _("%(who)s changed the ticket (%(change)s).") % {"who": who, "change": _change(kind)}


def _change(kind: str) -> str:
    names = {
        "ticket.priority_changed": _("priority"),
        "ticket.type_changed": _("type"),
        "ticket.title_changed": _("title"),
        "ticket.category_changed": _("category"),
        "ticket.fields_changed": _("custom fields"),
        "ticket.watcher_added": _("watchers"),
        "ticket.watcher_removed": _("watchers"),
        "ticket.cc_added": _("CC"),
        "ticket.cc_removed": _("CC"),
    }
    return str(names.get(kind, kind))
