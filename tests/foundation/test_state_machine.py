"""The ticket state machine under any sequence of operations (hypothesis, stateful).

Whatever agents, customers, the scheduler and merges do, in whatever order: a pending ticket
has a date, a merged ticket has a target and takes no more writes, resolved/closed timestamps
match the state, every accepted write raises the version and leaves an event, every refused
write changes nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.factories import AgentFactory, CustomerFactory, GroupFactory, add_member, make_ticket
from tresen.core.errors import DomainError, StaleObject, ValidationError
from tresen.tickets import services
from tresen.tickets.models import ArticleKind, Event, Priority, Ticket
from tresen.tickets.states import PENDING_STATES, TRANSITIONS, State

STATES = [s.value for s in State]


class TicketLife(RuleBasedStateMachine):
    """One ticket (and a partner to merge it into), driven through random operations."""

    agent = None
    customer = None
    group = None

    def __init__(self) -> None:
        super().__init__()
        self.ticket = make_ticket(actor=self.customer, requester=self.customer, group=self.group)
        self.partner = make_ticket(requester=self.customer, group=self.group)
        self.version = self.ticket.version
        self.events = self._event_count()

    # Helpers ---------------------------------------------------------------------------------

    def _event_count(self) -> int:
        return Event.objects.filter(ticket_id=self.ticket.pk).count()

    def _fresh(self) -> Ticket:
        return Ticket.objects.get(pk=self.ticket.pk)

    def _attempt(self, write, *, may_be_no_op: bool = False) -> bool:
        """Run a write; check that it either changed the ticket with an event, or nothing."""
        before = self._fresh()
        try:
            write()
        except DomainError:
            after = self._fresh()
            assert after.version == before.version
            assert after.state == before.state
            assert self._event_count() == self.events
            return False
        after = self._fresh()
        changed = self._event_count() > self.events
        if not may_be_no_op:
            assert changed, "every change leaves an event"
        if changed:
            assert after.version > before.version, "every accepted change raises the version"
        else:
            assert after.version == before.version, "a write that changes nothing keeps it"
        self.version, self.events = after.version, self._event_count()
        return True

    # Rules -----------------------------------------------------------------------------------

    @rule(goal=st.sampled_from(STATES), days=st.integers(min_value=-3, max_value=10))
    def change_state(self, goal: str, days: int) -> None:
        current = self._fresh()
        was = current.state  # the service refreshes `current` with what it committed
        until = timezone.now() + datetime.timedelta(days=days)
        accepted = self._attempt(
            lambda: services.change_state(
                actor=self.agent, ticket=current, state=goal, pending_until=until
            ),
            may_be_no_op=True,
        )
        allowed = goal in TRANSITIONS[was]
        same_pending = goal == was and goal in PENDING_STATES
        if was == State.MERGED or goal == State.MERGED:
            assert not accepted
        elif allowed:
            assert accepted and self._fresh().state == goal
        elif not same_pending:
            # Same non-pending state: a no-op that may pass; anything else must be refused.
            assert goal == was or not accepted

    @rule(kind=st.sampled_from([ArticleKind.MESSAGE, ArticleKind.NOTE, ArticleKind.PHONE]))
    def agent_writes(self, kind: str) -> None:
        merged = self._fresh().state == State.MERGED
        accepted = self._attempt(
            lambda: services.post_article(
                actor=self.agent, ticket=self._fresh(), kind=kind, body_text="Working on it."
            )
        )
        assert accepted != merged, "a merged ticket takes no writes; any other takes articles"

    @rule()
    def customer_writes(self) -> None:
        self._attempt(
            lambda: services.post_article(
                actor=self.customer, ticket=self._fresh(), body_text="Any news?"
            )
        )

    @rule(priority=st.sampled_from(Priority.values))
    def prioritise(self, priority: int) -> None:
        current = self._fresh()
        self._attempt(
            lambda: services.set_priority(actor=self.agent, ticket=current, priority=priority),
            may_be_no_op=current.priority == priority,
        )

    @rule(tag=st.sampled_from(["vip", "hardware", "printer"]))
    def tag(self, tag: str) -> None:
        current = self._fresh()
        has = current.tags.filter(name=tag).exists()
        self._attempt(
            lambda: services.set_tags(
                actor=self.agent,
                ticket=current,
                add=[] if has else [tag],
                remove=[tag] if has else [],
            )
        )

    @rule()
    def stale_write_is_refused(self) -> None:
        current = self._fresh()
        with pytest.raises((StaleObject, ValidationError)):
            services.set_title(
                actor=self.agent,
                ticket=current,
                title="Stale",
                expected_version=current.version - 1,
            )
        assert self._fresh().version == current.version

    @rule(days_later=st.integers(min_value=0, max_value=12))
    def scheduler_runs(self, days_later: int) -> None:
        before = self._fresh()
        now = timezone.now() + datetime.timedelta(days=days_later)
        services.act_on_pending_dates(now)
        after = self._fresh()
        due = before.pending_until is not None and before.pending_until <= now
        if before.state == State.PENDING_CLOSE and due:
            assert after.state == State.CLOSED and after.version > before.version
        elif before.state == State.PENDING_REMINDER and due and not before.reminder_reached_at:
            assert after.reminder_reached_at is not None and after.state == before.state
        else:
            assert after.version == before.version
        self.version, self.events = after.version, self._event_count()

    @rule()
    def merge_into_partner(self) -> None:
        current = self._fresh()
        was = current.state
        accepted = self._attempt(
            lambda: services.merge_tickets(actor=self.agent, source=current, target=self.partner)
        )
        assert accepted == (was != State.MERGED)

    # Invariants ------------------------------------------------------------------------------

    @invariant()
    def consistent(self) -> None:
        ticket = self._fresh()
        assert ticket.version == self.version
        if ticket.state in PENDING_STATES:
            assert ticket.pending_until is not None
        else:
            assert ticket.pending_until is None and ticket.reminder_reached_at is None
        if ticket.state == State.MERGED:
            assert ticket.merged_into_id == self.partner.pk
            assert not ticket.articles.exists()
            return
        assert ticket.merged_into_id is None
        assert (ticket.resolved_at is not None) == (ticket.state in (State.RESOLVED, State.CLOSED))
        assert (ticket.closed_at is not None) == (ticket.state == State.CLOSED)
        if ticket.resolved_at and ticket.closed_at:
            assert ticket.resolved_at <= ticket.closed_at


@pytest.mark.django_db
def test_any_sequence_of_operations_keeps_the_ticket_consistent() -> None:
    group = GroupFactory(name="Service Desk")
    agent = AgentFactory()
    add_member(group, agent)
    TicketLife.agent, TicketLife.customer, TicketLife.group = agent, CustomerFactory(), group
    run_state_machine_as_test(
        TicketLife,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
