"""The demo's matching journeys, made through the services (after the synthetic set and the deals).

The deals' demands are taken by their bidding; so that 为需求匹配服务商, 订单推荐 and 批量分派 show something on a
fresh demo, this loader asks the engine which published item the generated providers serve best in 江苏, then:
the demo manufacturer posts an NDA demand for it; the demo provider offers it (its licences added and verified
by the demo certifier); the demo association publishes a demand list of it, which the manufacturer joins.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ronghe.match.records import Demand as Probe
from ronghe.platform.accounts.models import Industry
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.demand import services as demand_services
from ronghe.platform.demand.validation import EntryInput
from ronghe.platform.matching import index as match_index
from ronghe.platform.providers import services as provider_services

BUDGET = (Decimal("20000"), Decimal("600000"))


def _best_item(buyer_org: Any) -> ServiceItem | None:
    """The published item with the most providers passing every hard constraint for a 江苏 demand."""
    match_index.reset()
    index = match_index.current()
    best, found = None, 0
    for item in ServiceItem.objects.current().filter(status="published").order_by("code"):
        probe = Probe("probe", item.name_zh, item=item.code, province="32", budget_min=float(BUDGET[0]),
                      budget_max=float(BUDGET[1]), days_to_deadline=90, buyer=str(buyer_org.pk))
        n = index.match(probe, limit=0, method="bm25").candidates
        if n > found:
            best, found = item, n
    return best


def load_demo(demo: Any) -> str:
    buyer, seller, assoc = (demo.users.get(k) for k in ("manufacturer", "provider", "association"))
    buyer_org, seller_org, assoc_org = (demo.orgs.get(k) for k in ("manufacturer", "provider", "association"))
    certifier = demo.users.get("certifier")
    if None in (buyer, seller, assoc, buyer_org, seller_org, assoc_org):
        return "skipped (no demo manufacturer, provider or association)"
    item = _best_item(buyer_org)
    if item is None:
        return "skipped (no provider serves any published item)"
    auto = Industry.objects.get(code="36")
    demand = demand_services.create_demand(
        buyer, buyer_org, lines=[demand_services.LineInput(item, f"{item.name_zh}：两条产线，三个月内完成（演示）", 1)],
        title=f"（演示）{item.name_zh}外包", summary=f"汽车零部件企业寻求{item.name_zh}服务，需有汽车行业经验。",
        industry=auto, province="32", city="苏州", budget_min=BUDGET[0], budget_max=BUDGET[1],
        deadline=timezone.localdate() + dt.timedelta(days=90), confidentiality="nda")
    demand_services.publish_demand(buyer, demand)
    provider_services.add_offering(
        seller, seller_org, service_item=item, price_min=Decimal("50000"), price_max=Decimal("800000"),
        monthly_capacity=4, provinces=["31", "32", "33"], industries=[auto], lead_time_days=30,
        notes=f"{item.name_zh}：汽车零部件与装备制造企业，长三角驻场服务（演示）")
    from ronghe.match.constraints import item_requirements
    from ronghe.platform.matching.records import catalog_items

    hard = item_requirements(match_index.registry(), catalog_items()[item.code].qualifications)[0]
    for n, code in enumerate(hard):
        cert = provider_services.add_certificate(
            seller, seller_org, cert_type=code, number=f"DEMO-{n + 1:03d}", issuer="（演示）发证机关",
            valid_from=timezone.localdate() - dt.timedelta(days=200),
            valid_to=timezone.localdate() + dt.timedelta(days=900))
        if certifier is not None:
            provider_services.verify_certificate(certifier, cert)
    demand_list = demand_services.create_demand_list(
        assoc, assoc_org, items=[item], name=f"（演示）江苏省{item.name_zh}集中需求清单", industry=auto,
        province="32", city="", pain_points=f"会员企业普遍缺少{item.name_zh}能力，拟集中对接服务商。")
    demand_services.publish_demand_list(assoc, demand_list)
    demand_services.join_demand_list(buyer, demand_list, manufacturer=buyer_org,
                                     entries=[EntryInput(item, 2, "两个厂区")])
    match_index.bump("demo")
    return f"matching demo: item {item.code}, demand {demand.pk}, list {demand_list.pk}"
