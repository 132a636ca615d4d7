import os

import pytest

from tests.factories import AgentFactory, CustomerFactory, GroupFactory, add_member

# Playwright drives a real browser from a thread of its own; the live server is the real app.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.peers"]


@pytest.fixture
def group(db):
    return GroupFactory(name="First Level")


@pytest.fixture
def agent(group):
    person = AgentFactory(name="Anna Agent")
    add_member(group, person)
    return person


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Carl Customer")
