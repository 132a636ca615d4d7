"""What each database makes of German and English words.

PostgreSQL stems every document and query twice, with the German and the English Snowball
stemmer, so inflected forms of either language meet. SQLite has the Porter (English) stemmer
over unicode61 with diacritics removed, plus prefix matching of the last word typed.
"""

from __future__ import annotations

import pytest

from tests.search.conftest import postgres_only, sqlite_only
from tresen.search import search_tickets

pytestmark = pytest.mark.django_db


def found(agent, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {hit.ticket.title for hit in search_tickets(agent, query)}


@pytest.fixture
def corpus(indexed_ticket):  # type: ignore[no-untyped-def]
    texts = {
        "Druckerproblem": "Das Papierfach des Druckers klemmt.",
        "Druckauftrag": "Der Kopierer druckt nur leere Seiten.",
        "Buchhaltung": "Die Rechnungen vom März fehlen, zwei Anträge liegen noch.",
        "Adresse": "Bitte die Lieferung an die Hauptstraße 5 schicken, z. Hd. Frau Müller.",
        "Printing": "All printers on floor 2 refuse connections since Monday.",
        "Café": "The café order form crashes.",
    }
    for title, body in texts.items():
        indexed_ticket(title=title, body_text=body, article_fields={"subject": ""})


@postgres_only
def test_german_noun_finds_its_inflected_forms(agent, corpus):
    assert found(agent, "Drucker") == {"Druckerproblem"}  # "des Druckers"
    assert found(agent, "Rechnung") == {"Buchhaltung"}  # "Rechnungen"
    assert found(agent, "Antrag") == {"Buchhaltung"}  # "Anträge": umlaut and plural


@postgres_only
def test_german_stemmer_keeps_verb_and_noun_apart(agent, corpus):
    # Snowball German reduces "Drucker" to "druck" but leaves "druckt" as it is.
    assert "Druckauftrag" not in found(agent, "Drucker")
    assert found(agent, "druckt") == {"Druckauftrag"}


@postgres_only
def test_sharp_s_and_ss_are_one_letter_for_german(agent, corpus):
    assert found(agent, "Hauptstrasse") == {"Adresse"}


@postgres_only
def test_english_plural_and_derived_forms_find_each_other(agent, corpus):
    assert found(agent, "printer") == {"Printing"}
    assert found(agent, "connection refused") == {"Printing"}  # "refuse connections"


@postgres_only
def test_snippet_marks_the_inflected_word(agent, corpus):
    [hit] = search_tickets(agent, "Rechnung")
    assert "<mark>Rechnungen</mark>" in hit.snippet


@sqlite_only
def test_diacritics_are_ignored_on_sqlite(agent, corpus):
    assert found(agent, "Muller") == {"Adresse"}
    assert found(agent, "cafe") == {"Café"}
    assert found(agent, "MÜLLER") == {"Adresse"}


@sqlite_only
def test_english_plural_finds_singular_on_sqlite(agent, corpus):
    assert found(agent, "printer floor") == {"Printing"}
    assert found(agent, "connection refused") == {"Printing"}


@sqlite_only
def test_last_word_matches_as_prefix_on_sqlite(agent, corpus):
    assert found(agent, "Papierf") == {"Druckerproblem"}
    assert found(agent, "Rechnung") == {"Buchhaltung"}  # by prefix; German is not stemmed
    assert found(agent, '"Papierf"') == set()  # a quoted word is a whole word


@sqlite_only
def test_snippet_marks_the_word_without_its_accent_on_sqlite(agent, corpus):
    [hit] = search_tickets(agent, "cafe")
    assert "<mark>café</mark>" in hit.snippet.lower()
