"""Notification texts rendered from templates in the recipient's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tresen.notifications.composition import header_text
from tresen.tickets.models import Ticket

_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def language_of(person: Any) -> str:
    """Return the person's language if Tresen speaks it, else the default language."""
    code = (getattr(person, "language", "") or "").split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_mail(template: str, context: dict[str, Any], language: str) -> RenderedMail:
    """Render `notifications/<template>/{subject.txt,body.txt,body.html}` in `language`."""
    with translation.override(language):
        subject = render_to_string(f"notifications/{template}/subject.txt", context)
        text = render_to_string(f"notifications/{template}/body.txt", context)
        html = render_to_string(f"notifications/{template}/body.html", context)
    # Template tags leave blank lines behind; keep one between paragraphs. The signature
    # separator "-- " keeps its trailing space, so lines are not stripped.
    body = _BLANK_RUNS.sub("\n\n", text.replace("\r\n", "\n")).strip("\n") + "\n"
    return RenderedMail(header_text(subject), body, html)


def desk_url(ticket: Ticket) -> str:
    """The agent's link to a ticket."""
    return settings.SITE_URL + reverse("desk:ticket", kwargs={"number": ticket.number})


def portal_url(ticket: Ticket) -> str:
    """The customer's link to a ticket in the portal (the portal's start page until it has one)."""
    try:
        path = reverse("portal:ticket", kwargs={"number": ticket.number})
    except NoReverseMatch:
        path = reverse("portal:home")
    return settings.SITE_URL + path
