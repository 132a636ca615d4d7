"""The site sign-in page is rate-limited like the portal's (PROMISES 20)."""

from tests.factories import AgentFactory


def test_site_login_refuses_after_too_many_attempts_even_with_the_right_password(client, db):
    agent = AgentFactory(email="anna@tresen.example")
    for _ in range(10):
        response = client.post("/login/", {"username": agent.email, "password": "wrong"})
        assert response.status_code == 200
        assert "E-mail address or password is wrong." in response.content.decode()
    response = client.post("/login/", {"username": agent.email, "password": "secret-pass-123"})
    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_site_login_answers_alike_for_unknown_addresses(client, db):
    AgentFactory(email="anna@tresen.example")
    known = client.post("/login/", {"username": "anna@tresen.example", "password": "x"})
    unknown = client.post("/login/", {"username": "nobody@tresen.example", "password": "x"})
    assert known.status_code == unknown.status_code == 200
    alert = '<p class="error" role="alert">E-mail address or password is wrong.</p>'
    assert alert in known.content.decode()
    assert alert in unknown.content.decode()


def test_site_login_signs_in_an_agent(client, db):
    agent = AgentFactory(email="anna@tresen.example")
    response = client.post(
        "/login/", {"username": "ANNA@tresen.example", "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
