"""The people and groups that generated tickets refer to, and customers added in bulk."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from tresen.accounts.models import Access, GroupMembership, OrganisationDomain, Role, User
from tresen.tickets.demo import people as demo_people
from tresen.tickets.demo.phrases import TOPICS

_FIRST = {
    "de": [
        "Jonas",
        "Lea",
        "Felix",
        "Marie",
        "Paul",
        "Hannah",
        "Lukas",
        "Sophie",
        "Jan",
        "Laura",
        "Tobias",
        "Katharina",
        "Stefan",
        "Monika",
        "Jürgen",
        "Özlem",
    ],
    "en": [
        "Oliver",
        "Amelia",
        "Jack",
        "Isla",
        "Harry",
        "Ava",
        "George",
        "Emily",
        "Noah",
        "Grace",
        "Ethan",
        "Olivia",
        "Liam",
        "Chloe",
        "Mason",
        "Zoe",
    ],
}
_LAST = {
    "de": [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
        "Koch",
        "Richter",
        "Klein",
        "Wolf",
        "Krüger",
    ],
    "en": [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Patel",
        "Wright",
        "Walker",
        "Evans",
        "Thomas",
        "Roberts",
        "Green",
    ],
}
_FREE_MAIL = ["posteo.example", "web.example", "mail.example", "gmx.example"]
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ö": "Oe", "Ü": "Ue"})


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    email: str
    person: str  # as JSON in event data


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    email: str
    language: str
    organisation_id: int | None
    person: str


@dataclass
class World:
    """The people and places the generated tickets refer to."""

    groups: list[tuple[str, int, str]]  # (topic group key, group id, group name)
    weights: list[int]  # cumulative, for random.choices
    agents: dict[int, list[Agent]]
    customers: list[Customer]
    categories: dict[tuple[str, str], int]


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def person_json(pk: int, name: str) -> str:
    """A person as the services record them in event data."""
    return to_json({"id": pk, "name": name})


def load_world(rng: random.Random, *, customers: int) -> tuple[World, int]:
    """The demo's groups, agents and categories, and all customers after adding `customers`."""
    people = demo_people.load_people()
    if not people.groups:
        raise RuntimeError("The demo's groups are missing: run `tresen demo` first.")
    groups: list[tuple[str, int, str]] = []
    weights: list[int] = []
    share = {"first": 40, "it": 30, "facility": 15, "hr": 15}
    agents: dict[int, list[Agent]] = {}
    for key, group in people.groups.items():
        groups.append((key, group.pk, group.name))
        weights.append((weights[-1] if weights else 0) + share.get(key, 10))
        members = GroupMembership.objects.filter(group=group, access=Access.FULL)
        agents[group.pk] = [
            Agent(m.user.pk, m.user.name, m.user.email, person_json(m.user.pk, m.user.name))
            for m in members.select_related("user")
        ]
    categories = {}
    for topic in TOPICS:
        category = people.categories.get((topic.group, *topic.category))
        if category is not None:
            categories[(topic.group, topic.key)] = category.pk
    added = _add_customers(rng, customers)
    everyone = [
        Customer(u.pk, u.name, u.email, u.language, u.organisation_id, person_json(u.pk, u.name))
        for u in User.objects.filter(role=Role.CUSTOMER, is_active=True).only(
            "pk", "name", "email", "language", "organisation_id"
        )
    ]
    return World(groups, weights, agents, everyone, categories), added


def _add_customers(rng: random.Random, count: int) -> int:
    """Add `count` customers with unusable passwords; some belong to an organisation."""
    domains: list[tuple[str, int | None]] = list(
        OrganisationDomain.objects.values_list("domain", "organisation_id")
    )
    domains += [(d, None) for d in _FREE_MAIL]
    offset = User.objects.count()
    users = []
    for n in range(offset, offset + count):
        language = "de" if rng.random() < 0.55 else "en"
        first, last = rng.choice(_FIRST[language]), rng.choice(_LAST[language])
        domain, organisation_id = rng.choice(domains)
        local = f"{first}.{last}.{n}".translate(_ASCII).lower()
        user = User(
            email=f"{local}@{domain}",
            name=f"{first} {last}",
            role=Role.CUSTOMER,
            language=language,
            organisation_id=organisation_id,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    return count
