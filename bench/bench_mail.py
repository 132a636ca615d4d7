"""Mail intake throughput and memory.

    .venv/bin/python -m bench.bench_mail

Throughput: typical 10-50 KB mails (text, some HTML, some with a PDF attachment), half of them
new tickets, half replies to those, from a few hundred senders, taken in one after another by
one process (one core) through the whole intake: raw bytes stored and committed, parsed,
threaded, ticket or article written with its events. Background fan-out (notifications,
search) is queued, as in production, not run.

Memory: a 25 MB message taken in by a fresh subprocess; peak RSS growth and tracemalloc peak.

Database: BENCH_MAIL_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tresen_bench_mail,
created and migrated when missing). Prints Markdown.
"""

from __future__ import annotations

import os
import sys
import tempfile

_VAR = tempfile.mkdtemp(prefix="tresen-bench-mail-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_MAIL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tresen_bench_mail"
)
os.environ["TRESEN_VAR_DIR"] = _VAR
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tresen.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from email.message import EmailMessage  # noqa: E402

COUNT = int(os.environ.get("BENCH_MAIL_COUNT", "300"))
SENDERS = 300
BIG_MB = int(os.environ.get("BENCH_MAIL_BIG_MB", "25"))
BATCH = int(os.environ.get("TRESEN_MAIL_FETCH_BATCH", "20"))
ROUNDS = int(os.environ.get("BENCH_MAIL_ROUNDS", "5"))
WORDS = [
    "Drucker",
    "Fehler",
    "Netzwerk",
    "Zugang",
    "Passwort",
    "Rechnung",
    "Lieferung",
    "Termin",
    "printer",
    "error",
    "network",
    "access",
    "password",
    "invoice",
    "delivery",
    "meeting",
    "bitte",
    "danke",
    "schnell",
    "heute",
    "morgen",
    "leider",
    "wieder",
]


