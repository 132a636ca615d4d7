"""The demo's tickets: conversations written through the ticket services, spread over weeks.

The services stamp every write with the real clock. So that the demo looks like weeks of
work rather than one second, each step's rows (the ticket's timestamps, its new articles and
events) are moved back to the step's moment right after the service call; nothing else is
changed behind the services' back.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from tresen.accounts.models import Group, User
from tresen.tickets import services
from tresen.tickets.demo.people import DemoPeople
from tresen.tickets.demo.phrases import FIRST_LEVEL, IT, TOPICS_BY_GROUP, TextMaker, Topic
from tresen.tickets.events import Actor
from tresen.tickets.models import Article, ArticleKind, Channel, Event, Priority, Ticket
from tresen.tickets.models import TicketType as Type
from tresen.tickets.states import State

_TIMESTAMPS = (
    "created_at",
    "updated_at",
    "first_response_at",
    "last_customer_contact_at",
    "last_agent_contact_at",
    "resolved_at",
    "closed_at",
)
_GROUP_WEIGHTS = {FIRST_LEVEL: 40, IT: 30, "facility": 15, "hr": 15}
_TYPES = {
    "printer": Type.INCIDENT,
    "password": Type.SERVICE_REQUEST,
    "software": Type.SERVICE_REQUEST,
    "vpn": Type.INCIDENT,
    "mail": Type.INCIDENT,
    "laptop": Type.SERVICE_REQUEST,
    "heating": Type.INCIDENT,
    "rooms": Type.SERVICE_REQUEST,
    "access_card": Type.SERVICE_REQUEST,
    "payroll": Type.QUESTION,
    "leave": Type.QUESTION,
    "onboarding": Type.SERVICE_REQUEST,
}


def _backdate(ticket: Ticket, since: datetime.datetime, moment: datetime.datetime) -> None:
    """Move what the last service call stamped (at or after `since`) to `moment`."""
    Event.objects.filter(ticket=ticket, created_at__gte=since).update(created_at=moment)
    Article.objects.filter(ticket=ticket, created_at__gte=since).update(created_at=moment)
    fresh = Ticket.objects.filter(pk=ticket.pk).values(*_TIMESTAMPS).get()
    changes = {name: moment for name, value in fresh.items() if value and value >= since}
    if changes:
        Ticket.objects.filter(pk=ticket.pk).update(**changes)


class _Story:
    """One ticket's conversation, step by step, each step at a later moment."""

    def __init__(self, rng: random.Random, start: datetime.datetime, end: datetime.datetime):
        self.rng = rng
        self.moment = start
        self.end = end
        self.ticket: Ticket | None = None

    def step(self, call: Callable[[], Any], *, after_hours: float) -> Any:
        self.moment = min(self.moment + datetime.timedelta(hours=after_hours), self.end)
        since = timezone.now()
        result = call()
        if self.ticket is None:
            self.ticket = result
        assert self.ticket is not None
        _backdate(self.ticket, since, self.moment)
        return result


def create_conversations(people: DemoPeople, *, count: int, seed: int = 2026) -> list[Ticket]:
    """Create `count` tickets with conversations through the services, over the last weeks."""
    rng = random.Random(seed)
    texts = TextMaker(rng)
    now = timezone.now()
    keys = list(_GROUP_WEIGHTS)
    tickets = []
    for _ in range(count):
        group_key = rng.choices(keys, weights=list(_GROUP_WEIGHTS.values()))[0]
        topic = rng.choice(TOPICS_BY_GROUP[group_key])
        age_days = rng.uniform(0, 42)
        start = now - datetime.timedelta(days=age_days)
        story = _Story(rng, start, now - datetime.timedelta(minutes=5))
        tickets.append(_tell(story, people, texts, topic, age_days))
    return tickets


def _tell(story: _Story, people: DemoPeople, texts: TextMaker, topic: Topic, age: float) -> Ticket:
    rng = story.rng
    customer = rng.choice(people.customers)
    language = customer.language
    target = people.groups[topic.group]
    # Much of IT's work reaches it through first level, who hand it over.
    escalate = topic.group == IT and rng.random() < 0.5
    group = people.groups[FIRST_LEVEL] if escalate else target
    ticket = story.step(
        lambda: _open(people, texts, topic, customer, group, escalate, rng), after_hours=0
    )
    if age < 1.5 and rng.random() < 0.5:
        return ticket  # just arrived: still new and unassigned
    agent = rng.choice(people.full_agents(group))
    story.step(lambda: services.assign(actor=agent, ticket=ticket, owner=agent), after_hours=0.3)
    first_answer = (
        texts.acknowledgement(language, customer.name, agent.name)
        if escalate
        else texts.agent_reply(topic, language, customer.name, agent.name)
    )
    story.step(
        lambda: services.post_article(actor=agent, ticket=ticket, body_text=first_answer),
        after_hours=rng.uniform(0.2, 6),
    )
    if rng.random() < 0.35:
        story.step(
            lambda: services.post_article(
                actor=agent,
                ticket=ticket,
                kind=ArticleKind.NOTE,
                body_text=texts.internal_note(language),
            ),
            after_hours=rng.uniform(0.5, 8),
        )
    if escalate:
        specialist = rng.choice(people.full_agents(target))
        story.step(
            lambda: services.transfer(
                actor=agent,
                ticket=ticket,
                group=target,
                owner=specialist,
                note=texts.handover_note(language),
            ),
            after_hours=rng.uniform(1, 24),
        )
        story.step(
            lambda: services.set_category(
                actor=specialist,
                ticket=ticket,
                category=people.categories[(topic.group, *topic.category)],
            ),
            after_hours=0.2,
        )
        agent = specialist
    _continue(story, texts, ticket, customer, agent, topic, age)
    return ticket


