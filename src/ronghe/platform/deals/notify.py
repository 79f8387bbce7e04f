"""Who must know of each deal event (declared in ``platform.py``; delivered by the inbox after commit).

No resolver ever names a party that may not see the deal, and none tells a buyer about a sealed bid.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from ronghe.platform.core.registry import Notice
from ronghe.platform.deals.models import BidState, Contract, DealEvent, Dispute


def bidder(event: DealEvent) -> list[int]:
    """Submitted, revised, withdrawn: the bidder's own confirmation (the buyer hears only at the opening)."""
    return [event.organization_id_acting] if event.organization_id_acting else []


def invited_providers(event: DealEvent) -> list[int]:
    """An invited-only RFQ opened: each invited provider."""
    return list(event.rfq.invited.values_list("pk", flat=True))


def buyer_and_bidders(event: DealEvent) -> list[int]:
    """Opened, awarded, cancelled: the buyer and every bidder (losers see the award notice)."""
    bidders = event.rfq.bids.exclude(state=BidState.WITHDRAWN).values_list("provider_id", flat=True)
    return sorted({event.rfq.organization_id, *bidders})


def contract_parties(event: DealEvent) -> list[int]:
    """Contract and milestone steps: both sides of the contract."""
    contract = Contract.objects.filter(pk=(event.data or {}).get("contract")).first()
    return sorted({contract.buyer_id, contract.provider_id}) if contract else []


def dispute_parties(event: DealEvent) -> list[int]:
    """A dispute raised or resolved: both sides and the arbitrating association (the operator sees every one)."""
    dispute = Dispute.objects.filter(pk=(event.data or {}).get("dispute")).select_related("milestone__contract").first()
    if dispute is None:
        return []
    contract = dispute.milestone.contract
    return sorted({contract.buyer_id, contract.provider_id, *([dispute.arbitrator_id] if dispute.arbitrator_id else [])})


def ratee(event: DealEvent) -> list[int]:
    """A rating given: the rated organization."""
    target = (event.data or {}).get("ratee")
    return [int(target)] if target else []


#: what each deal event says to the party told of it (the RFQ's title only: never a price, plan or document)
_DEAL_NOTICES: dict[str, str] = {
    "rfq.created": gettext_noop("您受邀参与招标“{title}”"),
    "bid.submitted": gettext_noop("您的投标“{title}”已密封提交"),
    "bid.revised": gettext_noop("您的投标“{title}”已修改，以最后一版为准"),
    "bid.withdrawn": gettext_noop("您的投标“{title}”已撤回"),
    "rfq.opened": gettext_noop("招标“{title}”已开标"),
    "rfq.cancelled": gettext_noop("招标“{title}”已取消"),
    "lot.awarded": gettext_noop("招标“{title}”有标段已定标"),
    "rfq.awarded": gettext_noop("招标“{title}”已定标"),
    "contract.created": gettext_noop("“{title}”的合同已生成，请核对后签署"),
    "contract.updated": gettext_noop("“{title}”的合同已修改，请重新核对"),
    "contract.signed": gettext_noop("“{title}”的合同有一方已签署"),
    "contract.activated": gettext_noop("“{title}”的合同已生效"),
    "contract.completed": gettext_noop("“{title}”的合同已完成，可以评价对方"),
    "milestone.funded": gettext_noop("“{title}”的一个里程碑已托管付款（模拟支付）"),
    "milestone.submitted": gettext_noop("“{title}”的一个里程碑已提交交付物，等待验收"),
    "milestone.accepted": gettext_noop("“{title}”的一个里程碑已验收通过"),
    "milestone.auto_accepted": gettext_noop("“{title}”的一个里程碑逾期未答复，已自动验收"),
    "milestone.rejected": gettext_noop("“{title}”的一个里程碑被驳回"),
    "milestone.released": gettext_noop("“{title}”的一个里程碑款项已放款（模拟支付）"),
    "milestone.refunded": gettext_noop("“{title}”的一个里程碑款项已退款（模拟支付）"),
    "dispute.raised": gettext_noop("“{title}”有一项争议待裁决"),
    "dispute.resolved": gettext_noop("“{title}”的争议已裁决"),
    "rating.given": gettext_noop("您在“{title}”中收到了一条评价"),
}


def describe(event: Any, action: str, user: Any) -> Notice:
    """The notice a party reads for a deal event: the RFQ's title and a link to the RFQ page."""
    rfq = event.rfq
    return Notice(_DEAL_NOTICES.get(action, gettext_noop("招标“{title}”有新动态")), {"title": rfq.title},
                  reverse("deals:rfq_detail", args=[rfq.pk]))
