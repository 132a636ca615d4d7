from django.contrib import admin

from tresen.knowledge.models import Answer, Deflection


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "is_published", "view_count", "solved_count"]
    list_filter = ["language", "is_published"]
    search_fields = ["title", "summary", "body_html"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["view_count", "solved_count", "created_at", "updated_at"]


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["answer", "how", "user", "created_at"]
    list_filter = ["how"]
    readonly_fields = ["answer", "user", "how", "created_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
