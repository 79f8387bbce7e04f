"""The demand app's one bulk writer: demands with their lines and events, demand lists with their entries.

For the demo-data generator, beside ``demand.services`` and with their invariants imported from this app:
``budget_band`` from ``demand.visibility.budget_band``; a demand's events are the path the services walk
through ``demand.states.DEMAND_TRANSITIONS`` from ``created`` to its state; ``published_at`` is set exactly
when that path went through ``published``; ``closed_at`` when it ended closed or cancelled; a list is written
in a state of ``DEMAND_LIST_TRANSITIONS`` and its entries name only the list's items. Each call is one batch in
its own transaction (a savepoint within the caller's) and appends one audit entry per model.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import transaction

from ronghe.errors import InputError
from ronghe.platform.core.bulk import DEMO_DATA_ACTOR, Table, audit_batch
from ronghe.platform.demand.models import (
    Confidentiality,
    Demand,
    DemandEvent,
    DemandLine,
    DemandList,
    DemandListEntry,
    DemandState,
)
from ronghe.platform.demand.states import DEMAND_LIST_TRANSITIONS, DEMAND_TRANSITIONS
from ronghe.platform.demand.visibility import budget_band

#: States whose demands have left the market by an owner's (or operator's) hand: ``closed_at`` is set.
_ENDED = frozenset({DemandState.CLOSED, DemandState.CANCELLED})
_CONFIDENTIALITY = frozenset(Confidentiality.values)  # read once: ``Choices.values`` builds a list per call


@cache
def state_path(state: str) -> tuple[tuple[str, str, str], ...]:
    """The events ``demand.services`` records on the way to ``state``: (kind, from_state, to_state).

    The shortest walk through ``DEMAND_TRANSITIONS`` from a new draft (``created``), each step named for the
    state it reaches — so a change to the state table changes the generated history with it.
    """
    start = DemandState.DRAFT
    paths: dict[str, tuple[tuple[str, str, str], ...]] = {start: (("created", "", start),)}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in sorted(DEMAND_TRANSITIONS.get(here, ())):
            if there not in paths:
                paths[there] = (*paths[here], (str(there), str(here), str(there)))
                queue.append(there)
    if state not in paths:
        raise InputError(f"no way to reach demand state {state!r} from a draft")
    return paths[state]


@dataclass(frozen=True)
class DemandRow:
    """One new demand with its lines ``(item_id, scope, quantity)``."""

    organization_id: int
    created_by_id: int | None
    title: str
    summary: str
    industry_id: str
    province: str
    city: str
    budget_min: Decimal | int
    budget_max: Decimal | int
    deadline: date
    contact_name: str
    contact_phone: str
    contact_email: str
    confidentiality: str
    state: str
    published_at: datetime | None
    lines: Sequence[tuple[int, str, int]] = field(default_factory=tuple)


@dataclass(frozen=True)
class DemandListRow:
    """One new demand list, its items and its entries ``(item_id, manufacturer_id, quantity, joined_by_id)``."""

    name: str
    organization_id: int
    industry_id: str
    province: str
    city: str
    pain_points: str
    items: Sequence[int]
    entries: Sequence[tuple[int, int, int, int | None]] = ()
    state: str = DemandList.State.PUBLISHED
    published_at: datetime | None = None
    created_by_id: int | None = None


class DemandBulkWriter:
    """Bulk writes for one run; ``now`` stamps the rows' timestamps and the ``closed_at`` of ended demands."""

    def __init__(self, now: datetime, actor: str = DEMO_DATA_ACTOR) -> None:
        self.now, self.actor = now, actor
        self._demand = Table(Demand, (
            "organization_id", "created_by_id", "title", "summary", "industry_id", "province", "city",
            "budget_min", "budget_max", "budget_band", "deadline", "contact_name", "contact_phone",
            "contact_email", "confidentiality", "state", "published_at", "closed_at"), now)
        self._line = Table(DemandLine, ("demand_id", "item_id", "scope", "quantity"), now)
        self._event = Table(DemandEvent, ("demand_id", "kind", "from_state", "to_state", "user_id"), now)
        self._list = Table(DemandList, ("name", "organization_id", "industry_id", "province", "city", "pain_points",
                                        "state", "published_at", "created_by_id"), now)
        self._list_item = Table(DemandList.items.through, ("demandlist_id", "serviceitem_id"), now)
        self._entry = Table(DemandListEntry, ("demand_list_id", "item_id", "manufacturer_id", "quantity",
                                              "joined_by_id"), now)

    def _demand_values(self, n: int, r: DemandRow) -> tuple[Any, ...]:
        path = state_path(r.state)
        if r.confidentiality not in _CONFIDENTIALITY:
            raise InputError(f"unknown confidentiality {r.confidentiality!r}", cell=f"row {n}")
        if not 0 <= r.budget_min <= r.budget_max:
            raise InputError(f"budget {r.budget_min}–{r.budget_max} is not 0 ≤ min ≤ max", cell=f"row {n}")
        if (r.published_at is not None) != any(to == DemandState.PUBLISHED for _, _, to in path):
            raise InputError(f"published_at must be set exactly when a {r.state} demand was published",
                             cell=f"row {n}")
        if not r.lines:
            raise InputError("a demand needs at least one line", cell=f"row {n}")
        return (r.organization_id, r.created_by_id, r.title, r.summary, r.industry_id, r.province, r.city,
                r.budget_min, r.budget_max, budget_band(r.budget_max), r.deadline, r.contact_name, r.contact_phone,
                r.contact_email, r.confidentiality, r.state, r.published_at,
                self.now if r.state in _ENDED else None)

    def demands(self, rows: Sequence[DemandRow]) -> tuple[list[int], int, int]:
        """Insert the demands, their lines and their state events: (demand pks, lines, events)."""
        values = [self._demand_values(n, r) for n, r in enumerate(rows)]
        if not values:
            return [], 0, 0
        with transaction.atomic():
            pks = self._demand.insert_returning(values)
            lines = self._line.insert(
                (pk, item, scope, quantity) for pk, r in zip(pks, rows, strict=True) for item, scope, quantity in r.lines
            )
            events = self._event.insert(
                (pk, *step, r.created_by_id) for pk, r in zip(pks, rows, strict=True) for step in state_path(r.state)
            )
            audit_batch(Demand, pks, actor=self.actor, lines=lines, events=events)
        return pks, lines, events

    def demand_list(self, row: DemandListRow) -> tuple[int, int]:
        """Insert one list with its items and entries: (list pk, entries)."""
        if row.state not in DEMAND_LIST_TRANSITIONS:
            raise InputError(f"unknown demand list state {row.state!r}")
        if (row.published_at is not None) != (row.state != DemandList.State.DRAFT):
            raise InputError("published_at must be set exactly when the list is no longer a draft")
        listed = set(row.items)
        stray = sorted({item for item, *_ in row.entries} - listed)
        if stray:
            raise InputError(f"entries name items {stray} that are not on the list {row.name!r}")
        with transaction.atomic():
            (pk,) = self._list.insert_returning([(row.name, row.organization_id, row.industry_id, row.province,
                                                  row.city, row.pain_points, row.state, row.published_at,
                                                  row.created_by_id)])
            self._list_item.insert((pk, item) for item in row.items)
            entries = self._entry.insert_returning([(pk, *entry) for entry in row.entries]) if row.entries else []
            audit_batch(DemandList, [pk], actor=self.actor, items=len(row.items), entries=len(entries))
            audit_batch(DemandListEntry, entries, actor=self.actor, demand_list=pk)
        return pk, len(entries)
