from django.contrib import admin

from tresen.desk.models import SavedView, TextModule


@admin.register(TextModule)
class TextModuleAdmin(admin.ModelAdmin):
    list_display = ["name", "keyword", "language", "group", "is_active"]
    list_filter = ["language", "group", "is_active"]
    search_fields = ["name", "keyword", "body"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner"]
    search_fields = ["name", "owner__email"]
