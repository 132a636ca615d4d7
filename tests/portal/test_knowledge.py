"""The minimal knowledge base: suggestions while typing, reading, and requests it solved."""

from __future__ import annotations

import pytest

from tresen.knowledge.models import Answer, Deflection
from tresen.knowledge.selectors import suggest_answers

pytestmark = pytest.mark.django_db


def test_suggestions_match_words_of_the_subject_in_the_readers_language(printer_answer):
    Answer.objects.create(
        title="Drucker meldet Papierstau",
        slug="papierstau",
        language="de",
        body_html="<p>Fach 2</p>",
        is_published=True,
    )
    Answer.objects.create(
        title="Printer draft", slug="draft", language="en", body_html="x", is_published=False
    )
    assert suggest_answers("My printer has a jam", "en") == [printer_answer]
    assert [a.slug for a in suggest_answers("Drucker Papierstau", "de")] == ["papierstau"]
    assert suggest_answers("the and is", "en") == []


def test_stored_article_text_is_sanitised(printer_answer):
    assert "<script>" not in printer_answer.body_html and "slowly" in printer_answer.body_html


def test_suggestion_fragment_for_the_subject_field(client, printer_answer):
    fragment = client.get(
        "/portal/help/suggestions/?title=printer+jam", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert b"Printer shows a paper jam" in fragment.content and b"<html" not in fragment.content
    assert b"?from=form" in fragment.content


def test_solved_button_counts_a_request_solved_by_the_article(
    customer_client, customer, printer_answer
):
    opened = customer_client.get(
        "/portal/help/printer-paper-jam/?from=form", headers={"HX-Request": "true"}
    )
    assert b"This solved my problem" in opened.content
    customer_client.post("/portal/help/printer-paper-jam/solved/")
    deflection = Deflection.objects.get()
    assert (deflection.answer, deflection.user, deflection.how) == (
        printer_answer,
        customer,
        "solved_button",
    )
    printer_answer.refresh_from_db()
    assert (printer_answer.view_count, printer_answer.solved_count) == (1, 1)
    customer_client.post("/portal/help/left-form/")  # already counted: leaving adds nothing
    assert Deflection.objects.count() == 1


def test_leaving_the_form_after_reading_counts_but_leaving_unread_does_not(client, printer_answer):
    client.post("/portal/help/left-form/")
    assert not Deflection.objects.exists()
    client.get("/portal/help/printer-paper-jam/?from=form", headers={"HX-Request": "true"})
    assert client.post("/portal/help/left-form/").status_code == 204
    assert Deflection.objects.get().how == "left_after_reading"


def test_sending_the_request_after_reading_is_not_counted_as_solved(
    customer_client, request_form, printer_answer
):
    customer_client.get("/portal/help/printer-paper-jam/?from=form", headers={"HX-Request": "true"})
    customer_client.post(
        f"/portal/new/{request_form.pk}/", {"title": "Printer jam", "body": "Did not help"}
    )
    customer_client.post("/portal/help/left-form/")
    assert not Deflection.objects.exists()


def test_unpublished_and_other_language_articles_are_not_found(client, printer_answer):
    assert client.get("/portal/help/printer-paper-jam/").status_code == 200
    assert (
        client.get("/portal/help/printer-paper-jam/", headers={"accept-language": "de"}).status_code
        == 404
    )
    printer_answer.is_published = False
    printer_answer.save()
    assert client.get("/portal/help/printer-paper-jam/").status_code == 404


def test_solved_button_counts_only_once_and_only_after_opening_from_the_form(
    client, printer_answer
):
    client.post("/portal/help/printer-paper-jam/solved/")
    assert not Deflection.objects.exists()
    client.get("/portal/help/printer-paper-jam/?from=form", headers={"HX-Request": "true"})
    client.post("/portal/help/printer-paper-jam/solved/")
    client.post("/portal/help/printer-paper-jam/solved/")
    assert Deflection.objects.count() == 1
