"""Operator's view of the catalog: read-only. Curation goes through the catalog pages and API (the services)."""

from django.contrib import admin

from ronghe.platform.catalog.models import ServiceCategory, ServiceItem, ServiceItemEvent
from ronghe.platform.core.admin import ReadOnlyAdmin, ReadOnlyInline


class ServiceItemEventInline(ReadOnlyInline):
    model = ServiceItemEvent
    fields = ["at", "kind", "from_state", "to_state", "user", "note"]
    readonly_fields = fields


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "divisions"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en", "synonyms"]


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name_zh", "status", "pricing_model", "category", "curated_by"]
    list_filter = ["status", "pricing_model", "category__parent"]
    search_fields = ["code", "name_zh", "name_en", "keywords"]
    list_select_related = ["category", "curated_by"]
    inlines = [ServiceItemEventInline]
