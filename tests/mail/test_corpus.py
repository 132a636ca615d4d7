"""The public mail corpus (about 1,500 real messages from mail libraries' test suites).

Parse-only checks compare with the expected results the corpus ships; the intake check runs
every message through the database and proves nothing is lost. The corpus lives next to the
repository in `../shared/corpus/email`; without it these tests skip.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from tresen.mail.bounces import analyse_bounce, looks_like_bounce
from tresen.mail.parsing import MailLimitExceeded, ParsedMail, Unparseable, parse_message
from tresen.mail.tnef import extract_tnef

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "email"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "INDEX.tsv").exists(),
    reason="mail corpus not found at ../shared/corpus/email (next to the repository)",
)


def corpus_files() -> list[Path]:
    rows = (CORPUS / "INDEX.tsv").read_text().splitlines()
    return [CORPUS / r.split("\t")[0] for r in rows if r and not r.startswith(("#", "path\t"))]


def report(name: str, counts: Counter) -> None:
    """Print agreement figures (shown with pytest -s; docs/mail.md quotes them)."""
    total = counts["n"] or 1
    figures = ", ".join(f"{k} {counts[k] / total:.1%}" for k in counts if k != "n")
    print(f"\n{name}: {counts['n']} messages: {figures}")


def test_every_corpus_message_parses_or_has_a_reason():
    outcomes: Counter = Counter()
    for path in corpus_files():
        try:
            parse_message(path.read_bytes())
            outcomes["parsed"] += 1
        except (MailLimitExceeded, Unparseable) as exc:
            outcomes[str(exc)] += 1
    print(f"\ncorpus parse outcomes: {dict(outcomes)}")
    assert sum(outcomes.values()) == len(corpus_files()) >= 1000
    assert outcomes["parsed"] / sum(outcomes.values()) >= 0.99


def _same_text(expected: str, got: str) -> bool:
    expected = " ".join((expected or "").split())
    if "\ufffd" in expected:  # the reference could not decode these bytes; we could
        pattern = ".".join(re.escape(piece) for piece in expected.split("\ufffd"))
        return re.fullmatch(pattern, got) is not None
    return expected == got


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _stalwart_expected(data: dict) -> tuple[str, str, list[str]]:
    def header(part: dict, name: str) -> object:
        return next((h["value"] for h in part["headers"] if h["name"] == name), None)

    def attribute(value: object, key: str) -> str | None:
        if not isinstance(value, dict):
            return None
        for item in (value.get("ContentType") or {}).get("attributes") or []:
            if item["name"] == key:
                return item["value"]
        return None

    top = data["parts"][0]
    subject = header(top, "subject")
    sender = header(top, "from")
    address = ""
    if isinstance(sender, dict) and "Address" in sender:
        found = sender["Address"].get("List") or [
            a for g in sender["Address"].get("Group", []) for a in g.get("addresses", [])
        ]
        address = (found[0].get("address") or "").lower() if found else ""
    names = []
    for index in data.get("attachments") or []:
        part = data["parts"][index]
        name = attribute(header(part, "content_disposition"), "filename") or attribute(
            header(part, "content_type"), "name"
        )
        if name:
            names.append(_base_name(name))
    text = subject.get("Text", "") if isinstance(subject, dict) else ""
    return text, address, names


def _compare(counts: Counter, mail: ParsedMail, subject: str, sender: str, names: list[str]):
    counts["n"] += 1
    counts["subject"] += _same_text(subject, mail.subject)
    counts["sender"] += sender == mail.from_address
    got = [a.filename for a in mail.attachments]
    if any(n.lower() == "winmail.dat" for n in names):
        got.append("winmail.dat")  # we unpack it on purpose; its files are checked below
    counts["attachment names"] += all(n in got for n in names)


def test_agreement_with_stalwart_expected_results():
    counts: Counter = Counter()
    for expected in sorted((CORPUS / "stalwart-mail-parser").rglob("*.json")):
        raw = expected.with_suffix(".eml")
        if expected.name.endswith(".crlf.json") or not raw.exists():
            continue
        subject, sender, names = _stalwart_expected(json.loads(expected.read_text()))
        _compare(counts, parse_message(raw.read_bytes()), subject, sender, names)
    report("stalwart", counts)
    assert counts["n"] >= 100
    for key in ("subject", "sender", "attachment names"):
        assert counts[key] / counts["n"] >= 0.98, key


def test_agreement_with_php_mime_mail_parser_expected_results():
    data = json.loads(
        (CORPUS / "php-mime-mail-parser/EXPECTED-ParserTest-provideData.json").read_text()
    )
    counts: Counter = Counter()
    for case in data["cases"]:
        raw = CORPUS / "php-mime-mail-parser/tests/mails" / case["mail_id"]
        if not raw.exists():
            continue
        senders = case.get("from_addresses") or [{}]
        expected = case.get("attachments") or []
        # That parser calls unnamed parts "noname"; we give them generated names instead.
        names = [_base_name(a["filename"]) for a in expected if a.get("filename")]
        names = [n for n in names if not re.fullmatch(r"noname\d*", n)]
        mail = parse_message(raw.read_bytes())
        if len(mail.attachments) < len(expected):
            names.append("(missing attachment)")
        _compare(
            counts,
            mail,
            case.get("subject") or "",
            (senders[0].get("address") or "").lower(),
            names,
        )
    report("php-mime-mail-parser", counts)
    assert counts["n"] >= 20
    for key in ("subject", "sender", "attachment names"):
        assert counts[key] / counts["n"] >= 0.98, key


def test_winmail_dat_files_match_mimekit_lists():
    counts: Counter = Counter()
    for listing in sorted((CORPUS / "mimekit/UnitTests/TestData/tnef").glob("*.list")):
        blob = listing.with_suffix(".tnef")
        if not blob.exists():
            continue
        expected = {
            n.strip() for n in listing.read_text(errors="replace").splitlines() if n.strip()
        }
        extracted = extract_tnef(blob.read_bytes())
        got = {a.filename for a in extracted[1]} if extracted else set()
        counts["n"] += 1
        # The lists name the message body (body.rtf, message.rtf) too; we keep that as text.
        counts["files"] += (expected - {"body.rtf", "message.rtf", "body.txt", "body.html"}) <= got
    report("mimekit tnef", counts)
    assert counts["n"] >= 5
    assert counts["files"] / counts["n"] >= 0.7


def _sisimai_rows() -> list[list[str]]:
    path = CORPUS / "sisimai-set-of-emails/EXPECTED-go-sisimai.tsv"
    rows = [r.split("\t") for r in path.read_text().splitlines() if r and not r.startswith("#")]
    return [r for r in rows[1:] if len(r) >= 6 and r[1] == "1"]


def _sisimai_bounce_rows() -> list[list[str]]:
    """Rows sisimai counts as failed deliveries (not delivered, feedback loops or vacation)."""
    rows = _sisimai_rows()
    return [r for r in rows if r[4] not in ("delivered", "feedback", "vacation")]


# sisimai writes X.0.9NN when a bounce carries no status: its own codes, not RFC 3463 ones.
_INVENTED_STATUS = re.compile(r"[45]\.0\.9\d\d")


def test_bounce_classification_against_sisimai():
    """Agreement on the first recipient of each bounce; docs/mail.md explains each figure."""
    counts: Counter = Counter()
    for row in _sisimai_bounce_rows():
        path = CORPUS / "sisimai-set-of-emails" / row[0]
        if not path.exists():
            continue
        mail = parse_message(path.read_bytes())
        bounce = analyse_bounce(mail)
        counts["n"] += 1
        counts["recognised as bounce"] += looks_like_bounce(mail)
        counts["hard/soft"] += bounce.hard == (row[5] == "true")
        counts["wrongly hard"] += bounce.hard and row[5] != "true"
        counts["reason"] += bounce.reason == row[4]
        if not _INVENTED_STATUS.fullmatch(row[2]):
            counts["with an RFC 3463 status"] += 1
            counts["status"] += bounce.status == row[2]
    report("sisimai bounces", counts)
    n = counts["n"]
    with_status = counts["with an RFC 3463 status"]
    print(f"status, {with_status} with an RFC 3463 status: {counts['status'] / with_status:.1%}")
    assert n >= 500
    assert counts["recognised as bounce"] / n >= 0.95
    assert counts["status"] / with_status >= 0.95
    assert counts["hard/soft"] / n >= 0.95
    assert counts["reason"] / n >= 0.95
    # Conservative: a wrong "hard" marks a good address undeliverable.
    assert counts["wrongly hard"] / n <= 0.01


@pytest.mark.django_db(transaction=False)
def test_whole_corpus_goes_through_intake_without_loss(monkeypatch):
    """Every 5th file by default (CI time); TRESEN_CORPUS_STEP=1 takes all of them."""
    from tests.factories import GroupFactory
    from tresen.mail.audit import audit_inbound
    from tresen.mail.intake import ingest
    from tresen.mail.models import FINAL_STATES, InboundMessage, Mailbox

    # Search indexing and notifications run after commit in the worker, not in intake.
    monkeypatch.setattr("tresen.tickets.events._publish_after_commit", lambda event_id: None)
    files = corpus_files()
    step = int(os.environ.get("TRESEN_CORPUS_STEP", "5"))
    files = files[::step]
    mailbox = Mailbox.objects.create(name="corpus", group=GroupFactory(name="Corpus"))
    digests = set()
    states: Counter = Counter()
    for path in files:
        raw = path.read_bytes()
        result = ingest(raw=raw, mailbox=mailbox)
        digests.add(result.sha256)
        states[result.state] += 1
    print(f"\ncorpus intake ({len(files)} files): {dict(states)}")
    assert InboundMessage.objects.count() == len(digests)
    assert not InboundMessage.objects.exclude(state__in=FINAL_STATES).exists()
    assert not audit_inbound().problems
    assert states["created"] > 0
    # Quarantine only for reasons intake names; never because processing itself broke.
    reasons = InboundMessage.objects.filter(state="quarantined").values_list("reason", flat=True)
    assert not [r for r in reasons if r.startswith("processing failed")]
