"""Journey — a whole trusted deal by clicking: RFQ → sealed bid → opening → award → both sign → escrow (模拟支付)
→ delivery → acceptance → release → both ratings; the audit chain verifies at the end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ronghe.platform.accounts.models import Industry
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.audit import head, verify
from ronghe.platform.deals import services as deal_services
from ronghe.platform.deals.models import RFQ, Contract, Rating
from ronghe.platform.demand import services as demand_services
from tests.browser._pdf import tiny_pdf
from tests.platform.conftest import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "转向节产线 MES 实施"
PRICE = "386000.00"


@pytest.fixture
def parties(reference_data):
    buyer_org = make_org("manufacturer", name="苏州恒锐汽车零部件有限公司")
    seller_org = make_org("provider", name="上海智联工业互联网科技有限公司", province="31", city="上海")
    buyer, _seller = make_user(buyer_org, "admin", username="buyer"), make_user(seller_org, "admin", username="seller")
    item = ServiceItem.objects.filter(status="published").order_by("code").first()
    item.deliverables = ["上线验收报告"]  # one milestone keeps the journey short
    item.save(update_fields=["deliverables"])
    demand = demand_services.create_demand(
        buyer, buyer_org, lines=[demand_services.LineInput(item, "冲压线 12 台设备联网", 1)], title=TITLE,
        summary="冲压车间 MES", industry=Industry.objects.get(code="36"), province="32", city="苏州",
        budget_min=Decimal("100000"), budget_max=Decimal("500000"),
        deadline=timezone.localdate() + dt.timedelta(days=30), confidentiality="registered")
    demand_services.publish_demand(buyer, demand)
    return buyer_org, seller_org


def _flash(page, text: str) -> None:
    expect(page.locator("ul.messages")).to_contain_text(text)


def test_a_deal_from_rfq_to_both_ratings(page, parties, login, logout, screenshot):
    # the buyer opens bidding on its published demand
    login("buyer", PASSWORD)
    page.goto("/deals/")
    page.locator("#openable").get_by_role("link", name="发起招标").click()
    deadline = timezone.localtime() + dt.timedelta(hours=2)
    page.get_by_label("投标截止时间").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="发起招标").click()
    _flash(page, "已发起招标")
    expect(page.locator("#audit-head")).to_contain_text(head()[1])
    logout()

    # the provider bids; before the deadline its bid is sealed
    login("seller", PASSWORD)
    page.goto("/deals/")
    page.locator("#can-bid").get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="投标", exact=True).click()
    page.get_by_label("报价（元）").fill(PRICE)
    page.get_by_label("交付计划").fill("四周完成设备联网与上线")
    page.get_by_role("button", name="密封提交").click()
    _flash(page, "投标已密封提交")
    logout()

    login("buyer", PASSWORD)
    rfq = RFQ.objects.get(title=TITLE)
    page.goto(f"/deals/rfq/{rfq.pk}/")
    expect(page.locator("#main")).not_to_contain_text("386000")  # the buyer cannot read it yet
    # the scheduler opens the RFQ at its deadline
    assert deal_services.open_due_rfqs(now=deadline + dt.timedelta(minutes=1)) == 1
    page.reload()
    expect(page.locator("#comparison")).to_contain_text("386000")
    form = page.locator("form.award-form")
    form.get_by_label("定标理由").fill("价格合理，方案完整")
    form.get_by_role("button", name="确认定标").click()
    _flash(page, "已定标")
    expect(page.locator(".award-notice")).to_contain_text("上海智联")
    page.get_by_role("link", name="查看合同").click()
    page.get_by_role("button", name="我已阅读并签署").click()
    _flash(page, "已签署合同")
    contract_url = page.url
    logout()

    login("seller", PASSWORD)
    page.goto(contract_url)
    page.get_by_role("button", name="我已阅读并签署").click()
    _flash(page, "已签署合同")
    expect(page.get_by_role("heading", level=1)).to_contain_text("履约中")
    logout()

    login("buyer", PASSWORD)
    page.goto(contract_url)
    page.get_by_role("button", name="托管款项（模拟支付）").click()
    _flash(page, "款项已托管")
    expect(page.locator(".payment").first).to_contain_text("模拟支付")
    logout()

    login("seller", PASSWORD)
    page.goto(contract_url)
    page.locator("form.submit-form input[type=file]").set_input_files(
        files=[{"name": "上线验收报告.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("acceptance report")}])
    page.get_by_role("button", name="提交交付物").click()
    _flash(page, "交付物已提交")
    expect(page.locator(".docs")).to_contain_text("sha256:")
    logout()

    login("buyer", PASSWORD)
    page.goto(contract_url)
    page.get_by_role("button", name="验收通过").click()
    _flash(page, "已验收")
    page.get_by_role("button", name="确认付款（模拟支付）").click()
    _flash(page, "已付款")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已完成")
    page.locator("form.rating-form").get_by_label("评语").fill("交付准时，质量好")
    page.get_by_role("button", name="提交评价").click()
    _flash(page, "评价已提交")
    logout()

    login("seller", PASSWORD)
    page.goto(contract_url)
    page.get_by_role("button", name="提交评价").click()
    _flash(page, "评价已提交")
    expect(page.locator("#ratings")).to_contain_text("交付准时")
    expect(page.locator("#audit-head")).to_contain_text(head()[1])
    screenshot("deal-completed")

    contract = Contract.objects.get(rfq=rfq)
    assert contract.state == "completed" and Rating.objects.filter(contract=contract).count() == 2
    assert rfq.demand.__class__.objects.get(pk=rfq.demand_id).state == "closed"
    assert verify().ok
