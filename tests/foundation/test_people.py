"""People: sign-in by e-mail, customers found or created by address, phone numbers, admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError as ModelValidationError
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import AdminFactory, AgentFactory, CustomerFactory, GroupFactory
from tresen.accounts.models import (
    GroupMembership,
    Organisation,
    OrganisationDomain,
    PhoneNumber,
    Role,
    User,
)
from tresen.accounts.services import find_people_by_phone, get_or_create_customer
from tresen.core.errors import ValidationError
from tresen.core.phone import normalise_phone

PASSWORD = "secret-pass-123"


# Sign-in ---------------------------------------------------------------------------------------


def test_sign_in_ignores_the_case_of_the_address(client, db):
    CustomerFactory(email="Rita.Requester@Example.COM")
    assert User.objects.filter(email="rita.requester@example.com").exists()
    assert client.login(username="RITA.requester@example.com ", password=PASSWORD)


def test_sign_in_form_accepts_any_case_and_refuses_wrong_password_alike(client, db):
    CustomerFactory(email="carl@example.com")
    wrong = client.post(reverse("login"), {"username": "carl@example.com", "password": "nope"})
    unknown = client.post(reverse("login"), {"username": "nobody@example.com", "password": "x"})
    assert wrong.status_code == unknown.status_code == 200
    assert b"E-mail address or password is wrong." in wrong.content
    assert b"E-mail address or password is wrong." in unknown.content
    ok = client.post(reverse("login"), {"username": "CARL@example.com", "password": PASSWORD})
    assert ok.status_code == 302


def test_inactive_people_cannot_sign_in(client, db):
    CustomerFactory(email="gone@example.com", is_active=False)
    assert not client.login(username="gone@example.com", password=PASSWORD)


def test_an_address_cannot_be_registered_twice_in_another_case(db):
    CustomerFactory(email="dup@example.com")
    with pytest.raises(Exception):
        User.objects.create(email="DUP@example.com", role=Role.CUSTOMER)


# Customers by address --------------------------------------------------------------------------


def test_new_customer_joins_the_organisation_of_their_mail_domain(db):
    acme = Organisation.objects.create(name="ACME")
    OrganisationDomain.objects.create(organisation=acme, domain="@ACME.example ")

    person, created = get_or_create_customer(
        email="Max@Acme.Example", name=" Max ", language="de", phone="030 1234567"
    )

    assert created and person.email == "max@acme.example" and person.name == "Max"
    assert person.organisation == acme and person.role == Role.CUSTOMER
    assert person.language == "de"
    assert list(person.phone_numbers.values_list("number", flat=True)) == ["+49301234567"]
    again, created_again = get_or_create_customer(email="MAX@acme.example")
    assert again == person and not created_again


def test_unknown_domain_means_no_organisation(db):
    person, _ = get_or_create_customer(email="solo@freemail.example")
    assert person.organisation is None


@pytest.mark.parametrize("address", ["helpdesk@tresen.localhost", "IT@helpdesk.example"])
def test_our_own_addresses_never_become_customers(db, settings, address):
    settings.DEFAULT_FROM_EMAIL = "helpdesk@tresen.localhost"
    GroupFactory(name="IT", email="it@helpdesk.example")
    with pytest.raises(ValidationError):
        get_or_create_customer(email=address)
    assert not User.objects.exists()


@pytest.mark.parametrize("address", ["", "no-at-sign", "@example.com", "someone@"])
def test_malformed_addresses_are_refused(db, address):
    with pytest.raises(ValidationError):
        get_or_create_customer(email=address)


# Phone numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["030 1234567", "+49 (30) 123 45 67", "0049-30-1234567", "+49301234567"]
)
def test_phone_numbers_are_stored_and_found_in_e164(db, spelling):
    person = CustomerFactory()
    PhoneNumber.objects.create(user=person, number=spelling)
    assert person.phone_numbers.get().number == "+49301234567"
    assert find_people_by_phone("0301234567") == [person]


@pytest.mark.parametrize("raw", ["", "hello", "1", "+999 12"])
def test_no_phone_number_is_refused(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_phone_number_form_validation_reports_the_field(db):
    number = PhoneNumber(user=CustomerFactory(), number="not a number")
    with pytest.raises(ModelValidationError) as caught:
        number.full_clean()
    assert "number" in caught.value.message_dict


# People's settings -----------------------------------------------------------------------------


def test_unknown_time_zone_is_refused(db):
    person = CustomerFactory()
    person.time_zone = "Mars/Olympus"
    with pytest.raises(ModelValidationError):
        person.full_clean()


def test_only_agents_join_groups(db):
    membership = GroupMembership(group=GroupFactory(), user=CustomerFactory())
    with pytest.raises(ModelValidationError):
        membership.clean()


def test_roles_decide_what_a_person_is(db):
    admin_user, agent, customer = AdminFactory(), AgentFactory(), CustomerFactory()
    assert (admin_user.is_admin, admin_user.is_agent, admin_user.is_staff) == (True, True, True)
    assert (agent.is_agent, agent.is_staff, agent.is_customer) == (True, False, False)
    assert (customer.is_customer, customer.is_agent, customer.is_staff) == (True, False, False)


# The Django admin ------------------------------------------------------------------------------


def _admin_pages(user=None) -> list[tuple[str, int]]:
    """Every admin page with the status it should answer an administrator.

    An add page answers 403 only where the model's admin closes it on purpose (the single
    numbering row, rows that only the system writes).
    """
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [(reverse("admin:index"), 200)]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        pages.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), 200))
        addable = user is None or model_admin.has_add_permission(request)
        pages.append(
            (reverse(f"admin:{meta.app_label}_{meta.model_name}_add"), 200 if addable else 403)
        )
    return pages


@pytest.fixture
def role_admin(db):
    # An administrator by role only: not a Django superuser.
    return AdminFactory(is_superuser=False)


@pytest.fixture
def admin_client_for_role(client, role_admin):
    client.force_login(role_admin)
    return client


def test_an_administrator_by_role_can_use_every_admin_page(admin_client_for_role, role_admin):
    assert role_admin.has_perm("tickets.change_category")
    assert role_admin.has_module_perms("tickets")
    for page, status in _admin_pages(role_admin):
        assert admin_client_for_role.get(page).status_code == status, page


@pytest.mark.parametrize("make", [AgentFactory, CustomerFactory])
def test_agents_and_customers_get_no_admin_page(client, db, make):
    person = make()
    assert not person.has_perm("accounts.change_user") and not person.has_module_perms("accounts")
    client.force_login(person)
    for page, _status in _admin_pages()[:5]:
        response = client.get(page)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_creates_an_organisation_with_its_domains(admin_client_for_role):
    response = admin_client_for_role.post(
        reverse("admin:accounts_organisation_add"),
        {
            "name": "Beispiel GmbH",
            "shared_tickets": "on",
            "note": "",
            "created_at_0": "2026-01-01",
            "created_at_1": "10:00:00",
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "0",
            "domains-MIN_NUM_FORMS": "0",
            "domains-MAX_NUM_FORMS": "1000",
            "domains-0-domain": "Beispiel.DE",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(name="Beispiel GmbH")
    assert organisation.shared_tickets
    assert list(organisation.domains.values_list("domain", flat=True)) == ["beispiel.de"]


def test_admin_changes_a_person_with_phone_numbers(admin_client_for_role):
    person = CustomerFactory(email="ina@example.com", name="Ina")
    page = reverse("admin:accounts_user_change", args=[person.pk])
    assert admin_client_for_role.get(page).status_code == 200
    response = admin_client_for_role.post(
        page,
        {
            "email": "Ina@Example.com",
            "name": "Ina Neu",
            "language": "de",
            "time_zone": "Europe/Vienna",
            "organisation": "",
            "note": "",
            "role": "customer",
            "is_active": "on",
            "email_undeliverable_at": "",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "phone_numbers-TOTAL_FORMS": "1",
            "phone_numbers-INITIAL_FORMS": "0",
            "phone_numbers-MIN_NUM_FORMS": "0",
            "phone_numbers-MAX_NUM_FORMS": "1000",
            "phone_numbers-0-number": "0171 2345678",
            "phone_numbers-0-kind": "mobile",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.email, person.name, person.language) == ("ina@example.com", "Ina Neu", "de")
    assert person.phone_numbers.get().number == "+491712345678"


def test_admin_adds_an_agent_to_a_group_with_read_access(admin_client_for_role):
    agent = AgentFactory()
    response = admin_client_for_role.post(
        reverse("admin:accounts_group_add"),
        {
            "name": "Facility",
            "email": "facility@helpdesk.example",
            "sender_name": "Facility",
            "signature": "Your facility team",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": str(agent.pk),
            "memberships-0-access": "read",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = GroupMembership.objects.get(group__name="Facility")
    assert (membership.user, membership.access) == (agent, "read")


@pytest.mark.parametrize(("given", "stored"), [("de-AT", "de"), ("EN", "en"), ("fr", "en")])
def test_new_customers_language_is_one_tresen_speaks(db, given, stored):
    person, _ = get_or_create_customer(email=f"{given}@example.com", language=given)
    assert person.language == stored


def test_address_the_model_refuses_is_a_domain_error_not_a_crash(db):
    with pytest.raises(ValidationError):
        get_or_create_customer(email="two@@example.com")
    assert not User.objects.exists()


def test_createsuperuser_makes_an_administrator_by_role(db, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-pass-42")
    call_command("createsuperuser", interactive=False, email="Boss@Example.com", verbosity=0)
    boss = User.objects.get(email="boss@example.com")
    assert boss.role == Role.ADMIN and boss.is_staff and boss.has_perm("accounts.add_user")
    assert boss.check_password("a-long-admin-pass-42")


def test_admin_creates_an_agent_who_can_sign_in(admin_client_for_role, client):
    response = admin_client_for_role.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Agent@Tresen.example",
            "name": "New Agent",
            "role": "agent",
            "language": "de",
            "password1": "a-very-long-pass-77",
            "password2": "a-very-long-pass-77",
            "usable_password": "true",
            "phone_numbers-TOTAL_FORMS": "1",
            "phone_numbers-INITIAL_FORMS": "0",
            "phone_numbers-MIN_NUM_FORMS": "0",
            "phone_numbers-MAX_NUM_FORMS": "1000",
            "phone_numbers-0-number": "+41 44 668 18 00",
            "phone_numbers-0-kind": "office",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agent = User.objects.get(email="new.agent@tresen.example")
    assert (agent.role, agent.language, agent.is_staff) == ("agent", "de", False)
    assert agent.phone_numbers.get().number == "+41446681800"
    assert client.login(username="NEW.AGENT@tresen.example", password="a-very-long-pass-77")
