from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tresen.notifications.models import (
    NotificationPreference,
    OutboundMail,
    OutboundRecipient,
    OutboundStatus,
)
from tresen.notifications.outbox import requeue_mail


class RecipientInline(admin.TabularInline):
    """Each address with what the mail server answered for it."""

    model = OutboundRecipient
    fields = ("address", "state", "smtp_code", "smtp_reply")
    readonly_fields = ("address", "state", "smtp_code", "smtp_reply")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, what waits, what failed and why."""

    inlines = [RecipientInline]

    list_display = ["subject", "status", "attempts", "next_attempt_at", "created_at", "sent_at"]
    list_filter = ["status", "automatic"]
    search_fields = ["message_id", "subject"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    exclude = ["ticket", "article"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed or held-back mails again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundMail]) -> None:
        held = queryset.filter(status__in=[OutboundStatus.FAILED, OutboundStatus.SUPPRESSED])
        ids = list(held.values_list("pk", flat=True))
        for mail_id in ids:
            requeue_mail(mail_id=mail_id)
        self.message_user(
            request,
            ngettext("%(count)d mail queued again.", "%(count)d mails queued again.", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
