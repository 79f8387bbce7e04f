"""Django admin for core: the read-only base every domain model's admin uses, the audit chain, the access log.

Domain models change only through their services (the audit chain records every change), so the admin is a
window, not a door: no add, change or delete. Where an operator must act (approve, verify), the app's admin
adds an action that calls the service with ``request.user`` as the actor.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from ronghe.platform.core.models import AuditEntry, ConfidentialAccess


class NoWrites:
    """No add, change or delete permission, whoever asks (view stays with Django's own checks)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    """Lists and detail pages only; every field shown read-only."""


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False


def service_action(service, description: str, done: str):
    """An admin action that runs ``service(request.user, obj)`` per selected object and reports each result."""

    def action(modeladmin, request, queryset):
        ok = 0
        for obj in queryset:
            try:
                service(request.user, obj)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [str(exc)]))
                modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
            else:
                ok += 1
        if ok:
            modeladmin.message_user(request, done.format(n=ok), messages.SUCCESS)

    action.__name__ = f"{service.__name__}_selected"  # admin actions are told apart by name (admin.E130)
    action.short_description = description
    action.allowed_permissions = ("view",)
    return action


@admin.register(ConfidentialAccess)
class ConfidentialAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "organization", "object_type", "object_id", "what", "channel", "audit_seq"]
    list_filter = ["channel", "object_type"]
    search_fields = ["user__username", "object_id", "what"]
    date_hierarchy = "at"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor", "organization_id", "action", "object_type", "object_id", "short_hash"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor", "request_id", "hash"]
    date_hierarchy = "at"

    @admin.display(description="hash")
    def short_hash(self, entry: AuditEntry) -> str:
        return entry.hash[:12]
