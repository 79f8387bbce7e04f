"""The demand and demand-list state tables: every allowed ``from → to``, nothing else.

Bidding, award and contract states arrive with the deals issue: they will be added here (e.g.
``published → bidding → awarded → contracted``) and the transition functions in ``services`` stay as they are.
"""

from __future__ import annotations

from ronghe.platform.core.kit import StateTable
from ronghe.platform.demand.models import DemandList, DemandState

DEMAND_TRANSITIONS: dict[str, frozenset[str]] = {
    DemandState.DRAFT: frozenset({DemandState.PUBLISHED, DemandState.CANCELLED}),
    DemandState.PUBLISHED: frozenset({DemandState.CLOSED, DemandState.CANCELLED, DemandState.EXPIRED}),
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
#: states in which the owner may still add attachments or invite providers
OPEN_DEMAND_STATES = frozenset({DemandState.DRAFT, DemandState.PUBLISHED})

DEMAND_STATES = StateTable(DEMAND_TRANSITIONS, {s.value: str(s.label) for s in DemandState})
DEMAND_LIST_STATES = StateTable(DEMAND_LIST_TRANSITIONS, {s.value: str(s.label) for s in DemandList.State})
