"""Every notification exists in German and English and is rendered in the language asked for."""

from __future__ import annotations

import pytest

from tresen.notifications.rendering import render_mail

CONTEXT = {
    "name": "Gerda",
    "number": "T10023",
    "title": "VPN <bricht> ab",
    "group": "Support",
    "requester": "Carl",
    "actor": "Ed",
    "url": "https://helpdesk.example/t/T10023/",
    "signature": "ACME Support",
    "excerpt": "Es geht nicht.",
    "body_text": "Bitte neu starten.",
    "body_html": "<p>Bitte neu starten.</p>",
    "rating_good": "https://helpdesk.example/rate/x/good/",
    "rating_bad": "https://helpdesk.example/rate/x/bad/",
    "state": "gelöst",
}

# A phrase of each mail's German subject, and of its German text.
GERMAN = {
    "customer_receipt": ("Wir haben Ihre Anfrage T10023 erhalten", "Vielen Dank"),
    "customer_reply": ("AW: VPN <bricht> ab", "Bitte neu starten."),
    "customer_resolved": ("Ihre Anfrage T10023 wurde gelöst", "antworten Sie einfach"),
    "agent_new_ticket": ("Neues Ticket in Support", "ist das neue Ticket T10023 eingegangen"),
    "agent_assigned": ("wurde Ihnen zugewiesen", "Ed hat Ihnen das Ticket T10023 zugewiesen."),
    "agent_customer_replied": ("Carl hat auf Ticket T10023 geantwortet", "Es geht nicht."),
    "agent_watched_update": ("Änderung an Ticket T10023", "auf „gelöst“ gesetzt"),
}


@pytest.mark.parametrize("template", sorted(GERMAN))
def test_every_notification_renders_in_german(template):
    subject_phrase, text_phrase = GERMAN[template]
    german = render_mail(template, CONTEXT, "de")
    english = render_mail(template, CONTEXT, "en")

    assert subject_phrase in german.subject
    assert text_phrase in german.text
    assert german.subject != english.subject
    assert 'lang="de"' in german.html
    assert "Hello" not in german.text


def test_text_is_not_escaped_but_html_is():
    rendered = render_mail("customer_receipt", CONTEXT, "en")

    assert "VPN <bricht> ab" in rendered.text
    assert "VPN &lt;bricht&gt; ab" in rendered.html
    assert "\n-- \nACME Support" in rendered.text
