"""Aggregated demand on an industry demand list: how many manufacturers need what, and where."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum

from ronghe.platform.accounts.reference import provinces
from ronghe.platform.demand.models import DemandList, DemandListEntry


def demand_list_totals(demand_list: DemandList) -> dict[str, Any]:
    """Counts only — which manufacturers joined stays with the list's association and the operator."""
    entries = DemandListEntry.objects.filter(demand_list=demand_list)
    by_item_rows = {
        row["item"]: row
        for row in entries.values("item").annotate(manufacturers=Count("manufacturer", distinct=True),
                                                  quantity=Sum("quantity"))
    }
    by_item = [
        {"item": item.pk, "code": item.code, "version": item.version, "name_zh": item.name_zh,
         "manufacturers": by_item_rows.get(item.pk, {}).get("manufacturers", 0),
         "quantity": by_item_rows.get(item.pk, {}).get("quantity") or 0}
        for item in demand_list.items.order_by("code")
    ]
    names = provinces()
    by_province = [
        {"province": row["manufacturer__province"],
         "province_name": names[row["manufacturer__province"]].name_zh
         if row["manufacturer__province"] in names else row["manufacturer__province"],
         "manufacturers": row["manufacturers"]}
        for row in entries.values("manufacturer__province")
        .annotate(manufacturers=Count("manufacturer", distinct=True)).order_by("-manufacturers",
                                                                                "manufacturer__province")
    ]
    return {
        "manufacturers": entries.values("manufacturer").distinct().count(),
        "by_item": by_item,
        "by_province": by_province,
    }
