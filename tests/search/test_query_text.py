"""The pure parts: what people type as FTS5 queries, and snippets as safe HTML."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tresen.search.fts5_query import to_fts5
from tresen.search.snippets import START, STOP, snippet_html


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(body, "
        "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
    )
    db.executemany(
        "INSERT INTO t (body) VALUES (?)",
        [("the printer is jammed",), ("Drucker klemmt, bitte Müller anrufen",), ("vpn down",)],
    )
    return db


def matches(db: sqlite3.Connection, text: str) -> list[str]:
    return [row[0] for row in db.execute("SELECT body FROM t WHERE t MATCH ?", (to_fts5(text),))]


def test_all_words_are_required(fts):
    assert matches(fts, "printer jammed") == ["the printer is jammed"]
    assert matches(fts, "printer klemmt") == []


def test_or_allows_either_word(fts):
    assert len(matches(fts, "printer or vpn")) == 2


def test_minus_excludes_a_word(fts):
    assert matches(fts, "printer -jammed") == []
    assert matches(fts, "printer -vpn") == ["the printer is jammed"]


def test_quotes_make_a_phrase(fts):
    assert matches(fts, '"printer is jammed"') == ["the printer is jammed"]
    assert matches(fts, '"jammed printer"') == []


def test_fts5_syntax_in_the_input_is_plain_text(fts):
    assert matches(fts, "vpn:down") == ["vpn down"]  # no column filter, a phrase
    assert matches(fts, "vpn) ^(down*") == ["vpn down"]
    assert to_fts5("***") == ""


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_any_input_is_a_valid_query_or_none(fts, text):
    expression = to_fts5(text)
    if expression:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_snippet_escapes_everything_but_the_marks():
    marked = f'<b onclick="x">&amp;</b> {START}printer{STOP} <script>'
    assert snippet_html(marked) == (
        "&lt;b onclick=&quot;x&quot;&gt;&amp;amp;&lt;/b&gt; <mark>printer</mark> &lt;script&gt;"
    )


def test_snippet_closes_an_unbalanced_mark():
    assert snippet_html(f"{START}a{START}b{STOP}{STOP}c{START}d") == (
        "<mark>ab</mark>c<mark>d</mark>"
    )
