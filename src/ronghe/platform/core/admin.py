"""Django admin for the confidential-access log: read-only, it is evidence."""

from django.contrib import admin

from ronghe.platform.core.models import ConfidentialAccess


@admin.register(ConfidentialAccess)
class ConfidentialAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "organization", "object_type", "object_id", "what", "channel"]
    list_filter = ["channel", "object_type"]
    search_fields = ["user__username", "object_id", "what"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
