"""Who may see and change which ticket: the one place that decides it.

Every surface (pages, HTMX fragments, API, search, counts, reports, attachments, notifications)
asks here. A ticket the person may not see answers exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from tresen.accounts.models import Access, GroupMembership
from tresen.core.errors import NotFound, PermissionDenied
from tresen.tickets.models import Article, Ticket

if TYPE_CHECKING:
    from tresen.accounts.models import User


def visible_tickets(user: User, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The tickets `user` may see, as a filter on `queryset` (all tickets by default)."""
    qs = queryset if queryset is not None else Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_admin:
        return qs
    if user.is_agent:
        memberships = GroupMembership.objects.filter(user=user, group=OuterRef("group_id"))
        return qs.filter(Exists(memberships))
    cc_ticket_ids = Ticket.cc_participants.through.objects.filter(user=user).values("ticket_id")
    mine = Q(requester=user) | Q(pk__in=cc_ticket_ids)
    if user.organisation is not None and user.organisation.shared_tickets:
        mine |= Q(organisation_id=user.organisation_id)
    return qs.filter(mine)


def agent_group_ids(user: User, *, write: bool = False) -> list[int]:
    """The groups whose tickets the agent may see (or, with write, change)."""
    qs = GroupMembership.objects.filter(user=user)
    if write:
        qs = qs.filter(access=Access.FULL)
    return list(qs.values_list("group_id", flat=True))


def can_see_ticket(user: User, ticket: Ticket) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin:
        return True
    if user.is_agent:
        return GroupMembership.objects.filter(user=user, group_id=ticket.group_id).exists()
    if ticket.requester_id == user.pk:
        return True
    if (
        user.organisation is not None
        and ticket.organisation_id == user.organisation_id
        and user.organisation.shared_tickets
    ):
        return True
    return ticket.cc_participants.filter(pk=user.pk).exists()


def can_edit_ticket(user: User, ticket: Ticket) -> bool:
    """Agents with full access to the ticket's group, and admins, change tickets."""
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return False
    if user.is_admin:
        return True
    return GroupMembership.objects.filter(
        user=user, group_id=ticket.group_id, access=Access.FULL
    ).exists()


def can_reply_as_customer(user: User, ticket: Ticket) -> bool:
    """Customers answer, resolve and reopen the tickets they can see."""
    return user.is_customer and can_see_ticket(user, ticket)


def access_ticket(
    user: User, *, number: str | None = None, pk: int | None = None, write: bool = False
) -> Ticket:
    """Return the ticket if `user` may see it; NotFound otherwise; PermissionDenied for a
    visible ticket that `user` may not change when `write` is asked."""
    lookup = {"number": number} if number is not None else {"pk": pk}
    try:
        ticket = (
            visible_tickets(user)
            .select_related(
                "requester", "organisation", "group", "owner", "category", "merged_into"
            )
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
    if not user.is_agent:
        qs = qs.filter(is_internal=False)
    return qs


def access_article(user: User, pk: int) -> Article:
    """Return an article (for its attachments, say) only if `user` may read it."""
    article = Article.objects.select_related("ticket").filter(pk=pk).first()
    if article is None or not can_see_ticket(user, article.ticket):
        raise NotFound()
    if article.is_internal and not user.is_agent:
        raise NotFound()
    return article
