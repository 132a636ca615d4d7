"""Factories for the core objects; each app's tests build on these."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from tresen.accounts.models import Access, Group, GroupMembership, Organisation, Role, User
from tresen.tickets.models import Category, Channel
from tresen.tickets.services import create_ticket


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.CUSTOMER
    language = "en"
    password = factory.django.Password("secret-pass-123")


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER
    email = factory.Sequence(lambda n: f"customer{n}@customer.example")


class AgentFactory(UserFactory):
    role = Role.AGENT
    email = factory.Sequence(lambda n: f"agent{n}@tresen.example")


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_superuser = True
    email = factory.Sequence(lambda n: f"admin{n}@tresen.example")


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")
    email = factory.LazyAttribute(lambda g: f"{g.name.lower().replace(' ', '-')}@helpdesk.example")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    group = factory.SubFactory(GroupFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


def add_member(group: Group, user: User, access: str = Access.FULL) -> GroupMembership:
    return GroupMembership.objects.create(group=group, user=user, access=access)


def make_ticket(*, requester: User | None = None, group: Group | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """A ticket created through the service, as every channel creates them."""
    kwargs.setdefault("title", "Printer on floor 2 is jammed")
    kwargs.setdefault("body_text", "Hello, the printer shows error E42.")
    kwargs.setdefault("channel", Channel.WEB)
    return create_ticket(
        actor=kwargs.pop("actor", None),
        requester=requester or CustomerFactory(),
        group=group or GroupFactory(),
        **kwargs,
    )
