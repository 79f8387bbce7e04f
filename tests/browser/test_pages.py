"""The page items of issue 7 as a person meets them in Chromium: ISO dates, confirmations before irreversible
actions, the searchable item picker, no default province, styled error pages, a top bar that holds at 1280 px and
on a phone, reference data in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.demand import services as demand_services
from ronghe.platform.demand.models import Demand, DemandState
from tests.browser.conftest import pick
from tests.platform.conftest import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUYER = "苏州恒锐汽车零部件有限公司（一个相当长的演示企业名称）"


@pytest.fixture
def buyer(reference_data):
    org = make_org("manufacturer", name=BUYER)
    make_user(org, "admin", username="buyer")
    return org


def _item(code: str = "SI-01-009") -> ServiceItem:
    return ServiceItem.objects.get(code=code, status=ServiceItem.Status.PUBLISHED)


def _demand(org, *, publish: bool, deadline: dt.date | None = None) -> Demand:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="buyer")
    demand = demand_services.create_demand(
        user, org, lines=[demand_services.LineInput(_item(), "转向节盐雾 480 h", 2)],
        title="转向节可靠性检测", summary="需出具 CMA 报告", industry="36", province="32", city="苏州",
        budget_min=100000, budget_max=200000, deadline=deadline or dt.date.today() + dt.timedelta(days=60),
        confidentiality="registered", contact_name="王工")
    return demand_services.publish_demand(user, demand) if publish else demand


def test_editing_a_draft_shows_its_deadline_as_an_iso_date_and_saves_it_again(page, buyer, login):
    deadline = dt.date.today() + dt.timedelta(days=45)
    demand = _demand(buyer, publish=False, deadline=deadline)
    login("buyer", PASSWORD)
    page.goto(f"/demand/{demand.pk}/")
    page.get_by_role("link", name="编辑", exact=True).click()
    box = page.get_by_label("截止日期")
    expect(box).to_have_attribute("type", "date")
    expect(box).to_have_value(deadline.isoformat())  # not 2026/12/31, which a date input shows as empty
    page.get_by_label("标题").fill("转向节可靠性检测（修订）")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("ul.messages")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("转向节可靠性检测（修订）")
    demand.refresh_from_db()
    assert demand.deadline == deadline
    assert demand.title == "转向节可靠性检测（修订）"


def test_cancelling_a_published_demand_asks_first_and_says_what_it_does(page, buyer, login):
    demand = _demand(buyer, publish=True)
    login("buyer", PASSWORD)
    page.goto(f"/demand/{demand.pk}/")
    cancel = page.get_by_role("button", name="取消需求")
    close = page.get_by_role("button", name="关闭", exact=True)
    expect(cancel).to_have_class(re.compile(r"\bbtn-outline-danger\b"))  # destructive looks different from 关闭
    expect(close).not_to_have_class(re.compile(r"\bbtn-outline-danger\b"))

    cancel.click()
    dialog = page.get_by_role("dialog", name="取消需求？")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("取消不能撤销")
    dialog.get_by_role("button", name="返回，不执行").click()
    expect(dialog).to_be_hidden()
    demand.refresh_from_db()
    assert demand.state == DemandState.PUBLISHED  # nothing happened

    cancel.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="确认取消需求").click()
    expect(page.locator("ul.messages")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已取消")
    demand.refresh_from_db()
    assert demand.state == DemandState.CANCELLED


def test_closing_a_demand_list_asks_first(page, reference_data, login):
    association = make_org("association", name="江苏省汽车零部件行业协会")
    user = make_user(association, "admin", username="assoc")
    demand_list = demand_services.publish_demand_list(user, demand_services.create_demand_list(
        user, association, name="2026 质量提升清单", industry="36", province="32", pain_points="检测周期长",
        items=[_item().pk]))
    login("assoc", PASSWORD)
    page.goto(f"/demand/lists/{demand_list.pk}/")
    page.get_by_role("button", name="关闭清单").click()
    dialog = page.get_by_role("dialog", name="关闭需求清单？")
    expect(dialog).to_contain_text("不能再报名")
    dialog.get_by_role("button", name="确认关闭清单").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已关闭")


def test_item_picker_is_searchable_and_provinces_have_no_default(page, reference_data, login):
    association = make_org("association", name="江苏省汽车零部件行业协会")
    make_user(association, "admin", username="assoc")
    login("assoc", PASSWORD)
    page.goto("/demand/lists/new/")
    province = page.locator("select[name=province]")
    expect(province).to_have_value("")  # not 北京市
    expect(province.locator("option").first).to_have_text("请选择")
    assert province.evaluate("el => el.required") is True

    # 72 items: typing narrows the list instead of a Ctrl-click through all of them
    box = page.get_by_role("combobox", name="服务条目")
    box.click()
    box.fill("模具")
    options = page.locator(".ts-dropdown.multi .option")
    expect(options.first).to_be_visible()
    expect(options.filter(has_not_text="模具")).to_have_count(0)
    count = options.count()
    assert 0 < count < 10
    assert all("模具" in options.nth(i).inner_text() for i in range(count))
    page.keyboard.press("Escape")
    pick(page, "服务条目", "SI-10-004", "SI-10-004 v1 注塑模具维修与保养")
    pick(page, "服务条目", "CMA", "SI-01-009 v1 第三方检验检测（CMA/CNAS）")
    assert page.locator("select[name=items]").evaluate("el => [...el.selectedOptions].length") == 2


def test_demand_form_has_no_default_province_or_industry(page, buyer, login):
    login("buyer", PASSWORD)
    page.goto("/demand/new/")
    expect(page.locator("select[name=province]")).to_have_value("")
    expect(page.locator("select[name=province] option").first).to_have_text("请选择")
    expect(page.locator("select[name=industry] option").first).to_have_text("请选择")


def test_filter_selects_offer_all_not_unknown(page, reference_data):
    page.goto("/demand/")
    bar = page.locator("form.filters")
    expect(bar.locator("select[name=mine] option:checked")).to_have_text("全部")
    expect(bar.locator("select[name=province] option").first).to_have_text("全部")
    expect(bar).not_to_contain_text("未知")
    expect(bar).not_to_contain_text("---------")
    page.goto("/providers/")
    expect(page.locator("form.filters select[name=verified_only] option:checked")).to_have_text("全部")


def test_error_pages_are_in_the_sites_layout_and_language(page, reference_data, login):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.locator("header nav").get_by_role("link", name="服务目录")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()

    certifier = make_org("certifier", name="华东质量检测认证中心")
    make_user(certifier, "admin", username="cert")
    login("cert", PASSWORD)
    page.goto("/providers/")
    expect(page.get_by_role("link", name="我的服务商档案")).to_have_count(0)  # only for providers
    response = page.goto("/providers/mine/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("没有权限")
    expect(page.locator("header .account")).to_contain_text("cert")
    expect(page.locator("header nav").get_by_role("link", name="需求清单")).to_be_visible()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_top_bar_stays_on_one_line_at_1280_px(page, buyer, login, language):
    login("buyer", PASSWORD)
    if language == "en":
        page.locator("header select[name=language]").select_option("en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/demand/")
    bar = page.locator("header.navbar").bounding_box()
    assert bar["height"] < 70, bar  # one row: wrapping would double it
    links = page.locator("header nav a")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, tops
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_top_bar_collapses_on_a_phone(browser, live_server, reference_data):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        page.goto("/demand/")
        catalog = page.locator("header nav").get_by_role("link", name="服务目录")
        expect(catalog).to_be_hidden()
        page.get_by_role("button", name="菜单").click()
        expect(catalog).to_be_visible()
        catalog.click()
        expect(page.get_by_role("heading", name="标准化服务目录")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_language_menu_names_each_language_in_itself_and_english_shows_reference_data(page, buyer):
    _demand(buyer, publish=True)
    page.goto("/demand/")
    menu = page.locator("header select[name=language]")
    expect(menu.locator("option")).to_have_text(["简体中文", "English"])  # not 英语
    expect(page.locator("table")).to_contain_text("江苏省")
    expect(page.locator("table")).to_contain_text("汽车制造业")
    expect(page.locator("table")).to_contain_text("10万–50万元")

    menu.select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(menu.locator("option")).to_have_text(["简体中文", "English"])
    table = page.locator("table")
    expect(table).to_contain_text("Jiangsu")
    expect(table).to_contain_text("Motor vehicles")
    expect(table).to_contain_text("CNY 100k–500k")
    expect(table).not_to_contain_text("江苏省")
    expect(table).not_to_contain_text("汽车制造业")
    bar = page.locator("form.filters")
    expect(bar.locator("select[name=province] option", has_text="Jiangsu")).to_have_count(1)
    expect(bar.locator("select[name=budget_band] option", has_text="CNY 2M–10M")).to_have_count(1)
    expect(bar.locator("select[name=province] option").first).to_have_text("All")


def test_removing_a_member_asks_first(page, reference_data, login):
    from ronghe.platform.accounts.models import Membership

    org = make_org("manufacturer", name="苏州恒锐汽车零部件有限公司")
    make_user(org, "admin", username="boss")
    make_user(org, "member", username="clerk")
    login("boss", PASSWORD)
    page.goto(f"/orgs/{org.pk}/members/")
    row = page.get_by_role("row", name="clerk")
    row.get_by_role("button", name="移除").click()
    dialog = page.get_by_role("dialog", name="移除该成员？")
    expect(dialog).to_contain_text("clerk")
    dialog.get_by_role("button", name="返回，不执行").click()
    expect(dialog).to_be_hidden()
    assert Membership.objects.filter(organization=org, user__username="clerk").exists()
    row.get_by_role("button", name="移除").click()
    dialog.get_by_role("button", name="移除", exact=True).click()
    expect(page.get_by_role("row", name="clerk")).to_have_count(0)
    assert not Membership.objects.filter(organization=org, user__username="clerk").exists()
