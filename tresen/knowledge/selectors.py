"""Reads on the knowledge base: published articles, and suggestions for a subject line."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from tresen.knowledge.models import Answer

# Short and common words say nothing about the problem and would match every article.
_STOP_TEXT = (
    "the and for with not does can cannot how what why when our your are was has have "
    "der die das und oder mit nicht kann wie was warum wenn mein meine ist sind ein eine "
    "ich wir bei auf von zum zur den dem des"
)
_STOP_WORDS = frozenset(_STOP_TEXT.split())
MAX_WORDS = 6


def published_answers(language: str) -> QuerySet[Answer]:
    return Answer.objects.filter(is_published=True, language=language[:2])


def find_answer(language: str, slug: str) -> Answer | None:
    return published_answers(language).filter(slug=slug).first()


def _words(text: str) -> list[str]:
    words = [w for w in re.findall(r"\w{3,}", text.lower()) if w not in _STOP_WORDS]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def suggest_answers(text: str, language: str, *, limit: int = 5) -> list[Answer]:
    """Published articles whose title or text mentions words of `text`, best matches first.

    A plain word match, good enough for a small knowledge base; the search module replaces it.
    """
    words = _words(text)
    if not words:
        return []
    match = Q()
    for word in words:
        match |= Q(title__icontains=word) | Q(summary__icontains=word)
        match |= Q(body_html__icontains=word)
    candidates = list(published_answers(language).filter(match)[:50])

    def score(answer: Answer) -> int:
        title = answer.title.lower()
        rest = f"{answer.summary} {answer.body_html}".lower()
        return sum(3 for w in words if w in title) + sum(1 for w in words if w in rest)

    candidates.sort(key=score, reverse=True)
    return candidates[:limit]
