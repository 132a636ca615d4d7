"""Screenshots of the customer portal in English and German, desktop and phone.

    .venv/bin/python -m bench.screenshots_portal

Builds a throwaway demo database in a temporary folder, serves it on a free loopback port,
and has Debian's Chromium photograph each portal page into docs/screenshots/portal-*.png.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VAR = Path(tempfile.mkdtemp(prefix="tresen-portal-shots-"))
os.environ.update(
    {
        "TRESEN_VAR_DIR": str(VAR),
        "TRESEN_TASKS_IMMEDIATE": "1",
        "DJANGO_SETTINGS_MODULE": "tresen.settings",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "screenshots-only-not-secret",
        # Playwright's sync API runs an event loop in this thread; the ORM calls are plain.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("EMAIL_HOST", None)

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
PASSWORD = "screenshot-pass-1"
PDF = b"%PDF-1.4 demo"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _demo_data() -> dict[str, str]:
    """A group, a form with a custom field, articles and a customer with three requests."""
    from tresen.accounts.models import Group, GroupMembership, Role, User
    from tresen.feedback.links import rating_urls

    group = Group.objects.create(name="IT Service Desk", email="it@helpdesk.example")
    agent = User.objects.create_user("anna@helpdesk.example", name="Anna Agent", role=Role.AGENT)
    GroupMembership.objects.create(group=group, user=agent)
    carl = User.objects.create_user("carl@customer.example", PASSWORD, name="Carl Customer")
    form = _forms(group)
    _answers()
    open_one, solved = _requests(group, agent, carl)
    return {
        "open": open_one.number,
        "solved": solved.number,
        "form": str(form.pk),
        "rate": rating_urls(solved)["good"],
    }


def _forms(group: Any) -> Any:
    """A public form with a device field, and one for signed-in customers only."""
    from tresen.portal.models import RequestForm
    from tresen.tickets.models import CustomField, FieldKind

    device = CustomField.objects.create(
        group=group,
        key="device",
        label_en="Device",
        label_de="Gerät",
        kind=FieldKind.SELECT,
        options=["Laptop", "Printer", "Phone"],
        visible_to_customer=True,
    )
    form = RequestForm.objects.create(
        name_en="IT problem",
        name_de="IT-Problem",
        description_en="Something on your computer, phone or printer does not work.",
        description_de="Etwas an Computer, Telefon oder Drucker funktioniert nicht.",
        group=group,
        is_public=True,
    )
    form.fields.add(device)
    RequestForm.objects.create(
        name_en="Access request",
        name_de="Zugang beantragen",
        description_en="Ask for access to a system or a shared folder.",
        description_de="Zugang zu einem System oder einem Ordner beantragen.",
        group=group,
    )
    return form


_ANSWERS = [
    ("en", "Printer shows a paper jam", "printer-paper-jam", "Open tray 2, pull the sheet."),
    ("en", "Printer prints blank pages", "printer-blank", "Replace the toner cartridge."),
    ("en", "Reset your VPN password", "vpn-password", "Use the self-service page."),
    ("de", "Drucker meldet Papierstau", "drucker-papierstau", "Fach 2 öffnen, Blatt ziehen."),
    ("de", "Drucker druckt leere Seiten", "drucker-leer", "Tonerkartusche tauschen."),
    ("de", "VPN-Passwort zurücksetzen", "vpn-passwort", "Die Self-Service-Seite nutzen."),
]


def _answers() -> None:
    from tresen.knowledge.models import Answer

    for language, title, slug, body in _ANSWERS:
        Answer.objects.create(
            title=title,
            slug=slug,
            language=language,
            summary=body,
            body_html=f"<p>{body}</p><ol><li>…</li></ol>",
            is_published=True,
        )


def _requests(group: Any, agent: Any, carl: Any) -> tuple[Any, Any]:
    """Carl's three requests: one answered and open, one resolved, one new."""
    from tresen.tickets.services import NewFile, change_state, create_ticket, post_article
    from tresen.tickets.states import State

    open_one = create_ticket(
        actor=carl,
        requester=carl,
        title="Laptop does not start after update",
        group=group,
        channel="web",
        body_text="Since this morning's update the laptop stops at the logo.",
        custom_fields={"device": "Laptop"},
        attachments=[NewFile("screen-photo.pdf", PDF)],
    )
    post_article(actor=agent, ticket=open_one, body_text="Note: known issue KB-12", kind="note")
    post_article(
        actor=agent,
        ticket=open_one,
        body_text="Please hold the power button for 10 seconds, then start again.",
    )
    post_article(actor=carl, ticket=open_one, body_text="Done, it starts again. Thank you!")
    solved = create_ticket(
        actor=carl,
        requester=carl,
        title="New monitor for desk 3.14",
        group=group,
        channel="web",
        body_text="My monitor flickers.",
    )
    post_article(actor=agent, ticket=solved, body_text="A new monitor is on your desk.")
    change_state(actor=agent, ticket=solved, state=State.RESOLVED)
    create_ticket(
        actor=carl,
        requester=carl,
        title="Access to the finance share",
        group=group,
        channel="web",
        body_text="I need read access to \\\\files\\finance.",
    )
    return open_one, solved


