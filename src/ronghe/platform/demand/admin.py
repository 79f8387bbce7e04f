"""Django admin for the operator. Opening a demand in the admin is an access to confidential material: logged."""

from __future__ import annotations

from django.contrib import admin

from ronghe.platform.core.audit import log_confidential_access
from ronghe.platform.demand.models import (
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandInvitation,
    DemandLine,
    DemandList,
    DemandListEntry,
)


@admin.register(DemandList)
class DemandListAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "industry", "province", "state", "published_at"]
    list_filter = ["state", "province"]
    search_fields = ["name"]
    raw_id_fields = ["organization", "items", "created_by"]


@admin.register(DemandListEntry)
class DemandListEntryAdmin(admin.ModelAdmin):
    list_display = ["demand_list", "manufacturer", "item", "quantity"]
    raw_id_fields = ["demand_list", "manufacturer", "item", "joined_by"]


class DemandLineInline(admin.TabularInline):
    model = DemandLine
    raw_id_fields = ["item"]
    extra = 0


class DemandInvitationInline(admin.TabularInline):
    model = DemandInvitation
    raw_id_fields = ["provider", "invited_by", "accepted_by"]
    extra = 0


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    # the change list shows summary columns only; confidential fields appear on the (logged) change page
    list_display = ["title", "industry", "province", "budget_band", "deadline", "confidentiality", "state"]
    list_filter = ["state", "confidentiality", "province"]
    search_fields = ["title"]
    raw_id_fields = ["organization", "industry", "created_by"]
    inlines = [DemandLineInline, DemandInvitationInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        demand = self.get_object(request, object_id)
        if demand is not None:
            log_confidential_access(request.user, demand, "details (admin)", "web")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(DemandAttachment)
class DemandAttachmentAdmin(admin.ModelAdmin):
    list_display = ["demand", "size", "content_type", "uploaded_at"]
    exclude = ["file"]  # files are downloaded through the permission-checked view only
    readonly_fields = ["demand", "original_name", "content_type", "size", "sha256", "uploaded_by"]


@admin.register(DemandEvent)
class DemandEventAdmin(admin.ModelAdmin):
    list_display = ["demand", "kind", "from_state", "to_state", "user", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["demand", "user"]
