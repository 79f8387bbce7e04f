"""Journey 1 — anyone browses the catalog: home → 服务目录 → category → search → item → English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ronghe.platform.catalog.models import ServiceItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TESTING_ITEM = "第三方检验检测（CMA/CNAS）"  # SI-01-009, in 中类 014 of 大类 01


def test_anonymous_visitor_finds_an_item_and_reads_its_standard(page, reference_data, screenshot):
    current = ServiceItem.objects.current()
    in_01 = current.filter(category__parent__code="01").count()
    assert 0 < in_01 < current.count()
    page.goto("/")
    page.locator("header nav").get_by_role("link", name="服务目录").click()
    expect(page.get_by_role("heading", name="标准化服务目录")).to_be_visible()
    expect(page.get_by_text(f"共 {current.count()} 个条目")).to_be_visible()

    tree = page.get_by_role("navigation", name="服务类别")
    tree.get_by_role("link", name="01 研发设计与其他技术服务").click()
    expect(page).to_have_url(re.compile(r"category=01"))
    expect(page.get_by_text(f"共 {in_01} 个条目")).to_be_visible()
    # an item that mentions 检测 but sits in 大类 06 must not survive the category filter
    expect(page.get_by_role("link", name="数控机床与检测仪器经营租赁")).to_have_count(0)

    page.get_by_label("搜索").fill("检测")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"search=%E6%A3%80%E6%B5%8B"))
    results = page.locator("article.item-row")
    expect(results.first).to_be_visible()
    expect(page.get_by_role("link", name=TESTING_ITEM)).to_be_visible()
    expect(page.get_by_role("link", name="数控机床与检测仪器经营租赁")).to_have_count(0)
    for row in results.all():  # every hit is in 大类 01
        expect(row.locator("p.muted")).to_contain_text(re.compile(r"SI-01-\d{3}"))

    page.get_by_role("link", name=TESTING_ITEM).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TESTING_ITEM)
    deliverables = page.locator("section.card", has=page.get_by_role("heading", name="交付物"))
    expect(deliverables).to_contain_text("检测委托单与检测方案")
    expect(deliverables).to_contain_text("CMA/CNAS 检测报告")
    standard = page.locator("section.card", has=page.get_by_role("heading", name="交付标准"))
    expect(standard.get_by_role("heading", name="验收标准")).to_be_visible()
    expect(standard).to_contain_text("复检结果与原结果在标准允许偏差内")
    expect(standard.get_by_role("heading", name="服务水平 (SLA)")).to_be_visible()
    expect(standard.get_by_role("row", name=re.compile("报告出具时间"))).to_contain_text("≤ 7 个工作日")
    facts = page.locator("dl.facts")
    expect(facts.locator("dt", has_text="计价方式").locator("xpath=following-sibling::dd[1]")).to_have_text(
        "固定总价")
    qualifications = facts.locator("dt", has_text="资质要求").locator("xpath=following-sibling::dd[1]")
    expect(qualifications).to_contain_text("CMA 资质认定证书")
    expect(qualifications).to_contain_text("CNAS 实验室认可证书")

    page.locator("header select[name=language]").select_option("en")
    expect(page.get_by_role("heading", name="Deliverables")).to_be_visible()
    expect(page.get_by_role("heading", name="Acceptance criteria")).to_be_visible()
    expect(page.get_by_role("heading", name="Service levels (SLA)")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Pricing model")
    expect(page.locator("dl.facts")).to_contain_text("Required qualifications")
    expect(page.locator("header nav").get_by_role("link", name="Service catalog")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot("journey1-catalog-item-en")


def test_a_search_that_matches_nothing_says_so(page, reference_data):
    """Broken input on the catalog's filter form: an unknown category code and a nonsense term."""
    page.goto("/catalog/")
    page.get_by_label("搜索").fill("不存在的服务zzz")
    page.get_by_label("类别编码").fill("99x")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("没有符合条件的服务条目。")).to_be_visible()
    expect(page.get_by_text("共 0 个条目")).to_be_visible()
    expect(page.get_by_label("搜索")).to_have_value("不存在的服务zzz")