def _serve(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tresen", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the demo server did not start")


def _shoot(page, url: str, name: str, *, ready: str | None = None, full: bool = True) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    if ready:
        page.locator(ready).first.wait_for()
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print(f"docs/screenshots/{name}.png")


def _pages(browser, base: str, demo: dict[str, str], language: str, viewport: dict) -> None:  # type: ignore[no-untyped-def]
    from tresen.accounts.models import User

    suffix = f"{language}-phone" if viewport is PHONE else language
    locale = "de-DE" if language == "de" else "en-GB"
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    _shoot(page, f"{base}/portal/", f"portal-welcome-{suffix}")
    _shoot(page, f"{base}/portal/login/", f"portal-login-{suffix}")
    if viewport is DESKTOP:
        _shoot(page, f"{base}/portal/signup/", f"portal-signup-{suffix}")
        _shoot(page, f"{base}/portal/embed/{demo['form']}/", f"portal-embed-{suffix}")
    _shoot(page, demo["rate"], f"portal-rate-{suffix}", ready=".saved")

    User.objects.filter(email="carl@customer.example").update(language=language)
    page.goto(f"{base}/portal/login/")
    page.fill("#id_email", "carl@customer.example")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/requests/")
    _shoot(page, f"{base}/portal/requests/?status=all", f"portal-requests-{suffix}")
    _shoot(page, f"{base}/portal/requests/{demo['open']}/", f"portal-request-{suffix}")
    if viewport is DESKTOP:
        _shoot(page, f"{base}/portal/requests/{demo['solved']}/", f"portal-solved-{suffix}")
        _shoot(page, f"{base}/portal/new/", f"portal-choose-form-{suffix}")
        _shoot(page, f"{base}/portal/help/", f"portal-knowledge-{suffix}")
        _shoot(page, f"{base}/portal/profile/", f"portal-profile-{suffix}")
    page.goto(f"{base}/portal/new/{demo['form']}/")
    page.locator("#id_title").fill("Drucker Papierstau" if language == "de" else "Printer jam")
    page.locator(".suggestion-list").wait_for()
    page.locator(".suggestion-list summary").first.click()
    page.locator(".solved-form").wait_for()
    page.screenshot(path=str(OUT / f"portal-new-request-{suffix}.png"), full_page=True)
    print(f"docs/screenshots/portal-new-request-{suffix}.png")
    context.close()


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The demo's notification mails go nowhere instead of onto the console.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    from playwright.sync_api import sync_playwright

    call_command("migrate", verbosity=0)
    port = _free_port()
    settings.SITE_URL = f"http://127.0.0.1:{port}"  # the rating link in the demo points here
    demo = _demo_data()
    OUT.mkdir(parents=True, exist_ok=True)
    server = _serve(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            for language in ("en", "de"):
                for viewport in (DESKTOP, PHONE):
                    _pages(browser, f"http://127.0.0.1:{port}", demo, language, viewport)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
