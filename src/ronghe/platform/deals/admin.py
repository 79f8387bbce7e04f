"""Read-only admin for deals: a window on every row; the operator's one action (arbitration) has its own page."""

from django.contrib import admin

from ronghe.platform.core.admin import ReadOnlyAdmin, ReadOnlyInline
from ronghe.platform.deals import models as m


class LotInline(ReadOnlyInline):
    model = m.Lot
    fields = ["title", "quantity", "state"]


class MilestoneInline(ReadOnlyInline):
    model = m.Milestone
    fields = ["number", "title", "amount", "due_date", "state", "payment_state"]


@admin.register(m.RFQ)
class RFQAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "organization", "state", "bid_deadline", "opened_at"]
    list_filter = ["state", "access"]
    inlines = [LotInline]


@admin.register(m.Bid)
class BidAdmin(ReadOnlyAdmin):
    """Rows only (never prices or plans): the admin is no way around the seal."""

    list_display = ["id", "rfq", "provider", "state", "created_at"]
    fields = ["rfq", "provider", "state", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        from ronghe.platform.deals.models import RFQState

        return super().get_queryset(request).exclude(rfq__state=RFQState.BIDDING)


@admin.register(m.Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "buyer", "provider", "value", "state", "signed_at"]
    list_filter = ["state"]
    inlines = [MilestoneInline]


@admin.register(m.Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "milestone", "kind", "amount", "provider", "reference", "status", "at"]


@admin.register(m.Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["id", "milestone", "raised_by", "arbitrator", "state", "outcome"]


@admin.register(m.Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["id", "contract", "side", "quality", "timeliness", "communication"]


@admin.register(m.DealEvent)
class DealEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "rfq", "kind", "from_state", "to_state", "organization_id_acting"]

    def get_queryset(self, request):
        """A sealed RFQ's bid events are not listed (they would count its bids)."""
        return super().get_queryset(request).exclude(rfq__state=m.RFQState.BIDDING,
                                                     kind__in=("submitted", "revised", "withdrawn"))