def _ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _text(rng: random.Random, size: int) -> str:
    words = [rng.choice(WORDS) for _ in range(size // 7)]
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines)


def _mail(rng: random.Random, index: int, reply_to: tuple[str, str, str] | None) -> bytes:
    message = EmailMessage()
    # Nine in ten from people who wrote before, one in ten from someone new; a reply comes
    # from the ticket's requester, nine times in ten.
    number = rng.randrange(SENDERS) if rng.random() < 0.9 else SENDERS + index
    sender = f"kunde{number}@kunde{number % 20}.example"
    if reply_to and rng.random() < 0.9:
        sender = reply_to[2]
    message["From"] = f"Kunde {index} <{sender}>"
    message["To"] = "support@helpdesk.example"
    message["Message-ID"] = f"<bench-{index}-{rng.random()}@kunde.example>"
    message["Date"] = "Sat, 28 Nov 2026 08:00:00 +0100"
    if reply_to:
        _subject, parent, _requester = reply_to
        message["Subject"] = f"AW: {_subject}"
        message["In-Reply-To"] = parent
    else:
        message["Subject"] = f"Anfrage {index}: {rng.choice(WORDS)} {rng.choice(WORDS)}"
    size = rng.randrange(10_000, 50_000)
    body = _text(rng, size if index % 3 else size // 2)
    message.set_content(body + "\n\n-- \nKunde\n")
    if index % 4 == 0:
        message.add_alternative(f"<html><body><p>{body[:2000]}</p></body></html>", subtype="html")
    if index % 3 == 0:
        pdf = b"%PDF-1.4\n" + rng.randbytes(size // 2)
        message.add_attachment(pdf, "application", "pdf", filename=f"scan-{index}.pdf")
    return message.as_bytes()


def _setup():  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from tresen.accounts.models import Group
    from tresen.mail.models import Mailbox

    call_command("migrate", verbosity=0)
    from tresen.accounts.models import User

    User.objects.bulk_create(
        [
            User(email=f"kunde{n}@kunde{n % 20}.example", name=f"Kunde {n}", password="!")
            for n in range(SENDERS)
        ],
        ignore_conflicts=True,
    )
    group, _ = Group.objects.get_or_create(name="Bench Support")
    mailbox, _ = Mailbox.objects.get_or_create(
        name=f"bench-{time.time_ns()}",
        defaults={"group": group, "address": "support@helpdesk.example"},
    )
    return mailbox


def _workload(rng: random.Random) -> list[tuple[bytes, bool]]:
    """The mails in arrival order, each with whether it replies to an earlier one."""
    mails: list[tuple[bytes, bool]] = []
    opened: list[tuple[str, str, str]] = []
    for index in range(1, COUNT + 1):
        reply = opened[rng.randrange(len(opened))] if opened and index % 2 == 0 else None
        raw = _mail(rng, index, reply)
        mails.append((raw, reply is not None))
        if reply is None:
            message_id = raw.split(b"Message-ID: ", 1)[1].split(b"\n", 1)[0].strip().decode()
            sender = raw.split(b"From: ", 1)[1].split(b"<", 1)[1].split(b">", 1)[0].decode()
            subject = raw.split(b"Subject: ", 1)[1].split(b"\n", 1)[0].strip().decode()
            opened.append((subject, message_id, sender))
    return mails


@dataclass
class _Round:
    states: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0
    server: float | None = None
    new_times: list[float] = field(default_factory=list)
    reply_times: list[float] = field(default_factory=list)


def throughput(mailbox, mails: list[tuple[bytes, bool]], batch: int) -> _Round:  # type: ignore[no-untyped-def]
    """Take the mails in one by one (batch 1: a mail server's pipe) or in batches (fetch-mail
    and ingest-mail with several files store, acknowledge and process a batch at a time)."""
    from tresen.mail.intake import ingest, ingest_many

    server = _ServerCpu()
    done = _Round()
    for start in range(0, len(mails), batch):
        chunk = mails[start : start + batch]
        begin, begin_cpu = time.perf_counter(), time.process_time()
        if batch == 1:
            results = [ingest(raw=chunk[0][0], mailbox=mailbox)]
        else:
            results = ingest_many([raw for raw, _reply in chunk], mailbox=mailbox)
        spent = time.perf_counter() - begin
        done.cpu += time.process_time() - begin_cpu
        done.wall += spent
        if batch == 1:
            (done.reply_times if chunk[0][1] else done.new_times).append(spent)
        for result in results:
            done.states[result.state] = done.states.get(result.state, 0) + 1
    done.server = server.seconds()
    return done


def _summary(rounds: list[_Round], count: int) -> list[str]:
    def spread(values: list[float], unit: str, digits: int = 0) -> str:
        return (
            f"median **{statistics.median(values):.{digits}f}** {unit} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})"
        )

    lines = [
        f"- states per round {rounds[0].states}",
        f"- wall time, one process: {spread([count / r.wall for r in rounds], 'messages/s')}",
        f"- CPU of the intake process: {spread([r.cpu / count * 1000 for r in rounds], 'ms', 1)}"
        " per message",
    ]
    if all(r.server is not None for r in rounds):
        totals = [(r.cpu + (r.server or 0)) / count for r in rounds]
        lines.append(
            f"- with the database server's process: {spread([t * 1000 for t in totals], 'ms', 1)}"
            f" CPU per message: {spread([1 / t for t in totals], 'messages/s per core')}"
        )
    else:
        lines.append("- the database server's CPU could not be read (not on this machine)")
    new = [t for r in rounds for t in r.new_times]
    replies = [t for r in rounds for t in r.reply_times]
    if new and replies:
        lines += [
            f"- new ticket: median {statistics.median(new) * 1000:.1f} ms, "
            f"p95 {sorted(new)[int(len(new) * 0.95)] * 1000:.1f} ms",
            f"- reply: median {statistics.median(replies) * 1000:.1f} ms, "
            f"p95 {sorted(replies)[int(len(replies) * 0.95)] * 1000:.1f} ms",
        ]
    return lines


class _ServerCpu:
    """CPU time of this connection's PostgreSQL backend, read from /proc when it runs here."""

    def __init__(self) -> None:
        from django.db import connection

        self.start: float | None = None
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pid = cursor.fetchone()[0]
        self.start = self._read()

    def _read(self) -> float | None:
        try:
            with open(f"/proc/{self.pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # utime and stime, fields 14 and 15 of stat(5), in clock ticks.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float | None:
        end = self._read() if self.start is not None else None
        return None if end is None or self.start is None else end - self.start


def _big_message() -> bytes:
    message = EmailMessage()
    message["From"] = "gross@kunde.example"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = "Großer Anhang"
    message.set_content("Siehe Anhang.")
    payload = b"%PDF-1.4\n" + random.Random(1).randbytes(int(BIG_MB * 1024 * 1024 * 0.74))
    message.add_attachment(payload, "application", "pdf", filename="gross.pdf")
    return message.as_bytes()


def big_message_child(path: str, trace: bool) -> None:
    """Runs in a fresh process: take in one stored message file and report memory.

    tracemalloc costs memory itself, so the RSS figure comes from a run without it.
    """
    import tracemalloc

    import django

    django.setup()
    from tresen.mail.intake import ingest

    mailbox = _setup()
    with open(path, "rb") as handle:
        raw = handle.read()
    # Reset the kernel's peak-RSS mark, so the peak is this message's, not migrate's.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    baseline = _status_kb("VmRSS")
    if trace:
        tracemalloc.start()
    result = ingest(raw=raw, mailbox=mailbox)
    _current, peak = tracemalloc.get_traced_memory() if trace else (0, 0)
    tracemalloc.stop()
    rss = (_status_kb("VmHWM") - baseline) * 1024
    print(f"{len(raw)} {peak} {max(rss, 0)} {result.state}")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def memory() -> list[str]:
    path = os.path.join(_VAR, "big.eml")
    with open(path, "wb") as handle:
        handle.write(_big_message())
    figures = []
    for trace in ("trace", "plain"):
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_mail", "--big-message-child", trace, path],
            capture_output=True,
            text=True,
            timeout=600,
            env=os.environ.copy(),
        )
        if done.returncode != 0:
            return [f"- 25 MB message: failed: {done.stderr[-500:]}"]
        figures.append(done.stdout.split()[-4:])
    size, peak, _rss, state = figures[0]
    rss = figures[1][2]
    return [
        f"- one {int(size) / 1e6:.1f} MB message ({state}): Python allocations peak "
        f"{int(peak) / 1e6:.0f} MB (**{int(peak) / int(size):.1f}x** its size, tracemalloc); "
        f"peak RSS growth of a process that already holds the message, without tracemalloc: "
        f"{int(rss) / 1e6:.0f} MB (**{int(rss) / int(size):.1f}x**)"
    ]


def main() -> None:
    if "--big-message-child" in sys.argv:
        big_message_child(sys.argv[-1], trace=sys.argv[-2] == "trace")
        return
    import django

    _ensure_database()
    django.setup()
    from django.db import connection

    from tresen.mail.intake import ingest

    print("## Mail intake\n")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, one process\n")
    mailbox = _setup()
    rng = random.Random(7)
    ingest(raw=_mail(rng, 0, None), mailbox=mailbox)  # warm caches and the connection
    mails = _workload(rng)
    sizes = sorted(len(raw) for raw, _reply in mails)
    print(
        f"{len(mails)} messages, half new tickets, half replies, "
        f"{statistics.median(sizes) / 1024:.0f} KB median "
        f"({sizes[0] / 1024:.0f}-{sizes[-1] / 1024:.0f} KB)\n"
    )
    modes = ((1, "one message per call"), (BATCH, f"batches of {BATCH}"))
    rounds: dict[int, list[_Round]] = {batch: [] for batch, _title in modes}
    # The modes take turns, so that a disturbance of the machine hits both alike.
    for _round in range(ROUNDS):
        for batch, _title in modes:
            rounds[batch].append(throughput(mailbox, mails, batch))
            mails = _workload(rng)  # new bytes: the same ones again would be duplicates
    for batch, title in modes:
        print(f"{title}, {ROUNDS} rounds of {COUNT} messages:\n")
        for line in _summary(rounds[batch], COUNT):
            print(line)
        print()
    for line in memory():
        print(line)


if __name__ == "__main__":
    main()
