"""Reconciliation of intake: every stored message in exactly one final state, consistently."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db.models import Count

from tresen.mail.models import FINAL_STATES, InboundMessage, InboundState

# States that must point at the ticket and article they produced.
_WITH_ARTICLE = {InboundState.CREATED, InboundState.APPENDED}


@dataclass
class AuditReport:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        total = sum(self.counts.values())
        return [f"{total} stored messages"] + [
            f"{state}: {count}" for state, count in sorted(self.counts.items())
        ]


def audit_inbound(*, verify_hashes: bool = False) -> AuditReport:
    """Count messages per state and list every one that is not final or not consistent."""
    report = AuditReport()
    for row in InboundMessage.objects.values("state").annotate(n=Count("id")):
        report.counts[row["state"]] = row["n"]
    rows = InboundMessage.objects.exclude(state__in=FINAL_STATES).values_list(
        "pk", "sha256", "state"
    )
    for pk, sha, state in rows:
        report.problems.append(f"#{pk} {sha[:16]} state={state}")
    missing = InboundMessage.objects.filter(state__in=_WITH_ARTICLE, article__isnull=True)
    for pk, sha, state in missing.values_list("pk", "sha256", "state"):
        report.problems.append(f"#{pk} {sha[:16]} state={state} without its article")
    unexplained = InboundMessage.objects.filter(state=InboundState.QUARANTINED, reason="")
    for pk, sha in unexplained.values_list("pk", "sha256"):
        report.problems.append(f"#{pk} {sha[:16]} quarantined without a reason")
    if verify_hashes:
        for message in InboundMessage.objects.only("pk", "sha256", "raw").iterator(chunk_size=50):
            if hashlib.sha256(bytes(message.raw)).hexdigest() != message.sha256:
                report.problems.append(f"#{message.pk} raw bytes do not match their SHA-256")
    return report
