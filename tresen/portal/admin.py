from django.contrib import admin

from tresen.portal.models import RequestForm


@admin.register(RequestForm)
class RequestFormAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_de", "group", "category", "is_active", "is_public"]
    list_filter = ["is_active", "is_public", "group"]
    filter_horizontal = ["fields"]
