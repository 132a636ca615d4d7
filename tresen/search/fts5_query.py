"""What a person types in the search box, as an FTS5 query that cannot be a syntax error.

It follows PostgreSQL's websearch_to_tsquery, so both databases read a query alike: words are
all required, "quoted words" are a phrase, `or` between two terms allows either, and a leading
`-` excludes a term. Every word reaches FTS5 as a quoted string, so its operators and column
filters in the input are plain text. The last word also matches as a prefix (the search box is
typed into), the others only as whole (Porter-stemmed) words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words as unicode61 sees them: letters, digits and marks; everything else separates.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    negated: bool = False
    prefix: bool = False


def _phrase(term: Term) -> str:
    inner = " ".join(term.words)
    return f'"{inner}"' + (" *" if term.prefix else "")


def _terms(text: str) -> list[Term | str]:
    items: list[Term | str] = []
    for match in _TOKEN.finditer(text):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        if quoted is not None:
            words = tuple(w.lower() for w in _WORD.findall(quoted))
            if words:
                items.append(Term(words, negated=bool(minus)))
            continue
        if bare.lower() == "or":
            items.append("OR")
            continue
        negated = bare.startswith("-")
        words = tuple(w.lower() for w in _WORD.findall(bare))
        if words:
            items.append(Term(words, negated=negated))
    return items


def to_fts5(text: str) -> str:
    """The FTS5 MATCH expression for `text`; empty when nothing in it can be searched."""
    items = _terms(text or "")
    positives: list[list[Term]] = [[]]
    negatives: list[Term] = []
    pending_or = False
    for item in items:
        if item == "OR":
            pending_or = bool(positives[-1])
            continue
        assert isinstance(item, Term)
        if item.negated:
            negatives.append(item)
        elif pending_or:
            positives[-1].append(item)
            pending_or = False
        else:
            positives.append([item])
    groups = [g for g in positives if g]
    if not groups:
        return ""
    last = groups[-1][-1]
    if not last.negated and len(last.words) == 1 and not text.rstrip().endswith('"'):
        groups[-1][-1] = Term(last.words, prefix=True)
    expression = " AND ".join(
        "(" + " OR ".join(_phrase(t) for t in group) + ")" for group in groups
    )
    for term in negatives:
        expression += f" NOT {_phrase(term)}"
    return expression
