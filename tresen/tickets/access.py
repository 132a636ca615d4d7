"""Who may see and change which ticket: the one place that decides it.

Every surface (pages, HTMX fragments, API, search, counts, reports, attachments, notifications)
asks here. A ticket the person may not see answers exactly like one that does not exist
(NotFound, 404); a visible ticket the person may not change answers PermissionDenied (403).

The rules, in one breath: inactive and anonymous people see nothing; administrators see and
change everything; agents see the tickets of their groups and change those of the groups where
they have full access; customers see the tickets they requested, those they are CC on, and, when
their organisation shares tickets, those of their organisation; customers never see internal
articles or their attachments. `docs/permissions.md` has the full table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from tresen.accounts.models import Access, GroupMembership
from tresen.core.errors import NotFound, PermissionDenied
from tresen.tickets.models import Article, Attachment, Ticket

if TYPE_CHECKING:
    from tresen.accounts.models import User


def _is_signed_in(user: User) -> bool:
    # Anonymous visitors arrive here too (AnonymousUser is neither authenticated nor active).
    return bool(user.is_authenticated and user.is_active)


def _is_agent(user: User) -> bool:
    return _is_signed_in(user) and user.is_agent


def visible_tickets(user: User, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The tickets `user` may see, as a filter on `queryset` (all tickets by default).

    One SQL query whatever the person's memberships: the filter runs in the database.
    """
    qs = queryset if queryset is not None else Ticket.objects.all()
    if not _is_signed_in(user):
        return qs.none()
    if user.is_admin:
        return qs
    if user.is_agent:
        memberships = GroupMembership.objects.filter(user=user, group=OuterRef("group_id"))
        return qs.filter(Exists(memberships))
    return qs.filter(_customer_filter(user))


def _customer_filter(user: User) -> Q:
    cc = Ticket.cc_participants.through.objects.filter(ticket_id=OuterRef("pk"), user_id=user.pk)
    mine = Q(requester_id=user.pk) | Q(Exists(cc))
    if user.organisation_id is not None:
        # Joined, not read from user.organisation: no extra query, and a switch turned off a
        # second ago counts at once.
        mine |= Q(organisation_id=user.organisation_id, organisation__shared_tickets=True)
    return mine


def agent_group_ids(user: User, *, write: bool = False) -> list[int]:
    """The groups whose tickets the agent may see (or, with write, change)."""
    qs = GroupMembership.objects.filter(user=user)
    if write:
        qs = qs.filter(access=Access.FULL)
    return list(qs.values_list("group_id", flat=True))


def can_see_ticket(user: User, ticket: Ticket) -> bool:
    if not _is_signed_in(user):
        return False
    if user.is_admin:
        return True
    if user.is_agent:
        return GroupMembership.objects.filter(user=user, group_id=ticket.group_id).exists()
    if ticket.requester_id == user.pk:
        return True
    return visible_tickets(user).filter(pk=ticket.pk).exists()


def can_edit_ticket(user: User, ticket: Ticket) -> bool:
    """Agents with full access to the ticket's group, and admins, change tickets."""
    if not _is_signed_in(user):
        return False
    if not user.is_agent:
        return False
    if user.is_admin:
        return True
    return GroupMembership.objects.filter(
        user=user, group_id=ticket.group_id, access=Access.FULL
    ).exists()


def can_work_in_group(user: User, group_id: int) -> bool:
    """May `user` open tickets in the group, and own its tickets? Full access, or admin."""
    if not _is_agent(user):
        return False
    if user.is_admin:
        return True
    return GroupMembership.objects.filter(user=user, group_id=group_id, access=Access.FULL).exists()


def can_own_ticket_of_group(user: User, group_id: int) -> bool:
    """Owners are active agents with full access to the group (admins too, via membership)."""
    return (
        _is_agent(user)
        and GroupMembership.objects.filter(
            user=user, group_id=group_id, access=Access.FULL
        ).exists()
    )


def can_reply_as_customer(user: User, ticket: Ticket) -> bool:
    """Customers answer, resolve and reopen the tickets they can see."""
    return _is_signed_in(user) and user.is_customer and can_see_ticket(user, ticket)


def access_ticket(
    user: User, *, number: str | None = None, pk: int | None = None, write: bool = False
) -> Ticket:
    """Return the ticket if `user` may see it; NotFound otherwise; PermissionDenied for a
    visible ticket that `user` may not change when `write` is asked.

    The number is only a name: looking a ticket up by number grants nothing by itself.
    """
    if number is None and pk is None:
        raise NotFound()
    lookup = {"number": number} if number is not None else {"pk": pk}
    try:
        ticket = (
            visible_tickets(user)
            # Not merged_into: a second join of the ticket table more than doubles PostgreSQL's
            # planning time (2.7 ms instead of 1.2 ms on a million tickets) for the few merged
            # tickets, whose page reads it with one query more.
            .select_related("requester", "organisation", "group", "owner", "category")
            .get(**lookup)
        )
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if write and not can_edit_ticket(user, ticket):
        raise PermissionDenied()
    return ticket


def visible_articles(user: User, ticket: Ticket) -> QuerySet[Article]:
    """The articles of a ticket `user` may read: customers never see internal ones."""
    qs = ticket.articles.all()
    if not _is_agent(user):
        qs = qs.filter(is_internal=False)
    return qs


def access_article(user: User, pk: int) -> Article:
    """Return an article (for its attachments, say) only if `user` may read it."""
    article = Article.objects.select_related("ticket").filter(pk=pk).first()
    if article is None or not _may_read_article(user, article):
        raise NotFound()
    return article


def access_attachment(user: User, pk: int) -> Attachment:
    """Return an attachment (with its stored file) only if `user` may read its article."""
    attachment = Attachment.objects.select_related("article__ticket", "blob").filter(pk=pk).first()
    if attachment is None or not _may_read_article(user, attachment.article):
        raise NotFound()
    return attachment


def _may_read_article(user: User, article: Article) -> bool:
    if article.is_internal and not _is_agent(user):
        return False
    return can_see_ticket(user, article.ticket)
