"""Postmaster filters applied to a parsed mail before a ticket is opened. Pure.

Patterns come from administrators and run on text that strangers send, so a regular
expression runs with the `regex` package's timeout on a bounded slice of the header, and
patterns with nested quantifiers (catastrophic backtracking) are refused when saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex
from django.utils.translation import gettext as _

from tresen.mail.parsing import ParsedMail

if TYPE_CHECKING:
    from tresen.mail.models import PostmasterFilter

MAX_INPUT_CHARS = 4096
TIMEOUT_SECONDS = 0.05
_NESTED_QUANTIFIER = regex.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")


@dataclass
class FilterOutcome:
    ignore: bool = False
    group_id: int | None = None
    priority: int | None = None
    category_id: int | None = None
    tags: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)


def pattern_problem(pattern: str) -> str | None:
    """Why this regular expression may not be used, or None if it is fine."""
    try:
        regex.compile(pattern)
    except regex.error as exc:
        return _("This is not a valid regular expression: %(error)s") % {"error": exc}
    if _NESTED_QUANTIFIER.search(pattern):
        return _("Nested repetition such as (a+)+ can take forever; write it without.")
    return None


def _matches(rule: PostmasterFilter, values: list[str]) -> bool:
    needle = rule.value
    for value in values:
        text = value[:MAX_INPUT_CHARS]
        if rule.match == "equals" and text.strip().lower() == needle.strip().lower():
            return True
        if rule.match == "contains" and needle.lower() in text.lower():
            return True
        if rule.match == "regex":
            try:
                if regex.search(needle, text, flags=regex.IGNORECASE, timeout=TIMEOUT_SECONDS):
                    return True
            except (TimeoutError, regex.error):
                continue
    return False


def apply_filters(mail: ParsedMail, rules: Iterable[PostmasterFilter]) -> FilterOutcome:
    """Run the active rules in order and collect what they set."""
    outcome = FilterOutcome()
    for rule in rules:
        if not rule.is_active:
            continue
        hit = _matches(rule, mail.header_all(rule.header.strip().lower()))
        if hit == rule.negate:
            continue
        outcome.matched.append(rule.name)
        outcome.ignore = outcome.ignore or rule.ignore
        outcome.group_id = rule.set_group_id or outcome.group_id
        outcome.priority = rule.set_priority or outcome.priority
        outcome.category_id = rule.set_category_id or outcome.category_id
        outcome.tags += [t.strip() for t in rule.add_tags.split(",") if t.strip()]
        if rule.stop:
            break
    return outcome
