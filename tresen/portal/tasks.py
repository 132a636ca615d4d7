"""Background work of the portal.

The account mails run here rather than in the request, so that the page answers in the same
time whether or not the address has an account (the timing would otherwise tell).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tresen.portal import ratelimit, registration, tokens


@db_task(retries=3, retry_delay=30)
def signup_task(email: str, name: str, password_hash: str, language: str, time_zone: str) -> None:
    registration.start_signup(
        email=email, name=name, password_hash=password_hash, language=language, time_zone=time_zone
    )


@db_task(retries=3, retry_delay=30)
def login_link_task(email: str) -> None:
    registration.request_login_link(email=email)


@db_task(retries=3, retry_delay=30)
def password_reset_task(email: str) -> None:
    registration.request_password_reset(email=email)


@db_periodic_task(crontab(minute="17"))
def forget_old_portal_rows_task() -> None:
    tokens.forget_expired_tokens()
    ratelimit.forget_old_attempts()
