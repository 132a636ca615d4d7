"""Admin for mailboxes (password write-only, "test connection"), the inbound messages with
their quarantine ("process again") and the postmaster filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tresen.mail.models import InboundMessage, InboundState, Mailbox, PostmasterFilter


class MailboxForm(forms.ModelForm):
    # Write-only: the stored password is never sent back to the browser.
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "protocol",
            "host",
            "port",
            "username",
            "password",
            "folder",
            "archive_folder",
            "group",
            "poll_interval",
            "is_active",
        ]

    def clean_password(self) -> str:
        value = self.cleaned_data.get("password") or ""
        if not value and self.instance.pk:
            return self.instance.password
        return value


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "protocol", "host", "group", "is_active", "last_polled_at"]
    list_filter = ["is_active", "protocol"]
    readonly_fields = ["last_polled_at", "last_error"]
    actions = ["test_connection"]

    @admin.action(description=_("Test connection"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        from tresen.mail.fetching import FetchError
        from tresen.mail.fetching import test_connection as probe

        for mailbox in queryset:
            try:
                found = probe(mailbox)
            except FetchError as exc:
                self.message_user(
                    request,
                    _("%(mailbox)s: connection failed: %(error)s")
                    % {"mailbox": mailbox, "error": exc},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(mailbox)s: connected, %(found)s.") % {"mailbox": mailbox, "found": found},
                    messages.SUCCESS,
                )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "mailbox",
        "from_address",
        "subject",
        "state",
        "reason",
        "ticket",
    ]
    list_filter = ["state", "mailbox"]
    search_fields = ["sha256", "message_id", "from_address", "subject"]
    date_hierarchy = "received_at"
    exclude = ["raw"]
    readonly_fields = [
        f.name for f in InboundMessage._meta.get_fields() if f.concrete and f.name != "raw"
    ]
    actions = ["process_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Process again"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        from tresen.mail.intake import process, requeue

        ids = list(queryset.filter(state=InboundState.QUARANTINED).values_list("pk", flat=True))
        requeue(message_ids=ids)
        states = [process(message_id=pk).state for pk in ids]
        done = sum(1 for s in states if s != InboundState.QUARANTINED)
        self.message_user(
            request,
            ngettext(
                "%(done)d of %(count)d message processed.",
                "%(done)d of %(count)d messages processed.",
                len(ids),
            )
            % {"done": done, "count": len(ids)},
        )


@admin.register(PostmasterFilter)
class PostmasterFilterAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "header", "match", "value", "ignore", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "mailbox"]
