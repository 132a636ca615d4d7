"""Who may be mailed about a ticket, and which addresses are never answered automatically.

RFC 3834: no automatic answer to automatic mail, to mailer daemons and list robots, to null
senders or to Tresen's own addresses, so that two systems can never keep answering each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tresen.mail.senders import is_own_address
from tresen.notifications.composition import mailbox
from tresen.notifications.preferences import wants
from tresen.tickets import access

if TYPE_CHECKING:
    from tresen.accounts.models import User
    from tresen.tickets.models import Article, Ticket

# Local parts of robots: bounces, list managers and addresses that say they read nothing.
ROBOT_LOCAL_PARTS = frozenset(
    {
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "bounce",
        "bounces",
        "listserv",
        "majordomo",
    }
)


def is_robot_address(address: str) -> bool:
    """True for empty (null sender), malformed and robot addresses that get no automatic answer."""
    try:
        spec = mailbox(address)
    except ValueError:
        return True
    local = spec.rpartition("@")[0]
    return (
        local in ROBOT_LOCAL_PARTS
        or local.startswith(("owner-", "bounce-", "bounces+"))
        or local.endswith(("-request", "-bounces", "-owner"))
    )


def is_automatic(article: Article | None) -> bool:
    """True when mail intake found the article's mail to be automatic (auto-reply, list ...)."""
    if article is None:
        return False
    mail = (article.meta or {}).get("mail") or {}
    return bool(mail.get("automatic")) if isinstance(mail, dict) else False


def may_mail_customer(person: User) -> bool:
    """Whether mail to this customer can go out at all (active, deliverable, not ourselves)."""
    return (
        person.is_active
        and bool(person.email)
        and person.email_undeliverable_at is None
        and not is_own_address(person.email)
    )


def may_answer_automatically(person: User, article: Article | None) -> bool:
    """Whether an automatic answer (a receipt) may go to `person` for `article`."""
    if is_automatic(article) or not may_mail_customer(person):
        return False
    sender = (article.from_address if article is not None else "") or person.email
    return not is_robot_address(sender) and not is_own_address(sender)


def agents_to_notify(
    candidates: list[User], ticket: Ticket, kind: str, *, exclude: set[int | None]
) -> list[User]:
    """The active agents among `candidates` who see the ticket and want `kind`, once each."""
    chosen: list[User] = []
    seen = set(exclude)
    for person in candidates:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        if (
            person.is_active
            and person.is_agent
            and person.email
            and access.can_see_ticket(person, ticket)
            and wants(person, kind)
        ):
            chosen.append(person)
    return chosen
