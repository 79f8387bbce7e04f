"""What the deals app tells matching about capacity (``PlatformApp.commitments``, collected by ``core.registry``).

A contract awaiting signatures (``draft``) or in performance (``active``, 履约中) occupies one unit of its
provider's monthly capacity (``Offering.monthly_capacity``, projects per month) for its lot's service item;
completed and cancelled contracts free it. Matching asks through the registry and never imports this app.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from ronghe.platform.deals.models import Contract, ContractState

OCCUPYING = (ContractState.DRAFT, ContractState.ACTIVE)
#: above this many providers, one query over all live contracts beats a long ``IN`` list
_IN_LIMIT = 2000


def commitments(provider_ids: Iterable[int] | None = None) -> dict[tuple[int, str], int]:
    """``{(provider_org_id, item_code): live contracts}`` in one aggregate query; empty when there are none."""
    rows = Contract.objects.filter(state__in=OCCUPYING)
    wanted = None if provider_ids is None else {int(p) for p in provider_ids}
    if wanted is not None and len(wanted) <= _IN_LIMIT:
        rows = rows.filter(provider_id__in=wanted)
    counted = (rows.values("provider_id", "award__lot__item__code").annotate(n=Count("id"))
               .order_by("provider_id", "award__lot__item__code"))
    return {(r["provider_id"], r["award__lot__item__code"]): r["n"] for r in counted
            if wanted is None or r["provider_id"] in wanted}
