from django.contrib import admin

from tresen.tickets.models import Category, CustomField, Tag, TicketNumbering


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "group", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["key", "label_en", "label_de", "kind", "group", "required", "is_active"]
    list_filter = ["kind", "group", "is_active"]
    search_fields = ["key", "label_en", "label_de"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(TicketNumbering)
class TicketNumberingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "prefix", "next_value", "digits"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not TicketNumbering.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
