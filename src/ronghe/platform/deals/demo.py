"""Demo deals in every state, made through the services by the demo's own logins (after the synthetic set).

The demo manufacturer posts one demand per deal and opens bidding; the demo provider bids. So that the demo shows
deals past their deadline, those RFQs get a deadline a minute ahead and the loader runs the scheduler's opening
as of two minutes ahead (their opening time is that minute in the future); everything else happens now. The
demo's worker then opens and auto-accepts what falls due (``platform.py``'s periodic tasks).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ronghe.platform.accounts.models import Industry
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.deals import services
from ronghe.platform.deals.models import Milestone
from ronghe.platform.demand import services as demand_services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: (title, the stage the deal is left in)
DEALS = (
    ("（演示）冲压车间 MES 实施：投标中", "bidding"),
    ("（演示）焊装线设备联网：已开标待定标", "opened"),
    ("（演示）涂装能耗监测：已定标待签约", "awarded"),
    ("（演示）质量追溯系统：已签约待托管", "signed"),
    ("（演示）供应链数据治理：已交付待验收", "submitted"),
    ("（演示）产线数字孪生：验收争议待裁决", "disputed"),
    ("（演示）设备预测性维护：已完成并评价", "completed"),
    ("（演示）仓储物流优化：招标已取消", "cancelled"),
)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _demand(buyer: Any, org: Any, item: ServiceItem, title: str) -> Any:
    demand = demand_services.create_demand(
        buyer, org, lines=[demand_services.LineInput(item, f"{title}：范围与技术要求（演示）", 1)], title=title,
        summary="演示数据：制造企业的生产性服务需求。", industry=Industry.objects.get(code="36"), province="32",
        city="苏州", budget_min=Decimal("100000"), budget_max=Decimal("800000"),
        deadline=timezone.localdate() + dt.timedelta(days=60), confidentiality="registered")
    return demand_services.publish_demand(buyer, demand)


def load_demo(demo: Any) -> str:
    """Eight deals, one in each state, between the demo manufacturer and the demo provider."""
    buyer, seller = demo.users.get("manufacturer"), demo.users.get("provider")
    buyer_org = demo.orgs.get("manufacturer")
    if buyer is None or seller is None:
        return "skipped (no demo manufacturer or provider)"
    items = list(ServiceItem.objects.filter(status="published").order_by("code")[:8])
    if not items:
        return "skipped (no published service items)"
    now = timezone.now()
    made = 0
    for n, (title, stage) in enumerate(DEALS):
        demand = _demand(buyer, buyer_org, items[n % len(items)], title)
        soon = stage not in ("bidding", "cancelled")
        rfq = services.open_rfq(buyer, demand, bid_deadline=now + (dt.timedelta(minutes=1) if soon else
                                                                   dt.timedelta(days=14)),
                                show_bid_count=stage == "bidding")
        lot = rfq.lots.first()
        bid = services.submit_bid(seller, rfq, prices={lot.pk: Decimal("300000") + 10000 * n},
                                  plan="演示：分三阶段实施，每阶段交付并验收。", team="项目经理 1 人、实施工程师 4 人",
                                  documents=[services.DocumentInput(_pdf("技术方案（演示）.pdf"))])
        made += 1
        if stage == "cancelled":
            services.cancel_rfq(buyer, rfq, reason="演示：需求调整")
            continue
        if stage == "bidding":
            continue
        services.open_due_rfqs(now=now + dt.timedelta(minutes=2))
        if stage == "opened":
            continue
        services.award_lot(buyer, lot, bid=bid, reason="演示：方案完整，报价合理")
        contract = rfq.contracts.get()
        if stage == "awarded":
            continue
        for user in (buyer, seller):
            services.sign_contract(user, contract, text_sha256=services.contract_sha256(contract))
        if stage == "signed":
            continue
        milestones = list(Milestone.objects.filter(contract=contract).order_by("number"))
        for m in milestones:
            services.fund_milestone(buyer, m)
            services.submit_milestone(seller, m, documents=[services.DocumentInput(_pdf(f"{m.title}（演示）.pdf"))],
                                      note="演示交付")
        if stage == "submitted":
            continue
        if stage == "disputed":
            services.reject_milestone(buyer, milestones[0], reason="演示：报告缺少关键数据")
            services.raise_dispute(seller, milestones[0], reason="演示：已按交付标准提交，请平台裁决",
                                   evidence=[services.DocumentInput(_pdf("交付记录（演示）.pdf"))])
            continue
        for m in milestones:
            services.accept_milestone(buyer, m)
            services.release_payment(buyer, m)
        services.rate_contract(buyer, contract, quality=5, timeliness=4, communication=5, comment="演示：交付准时")
        services.rate_contract(seller, contract, quality=5, timeliness=5, communication=5, comment="演示：配合顺畅")
    demo.messages.append("demo: deals in every state — log in as manufacturer, provider or operator and open 交易")
    return f"{made} deals"
