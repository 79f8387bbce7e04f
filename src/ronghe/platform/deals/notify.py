"""Who must know of each deal event (declared in ``platform.py``; delivered by the inbox after commit).

No resolver ever names a party that may not see the deal, and none tells a buyer about a sealed bid.
"""

from __future__ import annotations

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
