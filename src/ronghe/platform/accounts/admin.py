"""Django admin for the operator: organizations of every kind (incl. operator and government), members."""

from django.contrib import admin
from django.db import models

from ronghe.platform.accounts.models import Industry, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "province", "city", "is_synthetic", "created_at"]
    list_filter = ["kind", "province", "is_synthetic"]
    search_fields = ["name", "name_en", "credit_code"]
    filter_horizontal = ["industries"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "section", "name_zh", "name_en"]
    list_filter = ["section"]
    search_fields = ["code", "name_zh", "name_en"]
