"""Portal accounts: sign-up confirmed by mail, sign-in links, password reset, rate limits,
profile, and that none of it tells which addresses have accounts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import AgentFactory, CustomerFactory
from tests.portal.conftest import link_in, mails, path_of, without_secrets
from tresen.accounts.models import User
from tresen.portal.models import Attempt, MailToken

pytestmark = pytest.mark.django_db

SIGNUP = {
    "name": "Dora Demo",
    "email": "Dora@Example.org",
    "password": "blue-kettle-42",
    "language": "de",
}


def test_signup_creates_nothing_until_the_mailed_link_is_confirmed(
    client, django_capture_on_commit_callbacks
):
    with mails(django_capture_on_commit_callbacks) as sent:
        page = client.post("/portal/signup/", SIGNUP)
    assert page.status_code == 200 and b"Check your mail" in page.content
    assert not User.objects.filter(email="dora@example.org").exists()
    assert len(sent) == 1 and sent[0].to == ["dora@example.org"]
    assert "Konto" in sent[0].subject  # the mail speaks the language chosen in the form
    assert "blue-kettle-42" not in str(MailToken.objects.get().payload)

    confirm = path_of(link_in(sent[0]))
    assert client.get(confirm).status_code == 200  # a scanner opening the link spends nothing
    assert not User.objects.filter(email="dora@example.org").exists()
    response = client.post(confirm)
    assert response.status_code == 302
    user = User.objects.get(email="dora@example.org")
    assert (
        user.is_active and user.is_customer and user.language == "de" and user.name == "Dora Demo"
    )
    assert user.check_password("blue-kettle-42")
    assert client.get("/portal/requests/").status_code == 200  # signed in by confirming

    client.logout()
    assert client.post(confirm).status_code == 400  # single use


def test_signup_for_an_existing_account_answers_alike_and_mails_a_hint(
    client, customer, django_capture_on_commit_callbacks
):
    data = {**SIGNUP, "email": customer.email}
    with mails(django_capture_on_commit_callbacks) as sent:
        known = client.post("/portal/signup/", data)
        unknown = client.post("/portal/signup/", {**SIGNUP, "email": "nobody@example.org"})
    assert without_secrets(known.content, customer.email) == without_secrets(
        unknown.content, "nobody@example.org"
    )
    hint = [m for m in sent if m.to == [customer.email]]
    assert len(hint) == 1 and "already have an account" in hint[0].body
    customer.refresh_from_db()
    assert customer.check_password("secret-pass-123")  # untouched


def test_customer_known_from_mail_completes_account_by_signing_up(
    client, django_capture_on_commit_callbacks
):
    from tresen.accounts.services import get_or_create_customer

    known, _ = get_or_create_customer(email="mail-only@example.org")
    assert not known.has_usable_password()
    with mails(django_capture_on_commit_callbacks) as sent:
        client.post("/portal/signup/", {**SIGNUP, "email": "mail-only@example.org"})
    client.post(path_of(link_in(sent[0])))
    known.refresh_from_db()
    assert known.check_password("blue-kettle-42")


def test_weak_password_is_refused_with_a_message(client):
    page = client.post("/portal/signup/", {**SIGNUP, "password": "password"})
    assert page.status_code == 200
    assert b"too common" in page.content
    assert not MailToken.objects.exists()


def test_password_reset_answers_alike_for_known_and_unknown_addresses(
    client, customer, django_capture_on_commit_callbacks
):
    with mails(django_capture_on_commit_callbacks) as sent:
        known = client.post("/portal/password-reset/", {"email": customer.email})
        unknown = client.post("/portal/password-reset/", {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert without_secrets(known.content, customer.email) == without_secrets(
        unknown.content, "ghost@example.org"
    )
    assert [m.to for m in sent] == [[customer.email]]

    confirm = path_of(link_in(sent[0]))
    form_page = client.get(confirm, follow=True)
    assert b"new password" in form_page.content.lower()
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else confirm,
        {"new_password1": "green-teapot-77", "new_password2": "green-teapot-77"},
    )
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("green-teapot-77")


def test_login_link_signs_in_once_and_only_before_it_expires(
    client, customer, django_capture_on_commit_callbacks
):
    with mails(django_capture_on_commit_callbacks) as sent:
        client.post("/portal/login-link/", {"email": customer.email})
        client.post("/portal/login-link/", {"email": "ghost@example.org"})
    assert [m.to for m in sent] == [[customer.email]]
    link = path_of(link_in(sent[0]))
    token = MailToken.objects.get(purpose="login")
    assert token.secret_hash not in link  # only the hash is stored, never the secret
    assert client.post(link).status_code == 302
    assert client.get("/portal/requests/").status_code == 200
    client.logout()
    assert client.post(link).status_code == 400

    with mails(django_capture_on_commit_callbacks) as sent:
        client.post("/portal/login-link/", {"email": customer.email})
    MailToken.objects.filter(used_at__isnull=True).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.post(path_of(link_in(sent[0]))).status_code == 400


def test_login_link_is_not_sent_to_agents(client, django_capture_on_commit_callbacks):
    agent = AgentFactory()
    with mails(django_capture_on_commit_callbacks) as sent:
        client.post("/portal/login-link/", {"email": agent.email})
    assert sent == []


def test_login_is_rate_limited_per_address_even_with_the_right_password(client, customer):
    for _ in range(10):
        client.post("/portal/login/", {"email": customer.email, "password": "wrong"})
    page = client.post("/portal/login/", {"email": customer.email, "password": "secret-pass-123"})
    assert b"Too many attempts" in page.content
    assert "_auth_user_id" not in client.session
    assert not Attempt.objects.filter(key__contains="@").exists()  # keys are hashes


def test_login_is_rate_limited_per_client_address(client):
    for n in range(30):
        client.post("/portal/login/", {"email": f"p{n}@example.org", "password": "x"})
    page = client.post("/portal/login/", {"email": "fresh@example.org", "password": "x"})
    assert b"Too many attempts" in page.content


def test_reset_is_rate_limited_and_says_so(client, customer, django_capture_on_commit_callbacks):
    with mails(django_capture_on_commit_callbacks) as sent:
        for _ in range(4):
            page = client.post("/portal/password-reset/", {"email": customer.email})
    assert len(sent) == 3
    assert b"Too many attempts" in page.content


def test_login_with_password_and_redirect_to_next(client, customer):
    page = client.post(
        "/portal/login/",
        {
            "email": customer.email.upper(),
            "password": "secret-pass-123",
            "next": "/portal/profile/",
        },
    )
    assert page.status_code == 302 and page["Location"] == "/portal/profile/"
    evil = client.post(
        "/portal/login/",
        {"email": customer.email, "password": "secret-pass-123", "next": "https://evil.example/"},
    )
    assert evil["Location"] == "/portal/"


def test_profile_change_of_language_switches_the_portal(client, customer):
    client.force_login(customer)
    response = client.post(
        "/portal/profile/", {"name": "Carl C.", "language": "de", "time_zone": "America/New_York"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.language, customer.time_zone) == (
        "Carl C.",
        "de",
        "America/New_York",
    )
    assert "Meine Anfragen" in client.get("/portal/requests/").content.decode()


def test_signed_out_visitor_sees_the_browser_language(client):
    page = client.get("/portal/login/", headers={"accept-language": "de-DE,de;q=0.9"})
    assert "Anmelden" in page.content.decode()
    assert 'lang="de"' in page.content.decode()


def test_other_customer_cannot_be_made_by_another_persons_signup(
    client, django_capture_on_commit_callbacks
):
    with mails(django_capture_on_commit_callbacks):
        client.post("/portal/signup/", SIGNUP)
    assert CustomerFactory._meta.model.objects.filter(email="dora@example.org").count() == 0


def test_account_mails_go_out_in_the_recipients_language(
    client, django_capture_on_commit_callbacks
):
    german = CustomerFactory(language="de")
    with mails(django_capture_on_commit_callbacks) as sent:
        client.post("/portal/login-link/", {"email": german.email})
        client.post("/portal/password-reset/", {"email": german.email})
    subjects = sorted(m.subject for m in sent)
    assert subjects == ["Ihr Anmeldelink", "Neues Passwort wählen"]
    assert all(m.body.startswith("Hallo,") for m in sent)


def test_signing_out_returns_to_the_portal(customer_client):
    page = customer_client.get("/portal/requests/").content.decode()
    assert '<input type="hidden" name="next" value="/portal/">' in page
    response = customer_client.post("/logout/", {"next": "/portal/"})
    assert response["Location"] == "/portal/"
    assert customer_client.get("/portal/requests/")["Location"].startswith("/portal/login/")
