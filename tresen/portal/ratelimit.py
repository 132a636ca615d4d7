"""Rate limits on sign-in, password reset, sign-up and requests without an account.

Each attempt is a row keyed by the SHA-256 of the client address or the e-mail address, so
the limit holds across processes and servers (unlike the per-process memory cache) and the
table never holds addresses in clear.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from tresen.accounts.models import normalise_email
from tresen.portal.models import Attempt


@dataclass(frozen=True)
class Limit:
    per_ip: int
    per_address: int
    window: datetime.timedelta


LIMITS = {
    "login": Limit(per_ip=30, per_address=10, window=datetime.timedelta(minutes=15)),
    "reset": Limit(per_ip=10, per_address=3, window=datetime.timedelta(hours=1)),
    "signup": Limit(per_ip=10, per_address=3, window=datetime.timedelta(hours=1)),
    "login_link": Limit(per_ip=10, per_address=3, window=datetime.timedelta(hours=1)),
    "submission": Limit(per_ip=10, per_address=5, window=datetime.timedelta(hours=1)),
    # Signed-in customers: generous, but a script in a customer's session cannot flood a queue.
    "request": Limit(per_ip=60, per_address=20, window=datetime.timedelta(hours=1)),
}


class RateLimited(Exception):
    """Too many attempts; the caller shows a message and does nothing."""


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and a limit the client can choose its own key for limits nothing.
    return str(request.META.get("REMOTE_ADDR", ""))


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _count(scope: str, key: str, since: datetime.datetime) -> int:
    return Attempt.objects.filter(scope=scope, key=key, created_at__gt=since).count()


def check_and_count(scope: str, *, ip: str, email: str = "") -> None:
    """Count one attempt at `scope`; raise RateLimited if the client or address is over limit.

    Refused attempts are counted too, so hammering keeps the door shut.
    """
    limit = LIMITS[scope]
    now = timezone.now()
    since = now - limit.window
    keys = [(f"{scope}:ip", _key(ip), limit.per_ip)]
    if email:
        keys.append((f"{scope}:address", _key(normalise_email(email)), limit.per_address))
    over = any(_count(s, k, since) >= allowed for s, k, allowed in keys)
    Attempt.objects.bulk_create(Attempt(scope=s, key=k, created_at=now) for s, k, _ in keys)
    if over:
        raise RateLimited


def forget_old_attempts() -> int:
    """Delete attempts older than the longest window; return how many."""
    cutoff = timezone.now() - max(limit.window for limit in LIMITS.values())
    deleted, _ = Attempt.objects.filter(created_at__lt=cutoff).delete()
    return deleted
