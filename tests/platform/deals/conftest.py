"""Fixtures for the deal tests: a published demand with two lines, providers that bid, and a deal at any stage.

Every sealed value carries a marker — the prices are odd figures, the plan and the document name contain
``BID_MARKER`` — so a test can assert that none of it reaches anyone but the bidder before the opening.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ronghe.platform.accounts.models import Industry
from ronghe.platform.catalog.models import ServiceCategory, ServiceItem
from ronghe.platform.deals import services
from ronghe.platform.deals.models import Milestone
from ronghe.platform.demand import services as demand_services

BID_MARKER = "QJ8-密封报价-MARKER"
PRICE_A = Decimal("7654321.98")  # provider's bid on lot 1
PRICE_B = Decimal("6543219.87")  # provider_b's bid on lot 1
PRICE_A2 = Decimal("1357913.57")  # provider's bid on lot 2
SEALED = (BID_MARKER, "QJ8", "7654321.98", "6543219.87", "1357913.57", "7654321", "6543219", "1357913",
          "7,654,321", "6,543,219")
#: what only ``provider`` (bid A) may read before the opening; A's plan and document name carry PLAN_A / DOC_A
PLAN_A, DOC_A = "A-PLAN-7Q 三个月上线", "A-DOC-7Q-实施方案.pdf"
SECRETS_A = ("A-PLAN-7Q", "A-DOC-7Q", "7654321", "1357913", "7,654,321", "1,357,913")
#: what stays private to provider, buyer and operator even after the award (A lost lot 1; A's plan)
LOSING_A = ("A-PLAN-7Q", "A-DOC-7Q", "7654321", "7,654,321")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STAGES = ("bidding", "opened", "awarded", "signed", "funded", "submitted", "accepted", "completed")


def pdf(name: str = "deliverable.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assert_sealed(body: bytes | str, what: str = "", secrets: tuple[str, ...] = SEALED) -> None:
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    for secret in secrets:
        assert secret not in text, f"sealed {secret!r} leaked {what}"


@pytest.fixture
def deal_items(db) -> list[ServiceItem]:
    top, _ = ServiceCategory.objects.get_or_create(
        code="02", defaults={"level": 1, "name_zh": "信息服务", "name_en": "Information services"})
    sub, _ = ServiceCategory.objects.get_or_create(
        code="021", defaults={"parent": top, "level": 2, "name_zh": "软件和信息技术服务", "name_en": "Software"})
    return [
        ServiceItem.objects.create(
            code="DEAL-MES-01", version=1, status="published", category=sub, name_zh="制造执行系统实施",
            scope="MES 实施", pricing_model="fixed", deliverables=["实施方案", "上线验收报告"],
            acceptance_criteria=["系统上线稳定运行 30 天"], sla=[{"metric": "响应", "target": "≤ 1 个工作日"}],
            duration_days_max=60),
        ServiceItem.objects.create(
            code="DEAL-DATA-02", version=1, status="published", category=sub, name_zh="工业数据治理",
            scope="数据治理", pricing_model="fixed", deliverables=["数据治理报告"], acceptance_criteria=["数据完整率 ≥ 99%"]),
    ]


@pytest.fixture
def demand(orgs, users, deal_items):
    made = demand_services.create_demand(
        users["manufacturer"], orgs["manufacturer"],
        lines=[demand_services.LineInput(deal_items[0], "冲压线 MES", 1),
               demand_services.LineInput(deal_items[1], "数据治理", 1)],
        title="冲压车间数字化", summary="MES 与数据治理", industry=Industry.objects.get_or_create(code="36", defaults={"section": "C", "name_zh": "汽车制造业", "name_en": "Motor vehicles"})[0], province="32",
        city="苏州", budget_min=Decimal("100000"), budget_max=Decimal("9000000"),
        deadline=timezone.localdate() + dt.timedelta(days=60), confidentiality="registered")
    return demand_services.publish_demand(users["manufacturer"], made)


def later(days: float = 0, hours: float = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days, hours=hours)


@pytest.fixture
def make_deal(orgs, users, demand):
    """``make_deal(stage)`` → (rfq, bids) with the deal moved to ``stage`` (see ``STAGES``)."""

    def make(stage: str = "bidding", **rfq_fields):
        rfq = services.open_rfq(users["manufacturer"], demand, bid_deadline=later(), **rfq_fields)
        lots = list(rfq.lots.order_by("id"))
        bid_a = services.submit_bid(users["provider"], rfq, prices={lots[0].pk: PRICE_A, lots[1].pk: PRICE_A2},
                                    plan=f"{PLAN_A} {BID_MARKER}", team="5 人",
                                    documents=[services.DocumentInput(pdf(DOC_A))])
        bid_b = services.submit_bid(users["provider_b"], rfq, prices={lots[0].pk: PRICE_B},
                                    plan=f"两个月上线 {BID_MARKER}")
        if stage == "bidding":
            return rfq, (bid_a, bid_b)
        services.open_due_rfqs(now=later(hours=2))
        rfq.refresh_from_db()
        if stage == "opened":
            return rfq, (bid_a, bid_b)
        services.award_lot(users["manufacturer"], lots[0], bid=bid_b, reason="价格最低、工期最短")
        services.award_lot(users["manufacturer"], lots[1], bid=bid_a, reason="唯一报价")
        rfq.refresh_from_db()
        if stage == "awarded":
            return rfq, (bid_a, bid_b)
        for contract in rfq.contracts.all():
            for user in (users["manufacturer"], users[_provider_key(contract, orgs)]):
                services.sign_contract(user, contract, text_sha256=services.contract_sha256(contract))
        if stage == "signed":
            return rfq, (bid_a, bid_b)
        milestones = list(Milestone.objects.filter(contract__rfq=rfq).order_by("id"))
        for m in milestones:
            services.fund_milestone(users["manufacturer"], m)
        if stage == "funded":
            return rfq, (bid_a, bid_b)
        for m in milestones:
            key = _provider_key(m.contract, orgs)
            services.submit_milestone(users[key], m, documents=[services.DocumentInput(pdf())])
        if stage == "submitted":
            return rfq, (bid_a, bid_b)
        for m in milestones:
            services.accept_milestone(users["manufacturer"], m)
        if stage == "accepted":
            return rfq, (bid_a, bid_b)
        for m in milestones:
            services.release_payment(users["manufacturer"], m)
        return rfq, (bid_a, bid_b)

    return make


def _provider_key(contract, orgs) -> str:
    return "provider" if contract.provider_id == orgs["provider"].pk else "provider_b"
