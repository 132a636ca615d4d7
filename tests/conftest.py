import pytest

from tests.factories import AgentFactory, CustomerFactory, GroupFactory, add_member


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
