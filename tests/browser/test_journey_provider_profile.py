"""Journey 4 — a provider builds its profile (offering, certificate with evidence); a certifier verifies it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from ronghe.platform.providers.models import Certificate, Offering, ProviderProfile
from tests.browser._pdf import tiny_pdf
from tests.browser.conftest import pick
from tests.platform.conftest import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER = "上海谱测检测技术有限公司"
HEADLINE = "长三角 CMA/CNAS 双认可第三方检测实验室"
ITEM_OPTION = "SI-01-009 v1 第三方检验检测（CMA/CNAS）"
CERT_NUMBER = "CMA-2024-310012345"


@pytest.fixture
def parties(reference_data):
    provider = make_org("provider", name=PROVIDER, province="31", city="上海")
    certifier = make_org("certifier", name="华东质量检测认证中心", province="31", city="上海")
    make_user(provider, "admin", username="seller")
    make_user(certifier, "admin", username="checker")
    return provider, certifier


def _open_my_profile(page) -> None:
    page.locator("header nav").get_by_role("link", name="服务商").click()
    page.get_by_role("link", name="我的服务商档案").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)


def _section_button(page, heading: str):
    """The 新增 button that sits inside a section heading (服务供给 / 资质证书)."""
    return page.get_by_role("heading", name=heading).get_by_role("link", name="新增")


def _fill_offering(page, price_min: str, price_max: str) -> None:
    page.get_by_label("服务条目（已发布版本）").select_option(label=ITEM_OPTION)
    page.get_by_label("最低价（元）").fill(price_min)
    page.get_by_label("最高价（元）").fill(price_max)
    page.get_by_label("计价单位").select_option(label="元/项目")
    page.get_by_label("月承接能力").fill("25")
    for code in ("31", "32"):
        page.locator(f"input[name=provinces][value='{code}']").check()
    pick(page, "服务行业（GB/T 4754）", "汽车", "36 汽车制造业")
    pick(page, "服务行业（GB/T 4754）", "34", "34 通用设备制造业")


def test_provider_builds_profile_and_certifier_verifies(page, parties, login, logout, screenshot):
    login("seller", PASSWORD)
    _open_my_profile(page)
    expect(page.get_by_text("尚未创建档案。")).to_be_visible()
    page.get_by_role("link", name="创建档案").click()
    page.get_by_label("一句话介绍").fill(HEADLINE)
    page.get_by_label("详细介绍").fill("力学、盐雾、振动与 EMC 检测，服务汽车零部件企业。")
    page.get_by_label("团队规模").fill("60")
    page.get_by_label("成立年份").fill("2012")
    page.locator("input[name=service_provinces][value='31']").check()
    page.locator("input[name=service_provinces][value='32']").check()
    page.get_by_label("联系人").fill("李经理")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("ul.messages")).to_contain_text("已保存")
    expect(page.locator("#main")).to_contain_text(HEADLINE)

    _section_button(page, "服务供给").click()
    _fill_offering(page, "3000", "80000")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("ul.messages")).to_contain_text("已保存")
    expect(page.get_by_role("row", name=ITEM_OPTION)).to_contain_text(re.compile(r"3,?000 – 80,?000"))

    _section_button(page, "资质证书").click()
    page.get_by_label("证书类型").select_option("cma")
    page.get_by_label("证书编号").fill(CERT_NUMBER)
    page.get_by_label("发证机构").fill("上海市市场监督管理局")
    page.get_by_label("认证范围").fill("汽车零部件环境可靠性检测")
    today = dt.date.today()
    page.get_by_label("有效期自").fill((today - dt.timedelta(days=200)).isoformat())
    page.get_by_label("有效期至").fill((today + dt.timedelta(days=900)).isoformat())
    page.get_by_label("证明文件").set_input_files(
        files=[{"name": "CMA证书.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("CMA certificate")}])
    page.get_by_role("button", name="保存").click()
    expect(page.locator("ul.messages")).to_contain_text("已保存")
    expect(page.get_by_role("row", name=CERT_NUMBER)).to_contain_text("待核验")

    page.get_by_role("link", name="查看公开页面").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)
    offering_row = page.get_by_role("row", name=ITEM_OPTION)
    # prices are shown as a person writes them (floatformat: no trailing .00, grouping by locale)
    expect(offering_row).to_contain_text(re.compile(r"3,?000 – 80,?000 元/项目"))
    expect(offering_row).to_contain_text("25")
    expect(offering_row).to_contain_text("上海市")
    expect(offering_row).to_contain_text("江苏省")
    expect(offering_row).to_contain_text("汽车制造业")
    expect(page.get_by_role("row", name=CERT_NUMBER)).to_contain_text("未核验")
    public_url = page.url
    logout()

    # anonymous visitors see the certificate but never its evidence file
    page.goto(public_url)
    expect(page.get_by_role("row", name=CERT_NUMBER)).to_contain_text("未核验")
    expect(page.get_by_role("link", name="证明文件")).to_have_count(0)
    expect(page.get_by_role("button", name="核验")).to_have_count(0)

    login("checker", PASSWORD)
    page.locator("header nav").get_by_role("link", name="服务商").click()
    page.get_by_role("link", name=PROVIDER).click()
    cert_row = page.get_by_role("row", name=CERT_NUMBER)
    with page.expect_download() as evidence:
        cert_row.get_by_role("link", name="证明文件").click()
    with open(evidence.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    cert_row.get_by_role("button", name="核验").click()
    expect(page.locator("ul.messages")).to_contain_text("证书已核验")
    expect(page.get_by_role("row", name=CERT_NUMBER).locator(".badge.verified")).to_have_text("已核验")
    expect(page.get_by_role("row", name=CERT_NUMBER).get_by_role("button", name="核验")).to_have_count(0)
    screenshot("journey4-certificate-verified")

    page.locator("header nav").get_by_role("link", name="服务商").click()
    expect(page.locator(".card.provider", has_text=PROVIDER).locator(".badge.verified")).to_contain_text("已核验")
    assert Certificate.objects.get(number=CERT_NUMBER).verified


def test_offering_with_min_price_above_max_is_refused(page, parties, login):
    provider, _ = parties
    ProviderProfile.objects.create(organization=provider, headline=HEADLINE)
    login("seller", PASSWORD)
    _open_my_profile(page)
    _section_button(page, "服务供给").click()
    _fill_offering(page, "90000", "1000")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("最高价不能低于最低价")).to_be_visible()
    expect(page.get_by_label("最低价（元）")).to_have_value("90000")
    assert Offering.objects.count() == 0
