"""One-time mail tokens: random, signed for their purpose, stored hashed, expiring, single use.

The link carries a 256-bit random secret, signed with a salt per purpose so that a sign-in
link can never be replayed as a sign-up confirmation. The database keeps only the secret's
SHA-256: a leaked database table lets nobody sign in.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from tresen.portal.models import MailToken

LIFETIMES = {
    MailToken.Purpose.SIGNUP: datetime.timedelta(days=2),
    MailToken.Purpose.LOGIN: datetime.timedelta(minutes=20),
    MailToken.Purpose.SUBMISSION: datetime.timedelta(days=2),
}


def _salt(purpose: str) -> str:
    return f"tresen.portal.token.{purpose}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(*, purpose: str, email: str, payload: dict[str, Any] | None = None) -> str:
    """Store a new token for `email` and return the value to put into the mailed link."""
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    MailToken.objects.create(
        purpose=purpose,
        secret_hash=_hash(secret),
        email=email,
        payload=payload or {},
        created_at=now,
        expires_at=now + LIFETIMES[MailToken.Purpose(purpose)],
    )
    return signing.dumps(secret, salt=_salt(purpose))


def _secret(purpose: str, value: str) -> str | None:
    try:
        secret = signing.loads(
            value, salt=_salt(purpose), max_age=LIFETIMES[MailToken.Purpose(purpose)]
        )
    except signing.BadSignature:
        return None
    return secret if isinstance(secret, str) else None


def peek_token(*, purpose: str, value: str) -> MailToken | None:
    """Return the unused, unexpired token for a link without using it up (to show a page)."""
    secret = _secret(purpose, value)
    if secret is None:
        return None
    return MailToken.objects.filter(
        purpose=purpose,
        secret_hash=_hash(secret),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def redeem_token(*, purpose: str, value: str) -> MailToken | None:
    """Use up the token of a link and return it; None when unknown, expired or already used.

    Must run inside the caller's transaction, so that the token is spent only if the action
    it authorises commits too.
    """
    secret = _secret(purpose, value)
    if secret is None:
        return None
    assert transaction.get_connection().in_atomic_block, "redeem inside a transaction"
    token = (
        MailToken.objects.select_for_update()
        .filter(purpose=purpose, secret_hash=_hash(secret), used_at__isnull=True)
        .first()
    )
    if token is None or token.expires_at <= timezone.now():
        return None
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])
    return token


def forget_expired_tokens() -> int:
    """Delete tokens that expired more than a day ago; return how many."""
    cutoff = timezone.now() - datetime.timedelta(days=1)
    deleted, _ = MailToken.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
