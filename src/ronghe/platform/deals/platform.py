"""What the deals app adds to the platform (collected by ``core.registry``)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.registry import JourneyStep, NavEntry, Periodic, PlatformApp

_N = "ronghe.platform.deals.notify"

app = PlatformApp(
    label="deals",
    url_prefix="deals/",
    urls="ronghe.platform.deals.urls",
    api="ronghe.platform.deals.api:register",
    nav=(NavEntry(_("交易"), "deals:index", order=45, signed_in=True),),
    journeys=(
        JourneyStep("manufacturer", _("发起招标、定标与验收"), "deals:index", 40),
        JourneyStep("provider", _("投标与履约"), "deals:index", 40),
        JourneyStep("association", _("争议裁决"), "deals:index", 40),
        JourneyStep("operator", _("交易与争议"), "deals:index", 40),
    ),
    periodic=(
        Periodic("ronghe.platform.deals.tasks:open_due_rfqs_task", timedelta(minutes=5)),
        Periodic("ronghe.platform.deals.tasks:auto_accept_milestones_task", timedelta(hours=1)),
    ),
    demo_loader="ronghe.platform.deals.demo:load_demo",
    demo_order=60,
    notices="ronghe.platform.deals.notify:describe",
    recipients={
        "rfq.created": f"{_N}:invited_providers",
        "bid.submitted": f"{_N}:bidder",
        "bid.revised": f"{_N}:bidder",
        "bid.withdrawn": f"{_N}:bidder",
        "rfq.opened": f"{_N}:buyer_and_bidders",
        "rfq.cancelled": f"{_N}:buyer_and_bidders",
        "lot.awarded": f"{_N}:buyer_and_bidders",
        "rfq.awarded": f"{_N}:buyer_and_bidders",
        "contract.created": f"{_N}:contract_parties",
        "contract.updated": f"{_N}:contract_parties",
        "contract.signed": f"{_N}:contract_parties",
        "contract.activated": f"{_N}:contract_parties",
        "contract.completed": f"{_N}:contract_parties",
        "milestone.funded": f"{_N}:contract_parties",
        "milestone.submitted": f"{_N}:contract_parties",
        "milestone.accepted": f"{_N}:contract_parties",
        "milestone.auto_accepted": f"{_N}:contract_parties",
        "milestone.rejected": f"{_N}:contract_parties",
        "milestone.released": f"{_N}:contract_parties",
        "milestone.refunded": f"{_N}:contract_parties",
        "dispute.raised": f"{_N}:dispute_parties",
        "dispute.resolved": f"{_N}:dispute_parties",
        "rating.given": f"{_N}:ratee",
    },
    object_links={"demand.demand": "ronghe.platform.deals.links:demand_links"},
    commitments="ronghe.platform.deals.capacity:commitments",
    audit_types=("deals.rfq", "deals.lot", "deals.bid", "deals.contract", "deals.milestone", "deals.dispute",
                 "deals.rating", "deals.dealdocument"),
)
