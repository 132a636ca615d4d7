"""Requests from the portal: straight from signed-in customers, or confirmed by mail first.

A request without an account (the portal's public form, the embeddable form) becomes a ticket
only once someone follows the link mailed to the given address. Otherwise anyone could open
tickets in another person's name, and every auto-reply would mail a stranger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tresen.accounts.models import User
from tresen.accounts.services import get_or_create_customer
from tresen.core.errors import ValidationError
from tresen.portal.mails import send_portal_mail
from tresen.portal.models import MailToken, RequestForm
from tresen.portal.tokens import issue_token, redeem_token
from tresen.tickets import fields
from tresen.tickets.attachments import check_sizes, checked_content_type, store_blob
from tresen.tickets.models import Blob, Channel, Ticket
from tresen.tickets.services import NewFile, create_ticket


@dataclass(frozen=True)
class Request:
    """What a customer asks: the form used, subject, text, custom field values and files."""

    form: RequestForm
    title: str
    body: str
    custom_fields: dict[str, Any] = field(default_factory=dict)
    files: list[NewFile] = field(default_factory=list)


def submit_request(*, customer: User, request: Request) -> Ticket:
    """Open a ticket for a signed-in customer through the request form."""
    return create_ticket(
        actor=customer,
        requester=customer,
        title=request.title,
        group=request.form.group,
        category=request.form.category,
        channel=Channel.WEB,
        body_text=request.body,
        custom_fields=request.custom_fields,
        attachments=request.files,
    )


def start_submission(*, email: str, name: str, language: str, request: Request) -> None:
    """Keep a request without an account and mail its sender the link that confirms it.

    Files are checked and stored now (content-addressed, so the ticket later refers to the
    same stored bytes). The mail leaves only after commit, through the outbox.
    """
    # Checked now as the ticket service will check them, so that a request the group's
    # fields refuse is refused on the page, not after the sender confirmed it.
    fields.clean_values(request.form.group_id, request.custom_fields, partial=False)
    check_sizes([len(f.data) for f in request.files])
    files = []
    for new_file in request.files:
        content_type = checked_content_type(new_file.filename, new_file.content_type, new_file.data)
        blob = store_blob(new_file.data, content_type)
        files.append({"name": new_file.filename, "type": content_type, "blob": blob.pk})
    payload = {
        "form": request.form.pk,
        "name": name.strip()[:200],
        "language": language,
        "title": request.title,
        "body": request.body,
        "custom_fields": request.custom_fields,
        "files": files,
    }
    with transaction.atomic():
        value = issue_token(purpose=MailToken.Purpose.SUBMISSION, email=email, payload=payload)
        url = settings.SITE_URL + reverse("portal:submission_confirm", kwargs={"token": value})
        send_portal_mail(
            to=email,
            template="confirm_submission",
            context={"name": payload["name"], "title": request.title, "url": url},
            language=language,
        )


def confirm_submission(*, value: str) -> Ticket | None:
    """Open the ticket of a confirmed request; None when the link is invalid or used.

    The requester is the customer with the confirmed address (created if new); a request for
    an address of an agent is refused, as agents do not ask through the portal.
    """
    with transaction.atomic():
        token = redeem_token(purpose=MailToken.Purpose.SUBMISSION, value=value)
        if token is None:
            return None
        data = token.payload
        form = (
            RequestForm.objects.select_related("group", "category")
            .filter(pk=data.get("form"), is_active=True)
            .first()
        )
        if form is None:
            raise ValidationError(_("This request form is no longer offered."))
        customer, _created = get_or_create_customer(
            email=token.email, name=data.get("name", ""), language=data.get("language")
        )
        if not customer.is_customer or not customer.is_active:
            raise ValidationError(_("Requests for this address cannot be opened here."))
        request = Request(
            form=form,
            title=data["title"],
            body=data["body"],
            custom_fields=data.get("custom_fields") or {},
            files=[_stored_file(f) for f in data.get("files", [])],
        )
        return submit_request(customer=customer, request=request)


def _stored_file(entry: dict[str, Any]) -> NewFile:
    blob = Blob.objects.get(pk=entry["blob"])
    with blob.file.open("rb") as handle:
        data = handle.read()
    return NewFile(filename=entry["name"], data=data, content_type=entry["type"])
