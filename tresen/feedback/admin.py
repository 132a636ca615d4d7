from django.contrib import admin

from tresen.feedback.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["ticket", "customer", "score", "updated_at"]
    list_filter = ["score"]
    search_fields = ["ticket__number", "customer__email"]
    raw_id_fields = ["ticket", "customer"]
    readonly_fields = ["ticket", "customer", "score", "comment", "created_at", "updated_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
