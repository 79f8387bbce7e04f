"""The deal's state tables: every allowed ``from → to``, nothing else (ProZorro's state modules).

The demand itself moves ``published → bidding → awarded → contracted → closed`` (``demand.states``); these are
the deal's own objects.
"""

from __future__ import annotations

from ronghe.platform.core.kit import StateTable
from ronghe.platform.deals.models import (
    BidState,
    ContractState,
    LotState,
    MilestoneState,
    PaymentState,
    RFQState,
)

RFQ_STATES = StateTable({
    RFQState.BIDDING: frozenset({RFQState.OPENED, RFQState.UNSUCCESSFUL, RFQState.CANCELLED}),
    RFQState.OPENED: frozenset({RFQState.AWARDED, RFQState.UNSUCCESSFUL, RFQState.CANCELLED}),
    RFQState.AWARDED: frozenset(),
    RFQState.UNSUCCESSFUL: frozenset(),
    RFQState.CANCELLED: frozenset(),
}, {s.value: str(s.label) for s in RFQState})

LOT_STATES = StateTable({
    LotState.ACTIVE: frozenset({LotState.AWARDED, LotState.UNSUCCESSFUL, LotState.CANCELLED}),
    LotState.AWARDED: frozenset(),
    LotState.UNSUCCESSFUL: frozenset(),
    LotState.CANCELLED: frozenset(),
}, {s.value: str(s.label) for s in LotState})

BID_STATES = StateTable({
    BidState.SUBMITTED: frozenset({BidState.WITHDRAWN, BidState.AWARDED, BidState.LOST}),
    BidState.WITHDRAWN: frozenset({BidState.SUBMITTED}),  # a withdrawn bid may be submitted again before the deadline
    BidState.AWARDED: frozenset({BidState.AWARDED}),  # a bid may win several lots
    BidState.LOST: frozenset({BidState.AWARDED}),  # lost one lot, won another
}, {s.value: str(s.label) for s in BidState})

CONTRACT_STATES = StateTable({
    ContractState.DRAFT: frozenset({ContractState.ACTIVE, ContractState.CANCELLED}),
    ContractState.ACTIVE: frozenset({ContractState.COMPLETED}),
    ContractState.COMPLETED: frozenset(),
    ContractState.CANCELLED: frozenset(),
}, {s.value: str(s.label) for s in ContractState})

MILESTONE_STATES = StateTable({
    MilestoneState.PENDING: frozenset({MilestoneState.SUBMITTED}),
    MilestoneState.SUBMITTED: frozenset({MilestoneState.ACCEPTED, MilestoneState.REJECTED, MilestoneState.DISPUTED}),
    MilestoneState.REJECTED: frozenset({MilestoneState.SUBMITTED, MilestoneState.DISPUTED}),
    MilestoneState.DISPUTED: frozenset({MilestoneState.ACCEPTED, MilestoneState.FAILED}),
    MilestoneState.ACCEPTED: frozenset(),
    MilestoneState.FAILED: frozenset(),
}, {s.value: str(s.label) for s in MilestoneState})

PAYMENT_STATES = StateTable({
    PaymentState.UNFUNDED: frozenset({PaymentState.FUNDED}),
    PaymentState.FUNDED: frozenset({PaymentState.RELEASED, PaymentState.REFUNDED}),
    PaymentState.RELEASED: frozenset(),
    PaymentState.REFUNDED: frozenset(),
}, {s.value: str(s.label) for s in PaymentState})

#: milestone states that end it (the contract completes when every milestone is in one, its money settled)
FINAL_MILESTONE_STATES = frozenset({MilestoneState.ACCEPTED, MilestoneState.FAILED})
SETTLED_PAYMENT_STATES = frozenset({PaymentState.RELEASED, PaymentState.REFUNDED})