def _open(
    people: DemoPeople,
    texts: TextMaker,
    topic: Topic,
    customer: User,
    group: Group,
    escalated: bool,
    rng: random.Random,
) -> Ticket:
    language = customer.language
    channel = rng.choices([Channel.EMAIL, Channel.WEB, Channel.PHONE], weights=[50, 30, 20])[0]
    actor: User | Actor = Actor.system("mail") if channel == Channel.EMAIL else customer
    kind = ArticleKind.MESSAGE
    title, problem = texts.problem(topic, language)
    body = texts.customer_message(topic, language, customer.name, problem)
    if channel == Channel.PHONE:
        actor = rng.choice(people.full_agents(group))
        kind = ArticleKind.PHONE
        body = texts.phone_call(topic, language, customer.name, problem)
    category = None if escalated else people.categories[(topic.group, *topic.category)]
    fields: dict[str, Any] = {}
    if topic.group == IT and rng.random() < 0.5 and not escalated:
        fields["affected_system"] = rng.choice(["SAP", "Outlook", "VPN", "Teams", "Other"])
    if topic.key in ("laptop", "printer") and rng.random() < 0.6:
        fields["asset_tag"] = rng.choice(["NB-10231", "NB-20877", "PC-00412", "PR-0042"])
    tags = rng.sample(
        ["homeoffice", "hardware", "vip", "follow-up", "rollout", "warranty"],
        k=rng.choice([0, 0, 1, 2]),
    )
    return services.create_ticket(
        actor=actor,
        requester=customer,
        title=title,
        group=group,
        channel=channel,
        body_text=body,
        article_kind=kind,
        priority=rng.choices(Priority.values, weights=[15, 60, 20, 5])[0],
        type=_TYPES.get(topic.key, Type.INCIDENT),
        category=category,
        tags=tags,
        custom_fields=fields,
        article_fields={"from_address": customer.email} if kind == ArticleKind.MESSAGE else None,
    )


def _continue(
    story: _Story,
    texts: TextMaker,
    ticket: Ticket,
    customer: User,
    agent: User,
    topic: Topic,
    age: float,
) -> None:
    """Customer answers, phone notes and the state the ticket has reached by now."""
    rng = story.rng
    language = customer.language
    if rng.random() < 0.6:
        story.step(
            lambda: services.post_article(
                actor=Actor.system("mail"),
                ticket=ticket,
                sender=customer,
                channel=Channel.EMAIL,
                body_text=texts.customer_follow_up(language, customer.name),
                from_address=customer.email,
            ),
            after_hours=rng.uniform(1, 30),
        )
    if rng.random() < 0.25:
        story.step(
            lambda: services.post_article(
                actor=agent,
                ticket=ticket,
                kind=ArticleKind.PHONE,
                channel=Channel.PHONE,
                is_internal=rng.random() < 0.5,
                body_text=texts.phone_note(language, customer.name),
            ),
            after_hours=rng.uniform(1, 24),
        )
    if rng.random() < 0.5:
        story.step(
            lambda: services.post_article(
                actor=agent,
                ticket=ticket,
                body_text=texts.agent_reply(topic, language, customer.name, agent.name),
            ),
            after_hours=rng.uniform(1, 24),
        )
    _settle(story, ticket, agent, age)


def _settle(story: _Story, ticket: Ticket, agent: User, age: float) -> None:
    rng = story.rng
    roll = rng.random()
    real_now = timezone.now()
    if (age > 10 and roll < 0.8) or (age > 3 and roll < 0.35):
        state = State.CLOSED if age > 14 else State.RESOLVED
        story.step(
            lambda: services.change_state(actor=agent, ticket=ticket, state=state),
            after_hours=rng.uniform(2, 48),
        )
    elif roll < 0.55:
        state = rng.choice([State.PENDING_REMINDER, State.PENDING_CLOSE])
        until = real_now + datetime.timedelta(days=rng.randint(1, 10))
        story.step(
            lambda: services.change_state(
                actor=agent, ticket=ticket, state=state, pending_until=until
            ),
            after_hours=rng.uniform(1, 12),
        )
