"""/readyz, the plain 503 page with the database gone, and language/time zone per person."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import CustomerFactory
from tresen.core.middleware import UserLanguageActivationMiddleware

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


def test_readyz_is_ok_with_the_database_up(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "down": [], "checks": {"database": "ok"}}


def test_readyz_names_redis_when_it_is_down(client, db, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"] and body["checks"]["database"] == "ok"


@pytest.mark.peer
def test_readyz_is_ok_with_the_real_redis(client, db, settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = url
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["redis"] == "ok"


# With the database unreachable: a process of its own, pointed at a port where nothing listens.
_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
ready = client.get("/readyz")
client.cookies["sessionid"] = "abc"
page = client.get("/portal/", headers={"accept-language": "de"})
print(json.dumps({
    "ready_status": ready.status_code, "ready": ready.json(),
    "page_status": page.status_code, "retry_after": page.get("Retry-After"),
    "page": page.content.decode(),
}))
"""


@pytest.mark.peer
def test_unreachable_database_gives_503_naming_it_and_a_plain_page(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tresen.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_closed_port()}/tresen",
        "TRESEN_VAR_DIR": str(tmp_path),
        "TRESEN_TESTING": "0",
        "REDIS_URL": "",
        "DEBUG": "0",
        "LOG_LEVEL": "CRITICAL",
    }
    env.pop("TRESEN_TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["ready_status"] == 503
    assert outcome["ready"]["down"] == ["database"]
    assert outcome["page_status"] == 503 and outcome["retry_after"] == "30"
    assert "Vorübergehend nicht erreichbar" in outcome["page"]
    assert "Traceback" not in outcome["page"]


# Language and time zone ------------------------------------------------------------------------


def test_login_page_follows_the_browsers_language(client, db):
    german = client.get(reverse("login"), headers={"accept-language": "de-DE,de;q=0.9"})
    english = client.get(reverse("login"), headers={"accept-language": "en-GB"})
    assert german["Content-Language"] == "de" and english["Content-Language"] == "en"
    assert b'lang="de"' in german.content and b'lang="en"' in english.content
    assert "Melden Sie sich bei Ihrem Helpdesk an." in german.content.decode()
    assert b"Sign in to your helpdesk." in english.content


def test_domain_errors_speak_the_active_language(db):
    from tresen.core.errors import NotFound, StaleObject

    with translation.override("de"):
        assert str(NotFound().message) == "Nicht gefunden."
        assert str(StaleObject().message).startswith("Jemand anderes hat dieses Ticket")


def test_a_signed_in_persons_language_and_time_zone_win(db):
    person = CustomerFactory(language="de", time_zone="America/New_York")
    seen = {}

    def view(request):
        seen["language"] = translation.get_language()
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers={"accept-language": "en"})
    request.user = person
    translation.activate("en")
    response = UserLanguageActivationMiddleware(view)(request)

    assert seen == {"language": "de", "zone": "America/New_York"}
    assert response["Content-Language"] == "de"
    # The zone does not leak into the next request served by this thread.
    assert timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
    translation.activate("en")
