"""Journey 2 — an association publishes an industry demand list; a manufacturer joins; the totals show it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ronghe.platform.demand.models import DemandList, DemandListEntry
from tests.browser.conftest import pick
from tests.platform.conftest import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST_NAME = "2026 苏州汽车零部件质量提升服务需求清单"
MES_ITEM = "SI-01-009 v1 第三方检验检测（CMA/CNAS）"
MOULD_ITEM = "SI-10-004 v1 注塑模具维修与保养"


@pytest.fixture
def parties(reference_data):
    association = make_org("association", name="江苏省汽车零部件行业协会", city="南京")
    manufacturer = make_org("manufacturer", name="苏州恒锐汽车零部件有限公司")
    make_user(association, "admin", username="assoc")
    make_user(manufacturer, "admin", username="buyer")
    return association, manufacturer


def _create_list(page) -> None:
    page.locator("header nav").get_by_role("link", name="需求清单").click()
    page.get_by_role("link", name="新建清单").click()
    expect(page.get_by_role("heading", name="新建需求清单")).to_be_visible()
    page.get_by_label("清单名称").fill(LIST_NAME)
    page.get_by_label("行业").select_option("36")
    page.get_by_label("省份").select_option("32")
    page.get_by_label("城市").fill("苏州")
    page.get_by_label("共性痛点").fill("可靠性检测周期长、模具维护靠老师傅经验。")


def test_association_publishes_and_a_manufacturer_joins(page, parties, login, logout, screenshot):
    association, manufacturer = parties
    login("assoc", PASSWORD)
    _create_list(page)
    pick(page, "服务条目", "检验检测", MES_ITEM)  # a searchable multi-select, not a 72-row Ctrl-click list
    pick(page, "服务条目", "SI-10-004", MOULD_ITEM)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("ul.messages")).to_contain_text("清单草稿已保存")
    expect(page.get_by_role("heading", level=1)).to_contain_text(LIST_NAME)
    expect(page.get_by_role("heading", level=1)).to_contain_text("草稿")
    expect(page.locator("#main p.muted").first).to_contain_text(f"{association.name} · 36 汽车制造业 · 江苏省 · 苏州")
    page.get_by_role("button", name="发布清单").click()
    expect(page.locator("ul.messages")).to_contain_text("清单已发布。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已发布")
    expect(page.get_by_text("0 家制造企业已报名")).to_be_visible()
    logout()

    login("buyer", PASSWORD)
    page.locator("header nav").get_by_role("link", name="需求清单").click()
    page.get_by_role("link", name=LIST_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(LIST_NAME)
    join = page.locator("form", has=page.get_by_role("button", name="报名", exact=True))
    join.get_by_label("SI-01-009 第三方检验检测").fill("3")
    join.get_by_label("备注").fill("40 件转向节")
    join.get_by_role("button", name="报名", exact=True).click()

    expect(page.locator("ul.messages")).to_contain_text("已报名该需求清单。")
    expect(page.get_by_text("1 家制造企业已报名")).to_be_visible()
    totals = page.locator("table").first
    expect(totals.get_by_role("row", name="SI-01-009 v1 第三方检验检测（CMA/CNAS） 1 3")).to_be_visible()
    expect(totals.get_by_role("row", name="SI-10-004 v1 注塑模具维修与保养 0 0")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("本企业已报名")
    screenshot("journey2-list-joined")

    page.locator("header nav").get_by_role("link", name="需求清单").click()
    row = page.get_by_role("row", name=LIST_NAME)
    expect(row.locator("td").nth(4)).to_have_text("1")
    assert DemandListEntry.objects.filter(manufacturer=manufacturer).count() == 1


def test_joining_with_nothing_needed_and_a_list_without_items_are_refused(page, parties, login, logout):
    login("assoc", PASSWORD)
    _create_list(page)
    page.get_by_role("button", name="保存草稿").click()  # no item chosen: the browser's own check stops it
    items = page.locator("select[name=items]")
    assert items.evaluate("el => el.validity.valueMissing") is True
    expect(page.get_by_role("heading", name="新建需求清单")).to_be_visible()
    assert DemandList.objects.count() == 0

    pick(page, "服务条目", "CMA", MES_ITEM)
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="发布清单").click()
    expect(page.locator("ul.messages")).to_contain_text("清单已发布。")
    logout()

    login("buyer", PASSWORD)
    page.locator("header nav").get_by_role("link", name="需求清单").click()
    page.get_by_role("link", name=LIST_NAME).click()
    page.get_by_role("button", name="报名", exact=True).click()  # every quantity left at 0
    expect(page.get_by_text("至少选择一个服务条目")).to_be_visible()
    expect(page.get_by_text("0 家制造企业已报名")).to_be_visible()
    assert DemandListEntry.objects.count() == 0
