import pytest

from tests.factories import AgentFactory, CustomerFactory, GroupFactory, add_member


@pytest.fixture
def support(db):
    return GroupFactory(
        name="Support",
        email="support@helpdesk.example",
        sender_name="ACME Support",
        signature="ACME Support · +49 30 1234567",
    )


@pytest.fixture
def german_customer(db):
    return CustomerFactory(name="Gerda Kundin", email="gerda@kunde.example", language="de")


@pytest.fixture
def english_customer(db):
    return CustomerFactory(name="Eric Customer", email="eric@customer.example", language="en")


@pytest.fixture
def german_agent(support):
    person = AgentFactory(name="Greta Agentin", email="greta@staff.example", language="de")
    add_member(support, person)
    return person


@pytest.fixture
def english_agent(support):
    person = AgentFactory(name="Ed Agent", email="ed@staff.example", language="en")
    add_member(support, person)
    return person


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a commit would trigger (events, notifications, sending) at the end of a block.

    The tests of what is mailed run inside the test's transaction, which is much faster to
    undo than a flushed database; the tests of the outbox itself commit for real.
    """

    def block():  # type: ignore[no-untyped-def]
        return django_capture_on_commit_callbacks(execute=True)

    return block
