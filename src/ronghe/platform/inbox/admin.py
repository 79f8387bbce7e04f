"""Read-only admin: what was sent to whom, for support (notifications change only through the services)."""

from django.contrib import admin

from ronghe.platform.core.admin import ReadOnlyAdmin
from ronghe.platform.inbox.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "organization", "action", "state", "emailed_at"]
    list_filter = ["state", "action"]
    search_fields = ["recipient__username", "action"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "email", "updated_at"]
