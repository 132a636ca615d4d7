"""Agent workspace on the large PostgreSQL database: server time of its pages.

    .venv/bin/python -m bench.bench_desk

Uses BENCH_DATABASE_URL (default: the local database tresen_bench, made by the bulk
generator). Requests go through Django's test Client in this process, so the numbers are
server time (middleware, queries, templates) without network or browser. Prints Markdown:
p50/p95 of each page as the agent with the most groups and as an administrator, wall-clock
and the CPU time of this process (which a busy machine does not inflate as much).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tresen_bench"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tresen.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from tresen.accounts.models import Role, User  # noqa: E402
from tresen.desk.models import Presence  # noqa: E402
from tresen.tickets.access import visible_tickets  # noqa: E402
from tresen.tickets.states import ACTIVE_STATES  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "40"))
PAGE_P95_MS = 100.0
SEARCH_P95_MS = 300.0
WORDS = ["printer", "Drucker", "VPN", "password", "Rechnung", "laptop"]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def measure(client: Client, paths: Callable[[int], str]) -> tuple[float, float, float, float, int]:
    """p50 and p95 in ms of `REPEATS` requests (after two warm-up requests), wall-clock and
    CPU time of this process (Python and templates; the database server's work is not in it,
    nor is time spent waiting for a core on a busy machine)."""
    for index in range(2):
        client.get(paths(index))
    times, cpu = [], []
    status = 200
    for index in range(REPEATS):
        path = paths(index)
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code not in (200, 302):
            status = response.status_code
    return statistics.median(times), _p95(times), statistics.median(cpu), _p95(cpu), status


def scenarios(user: User) -> list[tuple[str, Callable[[int], str], float]]:
    rng = random.Random(42)
    visible = visible_tickets(user)
    open_numbers = list(
        visible.filter(state__in=ACTIVE_STATES)
        .order_by("-updated_at")
        .values_list("number", flat=True)[:500]
    )
    any_numbers = list(visible.order_by("-id").values_list("number", flat=True)[:2000])
    numbers = open_numbers + any_numbers
    rng.shuffle(numbers)

    def pick(index: int) -> str:
        return numbers[index % len(numbers)]

    return [
        ("overview: my open tickets", lambda i: "/desk/?queue=mine", PAGE_P95_MS),
        ("overview: unassigned in my groups", lambda i: "/desk/?queue=unassigned", PAGE_P95_MS),
        ("overview: open in my groups", lambda i: "/desk/?queue=open", PAGE_P95_MS),
        ("overview: recently updated", lambda i: "/desk/?queue=recent", PAGE_P95_MS),
        (
            "overview: open, by priority",
            lambda i: "/desk/?queue=open&sort=-priority",
            PAGE_P95_MS,
        ),
        (
            "overview: all, state filter, by requester",
            lambda i: "/desk/?queue=all&state=pending_reminder&sort=requester",
            PAGE_P95_MS,
        ),
        ("queue counts", lambda i: "/desk/counts/", PAGE_P95_MS),
        ("ticket page", lambda i: f"/desk/tickets/{pick(i)}/", PAGE_P95_MS),
        ("search: ticket number", lambda i: f"/desk/search/?q={pick(i)}", SEARCH_P95_MS),
        ("search: words", lambda i: f"/desk/search/?q={WORDS[i % len(WORDS)]}", SEARCH_P95_MS),
    ]


def people() -> list[tuple[str, User]]:
    agent = (
        User.objects.filter(role=Role.AGENT, is_active=True)
        .annotate(group_count=Count("memberships"))
        .filter(group_count__gt=0)
        .order_by("-group_count", "pk")
        .first()
    )
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    found = []
    if agent is not None:
        found.append((f"agent in {agent.group_count} groups", agent))  # type: ignore[attr-defined]
    if admin is not None:
        found.append(("administrator", admin))
    return found


def main() -> None:
    total = connection.cursor()
    total.execute("SELECT count(*) FROM tickets_ticket")
    tickets = total.fetchone()[0]
    if tickets < 1000:
        print(f"The bench database holds {tickets} tickets; generate it first.", file=sys.stderr)
        sys.exit(1)
    print(f"## Agent workspace ({tickets:,} tickets, {connection.vendor}, {REPEATS} requests each)")
    print()
    print(f"Load average at the start: {os.getloadavg()[0]:.1f}")
    print()
    print("| who | page | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | target p95 | |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for label, user in people():
        client = Client()
        client.force_login(user)
        for name, paths, target in scenarios(user):
            p50, p95, cpu50, cpu95, status = measure(client, paths)
            verdict = "ok" if p95 <= target else "over"
            if status != 200:
                verdict = f"HTTP {status}"
            print(
                f"| {label} | {name} | {p50:.0f} | {p95:.0f} | {cpu50:.0f} | {cpu95:.0f} "
                f"| {target:.0f} | {verdict} |"
            )
        # The ticket pages recorded the bench user as present; leave no trace.
        Presence.objects.filter(user=user).delete()


if __name__ == "__main__":
    main()
