"""What of a bid and of a deal document a user may read — the ONE place pages, API, downloads and OCDS ask.

Sealed bids (密封投标): until the scheduler opens the RFQ at its deadline, a bid's price, plan, team and documents
are readable by its bidder only — not the buyer, not a competitor, not the operator. The rows themselves are
hidden by ``Bid.objects.restrict`` (so lists, counts, ordering and search cannot leak them either); the number of
bids is shown before opening only where the buyer chose to show it. After opening, the buyer and the operator
read every bid; the other bidders see the award notice (winner, value, reason) and their own bid, never another
bid's plan or documents.

Documents carry a visibility — public, parties only, buyer only (with a written reason, as ProZorro's
``buyer_only``); the unentitled see that a document exists and its hash, never its content or link.
"""

from __future__ import annotations

from typing import Any

from ronghe.platform.core.permissions import is_operator, org_ids
from ronghe.platform.deals.models import RFQ, Bid, DealDocument, RFQState, Visibility


def _orgs(user: Any) -> set[int]:
    return set(org_ids(user)) if getattr(user, "is_authenticated", False) else set()


def is_bidder(user: Any, bid: Bid) -> bool:
    return bid.provider_id in _orgs(user)


def is_buyer(user: Any, rfq: RFQ) -> bool:
    return rfq.organization_id in _orgs(user)


def opened(rfq: RFQ) -> bool:
    """Bids are unsealed once the scheduler has opened the RFQ (or it ended after the deadline)."""
    return rfq.state != RFQState.BIDDING and rfq.opened_at is not None


def may_read_bid(user: Any, bid: Bid) -> bool:
    """Price, plan, team and documents of ``bid``: its bidder always; buyer and operator once opened."""
    if is_bidder(user, bid):
        return True
    return opened(bid.rfq) and (is_buyer(user, bid.rfq) or is_operator(user))


def bid_count(user: Any, rfq: RFQ) -> int | None:
    """The number of submitted bids, or None where it must not be shown (sealed and not chosen to be shown)."""
    if not (opened(rfq) or rfq.show_bid_count):
        return None
    return rfq.bids.filter(state__in=["submitted", "awarded", "lost"]).count()


def document_parties(doc: DealDocument) -> set[int]:
    parties = {doc.rfq.organization_id, doc.organization_id}
    contract = doc.contract or (doc.milestone.contract if doc.milestone_id else None) or (
        doc.dispute.milestone.contract if doc.dispute_id else None)
    if contract is not None:
        parties |= {contract.buyer_id, contract.provider_id}
    if doc.dispute_id and doc.dispute.arbitrator_id:
        parties.add(doc.dispute.arbitrator_id)
    return parties


def may_read_document(user: Any, doc: DealDocument) -> bool:
    """The content and link of ``doc``; everyone who sees its deal may see that it exists and its hash."""
    mine = _orgs(user)
    if doc.role == DealDocument.Role.BID:
        bid = doc.bid_version.bid
        if is_bidder(user, bid):
            return True
        if not opened(doc.rfq):
            return False  # sealed: nobody but the bidder, whatever its visibility says
        if doc.visibility == Visibility.PUBLIC:
            return True
        return is_buyer(user, doc.rfq) or is_operator(user)
    if doc.visibility == Visibility.PUBLIC:
        return True
    if is_operator(user) or doc.organization_id in mine:
        return True
    if doc.visibility == Visibility.BUYER_ONLY:
        return doc.rfq.organization_id in mine
    return bool(document_parties(doc) & mine)
