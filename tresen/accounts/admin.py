from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group as PermissionGroup
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import (
    Group,
    GroupMembership,
    Organisation,
    OrganisationDomain,
    PhoneNumber,
    User,
)

# Django's permission groups mean nothing here (the role decides); hiding them keeps "Groups"
# one word in the admin: the teams below.
if admin.site.is_registered(PermissionGroup):
    admin.site.unregister(PermissionGroup)


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "shared_tickets"]
    search_fields = ["name", "domains__domain"]
    inlines = [OrganisationDomainInline]


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    extra = 1


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 1
    autocomplete_fields = ["user"]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role", "language")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "organisation", "language", "is_active"]
    list_filter = ["role", "is_active", "language"]
    search_fields = ["email", "name", "phone_numbers__number"]
    autocomplete_fields = ["organisation"]
    inlines = [PhoneNumberInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("name", "language", "time_zone", "organisation", "note")}),
        (_("Role"), {"fields": ("role", "is_active", "email_undeliverable_at")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "role", "language", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ()


class GroupAdminForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "email", "sender_name", "signature", "is_active"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    form = GroupAdminForm
    list_display = ["name", "email", "is_active"]
    search_fields = ["name"]
    inlines = [MembershipInline]
