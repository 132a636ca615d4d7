"""Full-text search on the large PostgreSQL database: latency of a search page, index size.

    .venv/bin/python -m bench.bench_search

Uses BENCH_DATABASE_URL (default: the local database tresen_bench, made by the bulk
generator). Rebuilds the index first when it is empty and reports how long that took. Prints
Markdown: p50/p95 of search_tickets() (ranked hits, snippets, tickets with group and requester)
as an agent of one group and as an administrator, for words of several frequencies.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections import Counter
from typing import Any

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tresen_bench"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tresen.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import DatabaseError, connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from tresen.accounts.models import GroupMembership, Role, User  # noqa: E402
from tresen.search import search_tickets  # noqa: E402
from tresen.search.index import rebuild_index  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))
TARGET_P95_MS = 300.0
FIXED_QUERIES = ["Drucker", "printer", "VPN Zugang", "password reset", "Rechnung", "error 42"]


def scalar(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


def ensure_index() -> str:
    if scalar("SELECT EXISTS (SELECT 1 FROM search_document)"):
        return "index present"
    started = time.monotonic()
    count = rebuild_index()
    return f"index rebuilt: {count:,} documents in {time.monotonic() - started:.0f} s"


def sampled_words() -> list[str]:
    """Words of the data itself: the most common one, and ones a hundred and ten thousand
    times rarer, so that broad and narrow searches are both measured."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title || ' ' || left(body, 2000) FROM search_document "
            "TABLESAMPLE SYSTEM (0.2) REPEATABLE (7) LIMIT 5000"
        )
        texts = [row[0] for row in cursor.fetchall()]
    counts = Counter(w.lower() for t in texts for w in re.findall(r"[^\W\d_]{4,}", t))
    ranked = [w for w, _ in counts.most_common()]
    if not ranked:
        return []
    picks = {ranked[0], ranked[min(10, len(ranked) - 1)], ranked[min(100, len(ranked) - 1)]}
    picks.add(ranked[len(ranked) // 2])
    picks.add(ranked[-1])
    return sorted(picks)


def bench_user(user: User, queries: list[str]) -> dict[str, Any]:
    timings: list[float] = []
    per_query: dict[str, tuple[float, int]] = {}
    for query in queries:
        search_tickets(user, query)  # warm the cache, as a running server would be
        runs = []
        hits = 0
        for _ in range(REPEATS):
            started = time.perf_counter()
            page = search_tickets(user, query)
            for hit in page:
                _ = (hit.ticket.group.name, hit.ticket.requester.email, str(hit.snippet))
            runs.append((time.perf_counter() - started) * 1000)
            hits = len(page)
        timings += runs
        per_query[query] = (statistics.median(runs), hits)
    return {"timings": timings, "per_query": per_query}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def pick_users() -> list[tuple[str, User]]:
    users: list[tuple[str, User]] = []
    single = (
        GroupMembership.objects.values("user_id")
        .annotate(n=Count("id"))
        .filter(n=1, user__role=Role.AGENT, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    if single is not None:
        users.append(("agent of one group", User.objects.get(pk=single)))
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    if admin is not None:
        users.append(("administrator", admin))
    return users


def main() -> int:
    try:
        tickets = scalar("SELECT count(*) FROM tickets_ticket")
    except DatabaseError as error:
        print(f"## Search\n\nSkipped: the bench database is not there ({error}).".strip())
        return 0
    if not tickets:
        print("## Search\n\nSkipped: the bench database has no tickets; run the generator first.")
        return 0
    index_note = ensure_index()
    documents = scalar("SELECT count(*) FROM search_document")
    size = scalar("SELECT pg_size_pretty(pg_total_relation_size('search_document'))")
    gin = scalar("SELECT pg_size_pretty(pg_relation_size('search_document_vector'))")
    queries = FIXED_QUERIES + sampled_words()
    print("## Search\n")
    print(f"{time.strftime('%Y-%m-%d')}, PostgreSQL {connection.pg_version // 10000}, ")  # type: ignore[attr-defined]
    print(f"{tickets:,} tickets, {documents:,} documents; {index_note}.")
    print(f"Index table with its indexes: {size}; GIN index alone: {gin}.\n")
    print("| who | searches | p50 ms | p95 ms | target p95 |")
    print("|---|---|---|---|---|")
    details = []
    worst = 0.0
    for label, user in pick_users():
        result = bench_user(user, queries)
        p50, p95 = percentile(result["timings"], 0.5), percentile(result["timings"], 0.95)
        worst = max(worst, p95)
        runs = len(result["timings"])
        print(f"| {label} | {runs} | {p50:.0f} | {p95:.0f} | {TARGET_P95_MS:.0f} |")
        details.append((label, result["per_query"]))
    for label, per_query in details:
        print(f"\nMedian per query, {label}:\n")
        print("| query | median ms | hits on page 1 |")
        print("|---|---|---|")
        for query, (median, hits) in per_query.items():
            print(f"| {query} | {median:.0f} | {hits} |")
    return 0 if worst <= TARGET_P95_MS else 2


if __name__ == "__main__":
    sys.exit(main())
