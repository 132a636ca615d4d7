"""Many demo tickets at once, for load tests: a million in minutes rather than days.

Going through the services would take a day for a million tickets, so this writes the rows
the services would have written (tickets, articles and the timeline events `ticket.created`,
`article.created`, `ticket.assigned`, `ticket.state_changed`) straight into the tables: with
PostgreSQL's COPY, or batched INSERTs on SQLite. Numbers come from the numbering service.
Batches are generated and written one after the other, so memory stays bounded. How the
tables are prepared for the load and what a failure leaves behind: see `loading`.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.utils import timezone

from tresen.tickets.demo import loading
from tresen.tickets.demo.phrases import TOPICS, TOPICS_BY_GROUP, Topic
from tresen.tickets.demo.pool import TextPool
from tresen.tickets.demo.world import Agent, Customer, World, load_world, to_json
from tresen.tickets.models import (
    ActorKind,
    Article,
    ArticleKind,
    Channel,
    Event,
    Priority,
    SenderRole,
    Ticket,
    TicketType,
)
from tresen.tickets.services import reserve_ticket_numbers
from tresen.tickets.states import State

SPAN = datetime.timedelta(days=730)
_STILL_NEW = datetime.timedelta(days=3)

TICKET_COLUMNS = [
    "id",
    "number",
    "title",
    "requester_id",
    "organisation_id",
    "group_id",
    "owner_id",
    "state",
    "priority",
    "type",
    "category_id",
    "channel",
    "custom_fields",
    "pending_until",
    "version",
    "created_at",
    "updated_at",
    "first_response_at",
    "last_customer_contact_at",
    "last_agent_contact_at",
    "resolved_at",
    "closed_at",
]
ARTICLE_COLUMNS = [
    "id",
    "ticket_id",
    "kind",
    "is_internal",
    "channel",
    "sender_role",
    "author_id",
    "from_address",
    "to_addresses",
    "cc_addresses",
    "subject",
    "body_text",
    "body_html",
    "message_id",
    "in_reply_to",
    "references",
    "meta",
    "created_at",
]
EVENT_COLUMNS = [
    "ticket_id",
    "kind",
    "actor_id",
    "actor_kind",
    "actor_label",
    "article_id",
    "data",
    "created_at",
]


@dataclass
class BulkResult:
    tickets: int = 0
    articles: int = 0
    events: int = 0
    customers: int = 0
    phases: dict[str, float] = field(default_factory=dict)


def _phase(result: BulkResult, name: str, out: Callable[[str], None]) -> Callable[[], None]:
    started = time.monotonic()

    def done() -> None:
        seconds = time.monotonic() - started
        result.phases[name] = seconds
        out(f"  {name}: {seconds:.1f} s")

    return done


def generate_tickets(
    count: int,
    *,
    batch_size: int = 5000,
    seed: int = 1,
    workers: int | None = None,
    search_index: bool = True,
    out: Callable[[str], None] = print,
) -> BulkResult:
    """Write `count` generated tickets with 2 to 6 articles each, over the last two years.

    Needs the demo's groups and agents (`tresen demo` creates them). Adds customers in bulk
    (one per hundred tickets) so that requesters vary as they do in a real helpdesk. On
    PostgreSQL, `workers` processes (one per core by default) generate and write side by side.
    """
    result = BulkResult()
    rng = random.Random(seed)
    done = _phase(result, "customers", out)
    world, result.customers = load_world(rng, customers=min(20000, max(50, count // 100)))
    done()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        workers = 1  # SQLite has one writer; an open transaction cannot be shared
    workers = max(1, min(workers or os.cpu_count() or 1, count // batch_size or 1))
    job = _Job(world, seed, count, batch_size, timezone.now())
    with loading.bulk_load([Ticket, Article, Event], parallel=workers > 1) as indexes:
        done = _phase(result, f"tickets, articles, events ({workers} processes)", out)
        totals = _in_processes(job, workers) if workers > 1 else job.write(0, count)
        result.tickets, result.articles, result.events = totals
        done()
        done = _phase(result, f"indexes ({len(indexes.definitions)} built)", out)
        indexes.restore()
        done()
    done = _phase(result, "analyze", out)
    loading.analyze()
    done()
    rebuild = _search_rebuild() if search_index else None
    if rebuild is not None:
        done = _phase(result, "search index", out)
        rebuild()
        done()
    return result


@dataclass(frozen=True)
class _Job:
    world: World
    seed: int
    count: int
    batch_size: int
    end: datetime.datetime

    def write(self, first: int, last: int) -> tuple[int, int, int]:
        """Generate and write tickets first .. last-1; return (tickets, articles, events)."""
        rng = random.Random(self.seed * 1_000_003 + first)
        maker = _TicketMaker(self.world, rng, end=self.end, count=self.count)
        loading.prepare_session()
        totals = [0, 0, 0]
        started = time.monotonic()
        for start in range(first, last, self.batch_size):
            size = min(self.batch_size, last - start)
            with transaction.atomic():
                numbers = reserve_ticket_numbers(size)
                batch = maker.batch(start, numbers, loading.reserve_ids(Ticket, size))
                loading.write_rows(Ticket, TICKET_COLUMNS, batch.tickets)
                loading.write_rows(Article, ARTICLE_COLUMNS, batch.articles)
                loading.write_rows(Event, EVENT_COLUMNS, batch.events)
            totals[0] += size
            totals[1] += len(batch.articles)
            totals[2] += len(batch.events)
            if totals[0] % 100_000 < self.batch_size and last - first >= 100_000:
                rate = totals[0] / (time.monotonic() - started)
                print(f"    {totals[0]} of {last - first} tickets ({rate:.0f}/s)", flush=True)
        return totals[0], totals[1], totals[2]


def _in_processes(job: _Job, workers: int) -> tuple[int, int, int]:
    """Split the tickets into `workers` ranges, each written by a process of its own."""
    bounds = [job.count * i // workers for i in range(workers + 1)]
    # Children open their own connections; an inherited one would be shared by two processes.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_write_part, job, bounds[i], bounds[i + 1]) for i in range(workers)]
        parts = [future.result() for future in futures]
    return sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts)


def _write_part(job: _Job, first: int, last: int) -> tuple[int, int, int]:
    try:
        return job.write(first, last)
    finally:
        connections.close_all()


# Rows ------------------------------------------------------------------------------------


@dataclass
class _Batch:
    tickets: list[tuple[object, ...]] = field(default_factory=list)
    articles: list[tuple[object, ...]] = field(default_factory=list)
    events: list[tuple[object, ...]] = field(default_factory=list)


class _TicketMaker:
    """Turns ticket positions 0 .. count-1 into rows, oldest first, spread over two years."""

    def __init__(self, world: World, rng: random.Random, *, end: datetime.datetime, count: int):
        self.world = world
        self.rng = rng
        self.texts = TextPool(rng)
        self.end = end
        self.start = end - SPAN
        self.step = SPAN / max(count, 1)
        self.article_ids: Iterator[int] = iter(())
        self.group_json = {group_id: to_json(name) for _, group_id, name in world.groups}

    def batch(self, first: int, numbers: list[str], ticket_ids: list[int]) -> _Batch:
        plans = [
            self._plan(first + i, n, t)
            for i, (n, t) in enumerate(zip(numbers, ticket_ids, strict=True))
        ]
        self.article_ids = iter(loading.reserve_ids(Article, sum(len(p.articles) for p in plans)))
        batch = _Batch()
        for plan in plans:
            self._rows(plan, batch)
        return batch

    def _plan(self, position: int, number: str, ticket_id: int) -> _Plan:
        rng = self.rng
        world = self.world
        key, group_id, group_name = rng.choices(world.groups, cum_weights=world.weights)[0]
        topic = rng.choice(TOPICS_BY_GROUP.get(key) or TOPICS)
        customer = rng.choice(world.customers)
        created = self.start + self.step * (position + rng.random())
        plan = _Plan(
            ticket_id=ticket_id,
            number=number,
            topic=topic,
            group_id=group_id,
            group_name=group_name,
            group_json=self.group_json[group_id],
            customer=customer,
            language=customer.language if customer.language in ("de", "en") else "en",
            created=created,
            channel=rng.choices(_CHANNELS, cum_weights=(55, 80, 100))[0],
            agent=rng.choice(world.agents.get(group_id) or [None]),
            category_id=world.categories.get((key, topic.key)),
            priority=rng.choices(_PRIORITIES, cum_weights=(15, 75, 95, 100))[0],
            type=_TYPES.get(topic.group, TicketType.INCIDENT),
        )
        plan.articles = self._conversation(plan, rng.randint(2, 6))
        return plan

    def _conversation(self, plan: _Plan, length: int) -> list[_Entry]:
        """(kind, internal, sender role, channel, moment) for each article, in order."""
        rng = self.rng
        moment = plan.created
        first_kind = ArticleKind.PHONE if plan.channel == Channel.PHONE else ArticleKind.MESSAGE
        entries = [_Entry(first_kind, False, SenderRole.CUSTOMER, plan.channel, moment)]
        for index in range(1, length):
            moment = min(moment + datetime.timedelta(hours=rng.expovariate(1 / 8)), self.end)
            roll = rng.random()
            if plan.agent is None or (index % 2 == 0 and roll < 0.7):
                entries.append(
                    _Entry(ArticleKind.MESSAGE, False, SenderRole.CUSTOMER, Channel.EMAIL, moment)
                )
            elif roll < 0.15:
                entries.append(
                    _Entry(ArticleKind.NOTE, True, SenderRole.AGENT, Channel.WEB, moment)
                )
            elif roll < 0.25:
                entries.append(
                    _Entry(ArticleKind.PHONE, True, SenderRole.AGENT, Channel.PHONE, moment)
                )
            else:
                entries.append(
                    _Entry(ArticleKind.MESSAGE, False, SenderRole.AGENT, Channel.EMAIL, moment)
                )
        answered = any(e.role == SenderRole.AGENT and not e.internal for e in entries)
        if plan.agent is not None and not answered and self.end - moment > _STILL_NEW:
            # Only tickets of the last days are still waiting for a first answer.
            last = entries[-1]
            entries[-1] = _Entry(
                ArticleKind.MESSAGE, False, SenderRole.AGENT, Channel.EMAIL, last.moment
            )
        return entries

    def _rows(self, plan: _Plan, batch: _Batch) -> None:
        self._article_rows(plan, batch)
        self._ticket_row(plan, batch)

    def _article_rows(self, plan: _Plan, batch: _Batch) -> None:
        texts, language, customer, agent = self.texts, plan.language, plan.customer, plan.agent
        title, message, call = texts.opening(plan.topic, language, customer.name)
        plan.title = title
        reply_prefix = "AW: " if language == "de" else "Re: "
        for index, entry in enumerate(plan.articles):
            article_id = next(self.article_ids)
            if index == 0:
                body = call if entry.kind == ArticleKind.PHONE else message
            elif entry.kind == ArticleKind.NOTE:
                body = texts.note(language)
            elif entry.kind == ArticleKind.PHONE:
                body = texts.phone_note(language, customer.name)
            elif entry.role == SenderRole.CUSTOMER or agent is None:
                body = texts.follow_up(language, customer.name)
            else:
                body = texts.reply(plan.topic, language, customer.name, agent.name)
            by_agent = entry.role == SenderRole.AGENT or (index == 0 and entry.kind == "phone")
            author = agent if by_agent and agent else None
            email = entry.channel == Channel.EMAIL
            batch.articles.append((
                article_id, plan.ticket_id, entry.kind, entry.internal, entry.channel, entry.role,
                author.id if author else customer.id,
                author.email if author else customer.email,
                "", "",
                plan.title if index == 0 else reply_prefix + plan.title,
                body, "",
                f"<{plan.ticket_id}.{article_id}@mail.example>" if email else "",
                "", "", "{}", entry.moment,
            ))  # fmt: skip
            self._article_events(plan, entry, article_id, author, index, batch)

    def _article_events(
        self,
        plan: _Plan,
        entry: _Entry,
        article_id: int,
        author: Agent | None,
        index: int,
        batch: _Batch,
    ) -> None:
        actor_id, kind, label = _actor(plan, author, entry)
        if index == 0:
            # Spelled out rather than json.dumps: this runs a million times.
            data = (
                f'{{"channel": "{plan.channel}", "group": {plan.group_json}, '
                f'"requester": {plan.customer.person}, "owner": null, '
                f'"priority": {plan.priority}, "type": "{plan.type}"}}'
            )
            batch.events.append(
                (plan.ticket_id, "ticket.created", actor_id, kind, label, None, data, entry.moment)
            )
        data = _ARTICLE_DATA[(entry.kind, entry.internal, entry.role)]
        batch.events.append(
            (plan.ticket_id, "article.created", actor_id, kind, label, article_id, data,
             entry.moment)
        )  # fmt: skip
        if author is not None and entry.role == SenderRole.AGENT and not entry.internal:
            if plan.first_response is None:
                plan.first_response = entry.moment
                assigned = f'{{"from": null, "to": {author.person}}}'
                batch.events.append(
                    (
                        plan.ticket_id,
                        "ticket.assigned",
                        author.id,
                        ActorKind.PERSON,
                        "",
                        None,
                        assigned,
                        entry.moment,
                    )
                )
                batch.events.append(
                    (
                        plan.ticket_id,
                        "ticket.state_changed",
                        author.id,
                        ActorKind.PERSON,
                        "",
                        None,
                        _NEW_TO_OPEN,
                        entry.moment,
                    )
                )
            plan.last_agent = entry.moment
        elif entry.role == SenderRole.CUSTOMER:
            plan.last_customer = entry.moment

    def _ticket_row(self, plan: _Plan, batch: _Batch) -> None:
        last = plan.articles[-1].moment
        state, pending_until, done_at = self._final_state(plan, last)
        resolved_at = closed_at = None
        owner = plan.agent.id if plan.agent and plan.first_response else None
        if state not in (State.NEW, State.OPEN):
            data = f'{{"from": "open", "to": "{state}"}}'
            if pending_until is not None:
                data = (
                    f'{{"from": "open", "to": "{state}", '
                    f'"pending_until": "{pending_until.isoformat()}"}}'
                )
            batch.events.append(
                (
                    plan.ticket_id,
                    "ticket.state_changed",
                    owner,
                    ActorKind.PERSON if owner else ActorKind.SYSTEM,
                    "" if owner else "scheduler",
                    None,
                    data,
                    done_at,
                )
            )
        if state in (State.RESOLVED, State.CLOSED):
            resolved_at = done_at
            closed_at = done_at if state == State.CLOSED else None
        batch.tickets.append((
            plan.ticket_id, plan.number, plan.title, plan.customer.id,
            plan.customer.organisation_id, plan.group_id, owner, state,
            plan.priority, plan.type, plan.category_id, plan.channel, "{}", pending_until,
            len(plan.articles) + 2, plan.created, max(last, done_at), plan.first_response,
            plan.last_customer, plan.last_agent, resolved_at, closed_at,
        ))  # fmt: skip

    def _final_state(
        self, plan: _Plan, last: datetime.datetime
    ) -> tuple[str, datetime.datetime | None, datetime.datetime]:
        """The state the ticket has reached by now, its pending date and when it got there."""
        if plan.first_response is None:
            return State.NEW, None, last
        rng = self.rng
        age = (self.end - plan.created).days
        done_at = min(last + datetime.timedelta(hours=rng.uniform(1, 72)), self.end)
        roll = rng.random()
        if (age > 21 and roll < 0.93) or (age > 3 and roll < 0.5):
            return (State.CLOSED if age > 7 else State.RESOLVED), None, done_at
        if roll < 0.75 and age <= 21:
            until = self.end + datetime.timedelta(days=rng.randint(1, 14))
            return rng.choice(_PENDING), until, done_at
        return State.OPEN, None, last


@dataclass
class _Entry:
    kind: str
    internal: bool
    role: str
    channel: str
    moment: datetime.datetime


@dataclass
class _Plan:
    ticket_id: int
    number: str
    topic: Topic
    group_id: int
    group_name: str
    group_json: str
    customer: Customer
    language: str
    created: datetime.datetime
    channel: str
    agent: Agent | None
    category_id: int | None
    priority: int
    type: str
    title: str = ""
    articles: list[_Entry] = field(default_factory=list)
    first_response: datetime.datetime | None = None
    last_customer: datetime.datetime | None = None
    last_agent: datetime.datetime | None = None


def _actor(plan: _Plan, author: Agent | None, entry: _Entry) -> tuple[int | None, str, str]:
    """Who the timeline names: the agent, the customer on the web, or the mail intake."""
    if author is not None:
        return author.id, ActorKind.PERSON, ""
    if entry.channel == Channel.WEB:
        return plan.customer.id, ActorKind.PERSON, ""
    return None, ActorKind.SYSTEM, "mail"


_CHANNELS = (Channel.EMAIL, Channel.WEB, Channel.PHONE)
_PRIORITIES = tuple(Priority.values)
_PENDING = (State.PENDING_REMINDER, State.PENDING_CLOSE)
_NEW_TO_OPEN = to_json({"from": State.NEW, "to": State.OPEN})
_TYPES = {
    "first": TicketType.INCIDENT,
    "it": TicketType.INCIDENT,
    "facility": TicketType.SERVICE_REQUEST,
    "hr": TicketType.QUESTION,
}
_ARTICLE_DATA = {
    (kind, internal, role): to_json({"kind": kind, "internal": internal, "sender_role": role})
    for kind in ArticleKind.values
    for internal in (False, True)
    for role in SenderRole.values
}


def _search_rebuild() -> Callable[[], object] | None:
    """The search index's rebuild function, where the search app provides one."""
    import importlib

    try:
        module = importlib.import_module("tresen.search.index")
    except ImportError:
        return None
    rebuild = getattr(module, "rebuild_index", None)
    return rebuild if callable(rebuild) else None
