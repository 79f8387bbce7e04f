"""Django admin for the operator: read-only (changes go through the services and the audit chain).

Opening a demand in the admin is an access to confidential material: logged. Moderation (close, cancel) is an
admin action that calls the service with the operator as the actor.
"""

from __future__ import annotations

from django.contrib import admin

from ronghe.platform.core.admin import ReadOnlyAdmin, ReadOnlyInline, service_action
from ronghe.platform.core.audit import log_confidential_access
from ronghe.platform.demand import services
from ronghe.platform.demand.models import (
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandInvitation,
    DemandLine,
    DemandList,
    DemandListEntry,
    DemandListEvent,
)


@admin.register(DemandList)
class DemandListAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "industry", "province", "state", "published_at"]
    list_filter = ["state", "province"]
    search_fields = ["name"]
    actions = [service_action(services.close_demand_list, "关闭所选清单 close the selected lists", "已关闭 {n} 个清单")]


@admin.register(DemandListEntry)
class DemandListEntryAdmin(ReadOnlyAdmin):
    list_display = ["demand_list", "manufacturer", "item", "quantity"]


class DemandLineInline(ReadOnlyInline):
    model = DemandLine


class DemandInvitationInline(ReadOnlyInline):
    model = DemandInvitation


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    # the change list shows summary columns only; confidential fields appear on the (logged) change page
    list_display = ["title", "industry", "province", "budget_band", "deadline", "confidentiality", "state"]
    list_filter = ["state", "confidentiality", "province"]
    search_fields = ["title"]
    inlines = [DemandLineInline, DemandInvitationInline]
    actions = [
        service_action(services.close_demand, "关闭所选需求 close the selected demands", "已关闭 {n} 个需求"),
        service_action(services.cancel_demand, "取消所选需求 cancel the selected demands", "已取消 {n} 个需求"),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        demand = self.get_object(request, object_id)
        if demand is not None:
            log_confidential_access(request.user, demand, "details (admin)", "web")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(DemandAttachment)
class DemandAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["demand", "size", "content_type", "uploaded_at"]
    exclude = ["file"]  # files are downloaded through the permission-checked view only


@admin.register(DemandEvent)
class DemandEventAdmin(ReadOnlyAdmin):
    list_display = ["demand", "kind", "from_state", "to_state", "user", "at"]
    list_filter = ["kind"]


@admin.register(DemandListEvent)
class DemandListEventAdmin(ReadOnlyAdmin):
    list_display = ["demand_list", "kind", "user", "at"]
    list_filter = ["kind"]
