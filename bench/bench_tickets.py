"""Ticket creation through the service `create_ticket`: tickets per second, SQLite and PostgreSQL.

    .venv/bin/python -m bench.bench_tickets

Each database is measured in a process of its own on a scratch database made for the run (a
temporary SQLite file; the PostgreSQL database tresen_bench_create on BENCH_POSTGRES_URL's
server, dropped afterwards), migrated and given the demo's groups and people. Every ticket has
a first message, tags and a category, as a ticket from the portal would; the events are queued
for the worker as in production (into a scratch queue nobody works off: a SQLite file, or
database 13 of the Redis at BENCH_REDIS_URL, emptied afterwards). Prints Markdown.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNT = int(os.environ.get("BENCH_TICKETS", "400"))
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SCRATCH = "tresen_bench_create"
# A database number of its own, so that no running worker takes the benchmark's tasks.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def measure() -> None:
    """In the child: set up the scratch database, create COUNT tickets, print one table row."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tresen.tickets.demo.people import create_people
    from tresen.tickets.models import Channel, Ticket
    from tresen.tickets.services import create_ticket

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        people = create_people()
    group = people.groups["first"]
    category = next(c for key, c in people.categories.items() if key[0] == "first")
    durations = []
    for n in range(COUNT):
        requester = people.customers[n % len(people.customers)]
        started = time.perf_counter()
        create_ticket(
            actor=requester,
            requester=requester,
            title=f"Drucker im 3. OG druckt nicht ({n})",
            group=group,
            channel=Channel.WEB,
            body_text="Hallo,\n\nder Drucker zeigt Fehler E42 und druckt nicht.\n\nGrüße",
            category=category,
            tags=["hardware", "printer"],
        )
        durations.append(time.perf_counter() - started)
    assert Ticket.objects.count() == COUNT
    if os.environ.get("REDIS_URL"):
        from huey.contrib.djhuey import HUEY

        HUEY.flush()  # the queued events belong to a scratch database
    total = sum(durations)
    p50 = statistics.median(durations) * 1000
    p95 = statistics.quantiles(durations, n=20)[18] * 1000
    if connection.vendor == "sqlite":
        name = f"SQLite {connection.Database.sqlite_version}"
    else:
        name = f"PostgreSQL {connection.pg_version // 10000}"
    name += ", Redis queue" if os.environ.get("REDIS_URL") else ", SQLite queue"
    print(f"| {name} | {COUNT} | {COUNT / total:.0f} | {p50:.1f} | {p95:.1f} |", flush=True)


def run_child(database_url: str, var_dir: str, redis_url: str = "") -> str:
    env = dict(os.environ, DATABASE_URL=database_url, TRESEN_VAR_DIR=var_dir, LOG_LEVEL="WARNING")
    env["REDIS_URL"] = redis_url
    env.setdefault("DJANGO_SETTINGS_MODULE", "tresen.settings")
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_tickets", "--child"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return f"| {database_url.split(':')[0]} | failed | | | |"
    return done.stdout.strip().splitlines()[-1]


def postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as var:
        rows.append(run_child(f"sqlite:///{var}/bench.sqlite3", var))
    postgres(f"DROP DATABASE IF EXISTS {SCRATCH}")
    postgres(f"CREATE DATABASE {SCRATCH}")
    try:
        with tempfile.TemporaryDirectory() as var:
            rows.append(run_child(POSTGRES.rsplit("/", 1)[0] + f"/{SCRATCH}", var))
        postgres(f"DROP DATABASE {SCRATCH}")
        postgres(f"CREATE DATABASE {SCRATCH}")
        with tempfile.TemporaryDirectory() as var:
            rows.append(run_child(POSTGRES.rsplit("/", 1)[0] + f"/{SCRATCH}", var, REDIS))
    finally:
        postgres(f"DROP DATABASE IF EXISTS {SCRATCH}")
    today = datetime.date.today().isoformat()
    print(f"## Ticket creation through `create_ticket` ({today})\n")
    print(
        f"Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}; one client, one ticket per transaction, on a "
        "database holding only the demo's people.\n"
    )
    print("| database | tickets | tickets/s | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    if "--child" in sys.argv:
        measure()
    else:
        main()
