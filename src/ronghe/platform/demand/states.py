"""The demand and demand-list state tables: every allowed ``from → to``, nothing else.

The deals app (RFQ, bids, award, contract) moves a demand along ``published → bidding → awarded → contracted →
closed``: an RFQ opened on it makes it ``bidding``; the award of its lots ``awarded``; the first contract both
sides signed ``contracted``; the last contract completed ``closed``. Cancel paths: an RFQ cancelled, or opened
with no bids, returns the demand to ``published``; an awarded or contracted demand whose every contract was
cancelled is ``cancelled``. The demand app's own services never enter these states.
"""

from __future__ import annotations

from ronghe.platform.core.kit import StateTable
from ronghe.platform.demand.models import DemandList, DemandState

DEMAND_TRANSITIONS: dict[str, frozenset[str]] = {
    DemandState.DRAFT: frozenset({DemandState.PUBLISHED, DemandState.CANCELLED}),
    DemandState.PUBLISHED: frozenset({DemandState.CLOSED, DemandState.CANCELLED, DemandState.EXPIRED,
                                      DemandState.BIDDING}),
    DemandState.BIDDING: frozenset({DemandState.AWARDED, DemandState.PUBLISHED, DemandState.CANCELLED}),
    DemandState.AWARDED: frozenset({DemandState.CONTRACTED, DemandState.CANCELLED}),
    DemandState.CONTRACTED: frozenset({DemandState.CLOSED, DemandState.CANCELLED}),
    DemandState.CLOSED: frozenset(),
    DemandState.CANCELLED: frozenset(),
    DemandState.EXPIRED: frozenset(),
}

DEMAND_LIST_TRANSITIONS: dict[str, frozenset[str]] = {
    DemandList.State.DRAFT: frozenset({DemandList.State.PUBLISHED}),
    DemandList.State.PUBLISHED: frozenset({DemandList.State.CLOSED}),
    DemandList.State.CLOSED: frozenset(),
}

EDITABLE_DEMAND_STATES = frozenset({DemandState.DRAFT})
#: the states a deal (deals app) moves a demand through
DEAL_DEMAND_STATES = frozenset({DemandState.BIDDING, DemandState.AWARDED, DemandState.CONTRACTED})
#: states in which the owner may still add attachments or invite providers
OPEN_DEMAND_STATES = frozenset({DemandState.DRAFT, DemandState.PUBLISHED})

DEMAND_STATES = StateTable(DEMAND_TRANSITIONS, {s.value: str(s.label) for s in DemandState})
DEMAND_LIST_STATES = StateTable(DEMAND_LIST_TRANSITIONS, {s.value: str(s.label) for s in DemandList.State})
