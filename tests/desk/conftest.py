import pytest

from tests.factories import AgentFactory, GroupFactory, add_member


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def second_level(db):
    return GroupFactory(name="IT Second Level")


@pytest.fixture
def reader(group):
    """An agent with read access only to the First Level group."""
    person = AgentFactory(name="Rita Reader")
    add_member(group, person, access="read")
    return person
