"""Aggregated demand on an industry demand list: how many manufacturers need what, and where.

Totals are public, but a total behind one or two manufacturers *is* their need (「1 家制造企业，江苏省，
SI-01-001 × 7」). So, outside the list's association and the operator (``demand_list_rules`` "view_entries"),
every figure behind fewer than :data:`MIN_MANUFACTURERS` manufacturers — per item, per province and the list's
total — is suppressed (``None``; pages say 「少于 3 家」). Zero is shown: it reveals no one's need. The joining
manufacturers see their own declarations beside the totals, never others' through them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext, gettext_noop

from ronghe.platform.accounts.reference import provinces
from ronghe.platform.demand.models import DemandList, DemandListEntry
from ronghe.platform.demand.rules import demand_list_rules

#: the fewest manufacturers a published figure may stand for
MIN_MANUFACTURERS = 3


def sees_exact_totals(user: Any, demand_list: DemandList) -> bool:
    """The list's association and the operator, who see every entry anyway."""
    return demand_list_rules.can(user, "view_entries", demand_list)


def shown(count: int | None, exact: bool) -> int | None:
    """``count`` if it may be published (the curator, zero, or at least MIN_MANUFACTURERS), else None."""
    if count is None or exact or count == 0 or count >= MIN_MANUFACTURERS:
        return count
    return None


def demand_list_totals(demand_list: DemandList, user: Any) -> dict[str, Any]:
    """Counts only — which manufacturers joined stays with the list's association and the operator."""
    exact = sees_exact_totals(user, demand_list)
    entries = DemandListEntry.objects.filter(demand_list=demand_list)
    by_item_rows = {
        row["item"]: row
        for row in entries.values("item").annotate(manufacturers=Count("manufacturer", distinct=True),
                                                  quantity=Sum("quantity"))
    }
    by_item = []
    for item in demand_list.items.order_by("code"):
        row = by_item_rows.get(item.pk, {})
        count = shown(row.get("manufacturers", 0), exact)
        by_item.append({"item": item.pk, "code": item.code, "version": item.version, "name_zh": item.name_zh,
                        "manufacturers": count,
                        "quantity": (row.get("quantity") or 0) if count is not None else None})
    total = shown(entries.values("manufacturer").distinct().count(), exact)
    return {
        "manufacturers": total,
        "by_item": by_item,
        "by_province": _by_province(entries, exact) if total is not None else [],
        "suppressed_below": None if exact else MIN_MANUFACTURERS,
    }


#: where the manufacturers of provinces with fewer than three joiners are counted together
OTHER_PROVINCES = gettext_noop("其他省份")


def _by_province(entries, exact: bool) -> list[dict[str, Any]]:
    """Per province; a province with one or two joiners would say who, so those are merged into one row."""
    names = provinces()
    rows, merged = [], 0
    for row in (entries.values("manufacturer__province").annotate(manufacturers=Count("manufacturer", distinct=True))
                .order_by("-manufacturers", "manufacturer__province")):
        code, count = row["manufacturer__province"], row["manufacturers"]
        if shown(count, exact) is None:
            merged += count
            continue
        rows.append({"province": code, "province_name": names[code].name_zh if code in names else code,
                     "manufacturers": count})
    if merged:
        rows.append({"province": "", "province_name": gettext(OTHER_PROVINCES), "manufacturers": shown(merged, exact)})
    return rows
