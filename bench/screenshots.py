"""The main pages of the agent workspace as PNG in docs/screenshots/, in English and German
(then the other areas' bench/screenshots_<area>.py, so one command pictures everything).

Runs against a throwaway SQLite database filled with a small, realistic helpdesk, served on a
loopback port and photographed by Debian's Chromium at 1366x768 (a common laptop screen).
Run: `make screenshots` (or `.venv/bin/python -m bench.screenshots`).
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}


def _prepare_environment(workdir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/screens.sqlite3"
    os.environ["TRESEN_TASKS_IMMEDIATE"] = "1"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tresen.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path.insert(0, str(ROOT))


def _serve() -> str:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def _fill() -> dict[str, object]:
    """A First Level and a Second Level team, customers, and tickets in every state."""
    from tresen.tickets import services

    first, anna, ben = _team()
    people = _customers()
    tickets = _tickets(first, people, anna, ben)
    main = tickets[0]
    _conversation(main, anna)
    services.change_state(
        actor=anna,
        ticket=tickets[3],
        state="pending_reminder",
        pending_until=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1),
    )
    services.change_state(actor=anna, ticket=tickets[7], state="resolved")
    return {"anna": anna, "ben": ben, "main": main, "people": people}


def _team() -> tuple[Any, Any, Any]:
    """Two groups, two agents (Anna in both), a text module and Anna's saved view."""
    from tresen.accounts.models import Group, GroupMembership, User
    from tresen.desk.models import SavedView, TextModule

    first = Group.objects.create(
        name="First Level", signature="Kind regards\n{agent_name}\nIT Service Desk"
    )
    second = Group.objects.create(name="IT Second Level")
    anna = User.objects.create_user("anna@tresen.example", "demo-pass-123", name="Anna Berger")
    ben = User.objects.create_user("ben@tresen.example", "demo-pass-123", name="Ben Okafor")
    for agent in (anna, ben):
        agent.role = "agent"
        agent.save()
    for group in (first, second):
        GroupMembership.objects.create(group=group, user=anna)
    GroupMembership.objects.create(group=first, user=ben)
    TextModule.objects.create(
        name="Greeting",
        keyword="hello",
        body="Hello {requester_name},\n\nthank you for your message about {ticket_number}.",
    )
    SavedView.objects.create(owner=anna, name="Urgent printers", query="priority=4&tag=printer")
    return first, anna, ben


def _customers() -> list[Any]:
    from tresen.accounts.models import Organisation, PhoneNumber, User

    acme = Organisation.objects.create(name="Acme Logistics GmbH")
    people = [
        User.objects.create_user(email, name=name, organisation=acme)
        for email, name in [
            ("carla.weber@acme.example", "Carla Weber"),
            ("tom.fischer@acme.example", "Tom Fischer"),
            ("lena.schulz@acme.example", "Lena Schulz"),
            ("omar.haddad@example.org", "Omar Haddad"),
        ]
    ]
    PhoneNumber.objects.create(user=people[0], number="+4930123456")
    return people


_TITLES = [
    ("Printer on floor 2 shows error E42", 4, ["printer"], "anna"),
    ("VPN drops every 10 minutes", 3, ["vpn", "network"], "anna"),
    ("New laptop for Lena Schulz", 2, ["onboarding"], None),
    ("Outlook asks for the password again", 2, ["mail"], "anna"),
    ("Access card for the warehouse", 1, [], None),
    ("Monitor flickers after the update", 2, ["hardware"], "ben"),
    ("Shared drive S: is full", 3, ["storage"], None),
    ("Teams camera not detected", 2, [], "anna"),
]


def _tickets(first: Any, people: list[Any], anna: Any, ben: Any) -> list[Any]:
    from tresen.tickets import services
    from tresen.tickets.models import Category

    printer = Category.objects.create(group=first, name="Printer")
    owners = {"anna": anna, "ben": ben, None: None}
    return [
        services.create_ticket(
            actor=None,
            requester=people[index % len(people)],
            title=title,
            group=first,
            channel="email" if index % 3 else "phone",
            body_text=f"Hello,\n\n{title.lower()}. Could you please have a look?\n\nThanks",
            priority=priority,
            tags=tags,
            owner=owners[owner],
            category=printer if "Printer" in title else None,
        )
        for index, (title, priority, tags, owner) in enumerate(_TITLES)
    ]


def _conversation(main: Any, anna: Any) -> None:
    """An answer, an internal note and the customer's reply quoting the answer."""
    from tresen.tickets import services

    services.post_article(
        actor=anna, ticket=main, body_text="Hello Carla,\n\nwe ordered a new drum unit."
    )
    services.post_article(
        actor=anna, ticket=main, kind="note", body_text="Drum unit ordered, arrives Thursday."
    )
    quoted = "\n".join(
        [
            "Thank you, the printer works again after the restart.",
            "",
            "On Tue, 3 Feb 2026 at 09:12, Anna Berger wrote:",
            "> Hello Carla,",
            "> ",
            "> we ordered a new drum unit.",
            "> Please restart the printer once it arrives.",
        ]
    )
    services.post_article(actor=None, ticket=main, body_text=quoted, sender=main.requester)


def _cookie(user: object) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _photograph(url: str, data: dict[str, object]) -> list[Path]:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from tests.peers import CHROMIUM, CHROMIUM_ARGS
    from tresen.accounts.models import User

    anna = data["anna"]
    assert isinstance(anna, User)
    main = data["main"]
    saved: list[Path] = []
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language in ("en", "de"):
            User.objects.filter(pk=anna.pk).update(language=language)
            context = browser.new_context(viewport=VIEWPORT)
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": _cookie(anna), "url": url}]
            )
            page = context.new_page()
            shots = [
                ("overview", "/desk/?queue=open", None),
                ("ticket", main.get_absolute_url(), None),  # type: ignore[attr-defined]
                ("phone", "/desk/phone/", "caller"),
                ("search", "/desk/search/?q=printer", None),
                ("filters", "/desk/?queue=all&priority=2&priority=3", None),
            ]
            for name, path, lookup in shots:
                page.goto(url + path)
                if lookup:
                    page.locator("#caller").fill("030 123456")
                    page.locator("#callers li").first.wait_for()
                page.wait_for_timeout(400)  # the counts arrive by htmx
                target = OUT / f"desk-{name}-{language}.png"
                page.screenshot(path=str(target))
                saved.append(target)
            context.close()
        browser.close()
    return saved


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tresen-screens-") as workdir:
        _prepare_environment(workdir)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        # The demo's notifications are not the subject of these pictures.
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

        call_command("migrate", verbosity=0)
        data = _fill()
        url = _serve()
        for path in _photograph(url, data):
            print(path.relative_to(ROOT))
    _other_areas()


def _other_areas() -> None:
    """`make screenshots` photographs every area: each has a bench/screenshots_<area>.py."""
    for script in sorted(Path(__file__).parent.glob("screenshots_*.py")):
        subprocess.run([sys.executable, "-m", f"bench.{script.stem}"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
