"""The portal's own mails (confirm sign-up, sign-in link, password reset, confirm request),
rendered in the recipient's language and handed to the outgoing mail in one place."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def render_mail(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """Return (subject, text) of `portal/mail/<template>` in `language`."""
    with translation.override(language):
        full = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"portal/mail/{template}_subject.txt", full)
        text = render_to_string(f"portal/mail/{template}.txt", full)
    return " ".join(subject.split()), text


def send_portal_mail(*, to: str, template: str, context: dict[str, Any], language: str) -> None:
    """Queue one portal mail to `to`; it leaves only if the surrounding transaction commits.

    Not `automatic`: each of these mails is the direct answer to something the person just
    did on the page and must reach them even if their mailbox answers with an away notice.
    """
    subject, text = render_mail(template, context, language)
    try:
        from tresen.notifications.outbox import queue_mail
    except ImportError:  # a deployment without the outbox: send directly after commit
        transaction.on_commit(lambda: send_mail(subject, text, None, [to]))
        return
    queue_mail(to=[to], subject=subject, text=text, language=language, automatic=False)
