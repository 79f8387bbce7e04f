"""Journey 3 — a manufacturer posts an NDA-only demand; a provider sees the summary, signs the NDA, sees the rest."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from ronghe.platform.demand.models import Demand, DemandAttachment
from ronghe.platform.inbox.models import Notification
from tests.browser._pdf import tiny_pdf
from tests.platform.conftest import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = "MARKER-盐雾试验-7Q3Z"
TITLE = "转向节盐雾与振动可靠性检测"
SUMMARY = "需对一批汽车转向节做环境可靠性检测，要求出具 CMA 报告。"
PDF_NAME = "图纸-转向节-A3.pdf"
ITEM_OPTION = "SI-01-009 v1 第三方检验检测（CMA/CNAS）"


@pytest.fixture
def parties(reference_data):
    buyer_org = make_org("manufacturer", name="苏州恒锐汽车零部件有限公司")
    seller_org = make_org("provider", name="上海谱测检测技术有限公司", province="31", city="上海")
    make_user(buyer_org, "admin", username="buyer")
    make_user(seller_org, "admin", username="seller")
    return buyer_org, seller_org


def _fill_demand_form(page, *, budget_min: str, budget_max: str, deadline: dt.date) -> None:
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("公开摘要").fill(SUMMARY)
    page.get_by_label("所属制造业行业").select_option("36")
    page.get_by_label("省份").select_option("32")
    page.locator("#id_city").fill("苏州")
    page.get_by_label("预算下限（元）").fill(budget_min)
    page.get_by_label("预算上限（元）").fill(budget_max)
    page.get_by_label("截止日期").fill(deadline.isoformat())
    page.get_by_label("仅签署保密协议的受邀服务商可见详情").check()
    page.get_by_label("联系人").fill("王工")
    page.get_by_label("附件").set_input_files(
        files=[{"name": PDF_NAME, "mimeType": "application/pdf", "buffer": tiny_pdf("knuckle drawing")}])
    line = page.locator("fieldset", has_text="第 1 条")
    line.get_by_label("服务条目").select_option(label=ITEM_OPTION)
    line.get_by_label("具体范围").fill(f"转向节 40 件：中性盐雾 480 h，随机振动 8 h。{MARKER}")
    line.get_by_label("数量").fill("2")


def test_nda_demand_is_hidden_until_the_invited_provider_accepts(page, parties, login, logout, screenshot):
    buyer_org, seller_org = parties
    login("buyer", PASSWORD)
    page.locator("header nav").get_by_role("link", name="需求", exact=True).click()
    page.get_by_role("link", name="发布需求").click()
    expect(page.get_by_role("heading", name="发布需求")).to_be_visible()
    _fill_demand_form(page, budget_min="200000", budget_max="450000",
                      deadline=dt.date.today() + dt.timedelta(days=30))
    page.get_by_role("button", name="保存并发布").click()

    expect(page.locator("ul.messages")).to_contain_text("需求已发布。")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("已发布")
    expect(page.locator("#main")).to_contain_text(MARKER)  # the owner sees everything
    expect(page.get_by_role("link", name=PDF_NAME)).to_be_visible()
    demand = Demand.objects.get(title=TITLE)
    attachment = DemandAttachment.objects.get(demand=demand)
    attachment_url = f"/demand/{demand.pk}/attachments/{attachment.pk}/"
    logout()

    # an unrelated provider: the public summary, nothing confidential
    login("seller", PASSWORD)
    page.locator("header nav").get_by_role("link", name="需求", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="公开摘要")).to_be_visible()
    expect(page.locator("#main")).to_contain_text(SUMMARY)
    expect(page.locator("#main")).to_contain_text("苏州")
    expect(page.get_by_text("详情仅对需求方授权的服务商可见。")).to_be_visible()
    _assert_nothing_confidential(page, buyer_org.name)
    assert page.request.get(attachment_url).status == 404
    # the demand index's keyword search does not look into the confidential scope text either
    page.goto("/demand/")
    page.get_by_label("关键词").fill(MARKER)
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("没有符合条件的需求。")).to_be_visible()
    logout()

    # the manufacturer finds the provider by typing part of its name (no credit code to copy from elsewhere)
    login("buyer", PASSWORD)
    page.locator("header nav").get_by_role("link", name="需求", exact=True).click()
    page.get_by_role("link", name="我的需求").click()
    page.get_by_role("link", name=TITLE).click()
    box = page.get_by_role("combobox", name="服务商", exact=True)
    box.click()
    page.keyboard.type(seller_org.name[:4])
    choice = page.locator(".ts-dropdown .option", has_text=seller_org.name)
    expect(choice).to_have_count(1)
    choice.click()
    expect(page.locator(".ts-dropdown.single")).to_be_hidden()  # closes once chosen
    expect(page.locator("select[name=provider]")).to_have_value(str(seller_org.pk))
    page.get_by_role("button", name="邀请", exact=True).click()
    expect(page.locator("ul.messages")).to_contain_text(f"已邀请服务商 {seller_org.name}")
    expect(page.locator("#main")).to_contain_text("待接受")
    logout()

    # the provider accepts the NDA and now sees the scope and the attachment
    # ... learning of it from the inbox: the unread count in the top bar, then the invitation's next step
    login("seller", PASSWORD)
    page.goto(f"/demand/{demand.pk}/")
    _assert_nothing_confidential(page, buyer_org.name)
    inbox = page.locator("header a.inbox-link")
    expect(inbox).to_contain_text("1")
    inbox.click()
    expect(page.locator("#main")).to_contain_text(f"一家制造企业邀请贵单位查看需求“{TITLE}”")
    _assert_nothing_confidential(page, buyer_org.name)
    page.get_by_role("button", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("保密协议")
    expect(page.locator("header a.inbox-link .badge")).to_have_count(0)
    page.get_by_label("我已阅读并代表本组织接受上述保密协议").check()
    page.get_by_role("button", name=re.compile("接受保密协议")).click()
    expect(page.locator("ul.messages")).to_contain_text("已接受保密协议")
    details = page.locator(".card", has=page.get_by_role("heading", name="需求详情（保密）"))
    expect(details).to_contain_text(MARKER)
    expect(details).to_contain_text(buyer_org.name)
    expect(details).to_contain_text("200000")
    with page.expect_download() as download_info:
        details.get_by_role("link", name=PDF_NAME).click()
    download = download_info.value
    assert download.suggested_filename == PDF_NAME
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    screenshot("journey3-provider-after-nda")
    # the buyer hears of it (after the commit, as a real request)
    assert Notification.objects.filter(recipient__username="buyer", action="demand.nda_accepted").exists()


def _assert_nothing_confidential(page, buyer_name: str) -> None:
    html = page.content()
    assert MARKER not in html
    assert PDF_NAME not in html
    assert "/attachments/" not in html
    assert buyer_name not in html
    assert "450000" not in html and "450,000" not in html


def test_budget_min_above_max_and_a_past_deadline_are_refused(page, parties, login):
    login("buyer", PASSWORD)
    page.goto("/demand/new/")
    _fill_demand_form(page, budget_min="500000", budget_max="100000",
                      deadline=dt.date.today() - dt.timedelta(days=1))
    page.get_by_role("button", name="保存并发布").click()

    expect(page.get_by_text("预算上限不能低于下限")).to_be_visible()
    expect(page.get_by_text("截止日期必须晚于今天")).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value(TITLE)  # the person's input survives
    assert Demand.objects.count() == 0
    assert DemandAttachment.objects.count() == 0
