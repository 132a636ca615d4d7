"""Watchers (agents) and CC participants (customers)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tresen.accounts.models import Role, User
from tresen.core.errors import (
    ValidationError,
)
from tresen.tickets import access
from tresen.tickets.events import Actor, as_actor, record_event
from tresen.tickets.models import (
    Ticket,
)
from tresen.tickets.services._core import _person, _writing


def add_watcher(*, actor: User | Actor | None, ticket: Ticket, agent: User) -> Ticket:
    """Let an agent follow the ticket."""
    who = as_actor(actor)
    if not agent.is_agent or not access.can_see_ticket(agent, ticket):
        raise ValidationError(_("Only agents who can see the ticket can watch it."))
    with _writing(ticket, who, expected_version=None) as locked:
        if not locked.watchers.filter(pk=agent.pk).exists():
            locked.watchers.add(agent)
            record_event(locked, "ticket.watcher_added", who, {"person": _person(agent)})
    return ticket


def remove_watcher(*, actor: User | Actor | None, ticket: Ticket, agent: User) -> Ticket:
    """Stop an agent following the ticket."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=None) as locked:
        if locked.watchers.filter(pk=agent.pk).exists():
            locked.watchers.remove(agent)
            record_event(locked, "ticket.watcher_removed", who, {"person": _person(agent)})
    return ticket


def add_cc(*, actor: User | Actor | None, ticket: Ticket, person: User) -> Ticket:
    """Add a customer who receives the public conversation in copy."""
    who = as_actor(actor)
    if person.role != Role.CUSTOMER:
        raise ValidationError(_("Only customers can be CC participants."))
    with _writing(ticket, who, expected_version=None) as locked:
        if (
            person.pk != locked.requester_id
            and not locked.cc_participants.filter(pk=person.pk).exists()
        ):
            locked.cc_participants.add(person)
            record_event(locked, "ticket.cc_added", who, {"person": _person(person)})
    return ticket


def remove_cc(*, actor: User | Actor | None, ticket: Ticket, person: User) -> Ticket:
    """Remove a CC participant."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=None) as locked:
        if locked.cc_participants.filter(pk=person.pk).exists():
            locked.cc_participants.remove(person)
            record_event(locked, "ticket.cc_removed", who, {"person": _person(person)})
    return ticket
