"""Pre-written texts for the bulk generator: assembling each of millions of texts from
phrases costs more than writing the rows, so each kind of text is assembled a few hundred
times up front and names are put in when a text is used.
"""

from __future__ import annotations

import random

from tresen.tickets.demo.phrases import LANGUAGES, TOPICS, TextMaker, Topic

# Stand-ins for names, replaced on use; control characters never occur in the phrases.
CUSTOMER = "\x1e"
AGENT = "\x1f"


class TextPool:
    """Varied texts per topic and language, drawn at random, with names filled in."""

    def __init__(self, rng: random.Random, size: int = 400) -> None:
        self.rng = rng
        maker = TextMaker(rng)
        self.openings: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self.replies: dict[tuple[str, str], list[str]] = {}
        for topic in TOPICS:
            for language in LANGUAGES:
                key = (topic.key, language)
                self.openings[key] = [_opening(maker, topic, language) for _ in range(size)]
                self.replies[key] = [
                    maker.agent_reply(topic, language, CUSTOMER, AGENT) for _ in range(size)
                ]
        self.follow_ups = {
            lang: [maker.customer_follow_up(lang, CUSTOMER) for _ in range(size)]
            for lang in LANGUAGES
        }
        self.notes = {lang: [maker.internal_note(lang) for _ in range(size)] for lang in LANGUAGES}
        self.phone_notes = {
            lang: [maker.phone_note(lang, CUSTOMER) for _ in range(size)] for lang in LANGUAGES
        }

    def opening(self, topic: Topic, language: str, customer: str) -> tuple[str, str, str]:
        """(title, first message, phone note of the first call) about one problem."""
        title, message, call = self.rng.choice(self.openings[(topic.key, language)])
        return title, message.replace(CUSTOMER, customer), call.replace(CUSTOMER, customer)

    def reply(self, topic: Topic, language: str, customer: str, agent: str) -> str:
        text = self.rng.choice(self.replies[(topic.key, language)])
        return text.replace(CUSTOMER, customer).replace(AGENT, agent)

    def follow_up(self, language: str, customer: str) -> str:
        return self.rng.choice(self.follow_ups[language]).replace(CUSTOMER, customer)

    def note(self, language: str) -> str:
        return self.rng.choice(self.notes[language])

    def phone_note(self, language: str, customer: str) -> str:
        return self.rng.choice(self.phone_notes[language]).replace(CUSTOMER, customer)


def _opening(maker: TextMaker, topic: Topic, language: str) -> tuple[str, str, str]:
    title, problem = maker.problem(topic, language)
    message = maker.customer_message(topic, language, CUSTOMER, problem)
    return title, message, maker.phone_call(topic, language, CUSTOMER, problem)
