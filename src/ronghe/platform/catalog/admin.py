"""Operator's view of the catalog; curation goes through the catalog pages (services), never admin edits."""

from django.contrib import admin

from ronghe.platform.catalog.models import ServiceCategory, ServiceItem


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "divisions"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en", "synonyms"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "name_zh", "status", "pricing_model", "category", "curated_by"]
    list_filter = ["status", "pricing_model", "category__parent"]
    search_fields = ["code", "name_zh", "name_en", "keywords"]
    list_select_related = ["category", "curated_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
