"""Journeys of issue 8 — a manufacturer invites a matched provider, a provider reads its order feed, an
association previews and sends a batch assignment of its demand list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ronghe.platform.accounts.models import Industry
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.demand import services as demand_services
from ronghe.platform.demand.models import DemandInvitation
from ronghe.platform.matching import index as match_index
from ronghe.platform.matching.models import ListInvitation
from ronghe.platform.providers.models import ProviderProfile
from tests.platform.conftest import PASSWORD, make_org, make_user
from tests.platform.matching.conftest import add_cert, add_offering

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "汽车零部件结构设计外包（DFMEA）"


@pytest.fixture
def market(reference_data, settings):
    settings.RONGHE_MATCH_EMBEDDER = "hash"
    settings.RONGHE_MATCH_EMBED_IN_REQUEST = True
    match_index.reset()
    item = ServiceItem.objects.current().get(code="SI-01-001")
    buyer = make_org("manufacturer", name="苏州恒锐汽车零部件有限公司")
    make_user(buyer, "admin", username="buyer")
    assoc = make_org("association", name="江苏省汽车零部件行业协会")
    make_user(assoc, "admin", username="assoc")
    providers = []
    for name, notes in (("精工结构设计有限公司", "擅长 DFMEA、公差分析与尺寸链"), ("博远工程技术有限公司", "结构设计")):
        org = make_org("provider", name=name)
        make_user(org, "admin", username=f"p{len(providers)}")
        ProviderProfile.objects.create(organization=org, headline=name, service_provinces=["32"])
        add_offering(org, item, notes=notes)
        add_cert(org)
        providers.append(org)
    demand = demand_services.create_demand(
        buyer.memberships.first().user, buyer, lines=[demand_services.LineInput(item, "底盘支架，尺寸链分析", 1)],
        attachments=[], title=TITLE, summary="需要 DFMEA 与公差分析", industry=Industry.objects.get(code="36"),
        province="32", city="苏州", budget_min=Decimal(20000), budget_max=Decimal(80000),
        deadline=dt.date.today() + dt.timedelta(days=60), confidentiality="nda")
    demand = demand_services.publish_demand(buyer.memberships.first().user, demand)
    dl = demand_services.create_demand_list(assoc.memberships.first().user, assoc, name="零部件设计能力提升清单",
                                            industry=Industry.objects.get(code="36"), province="32", city="苏州",
                                            pain_points="设计能力弱", items=[item])
    dl = demand_services.publish_demand_list(assoc.memberships.first().user, dl)
    demand_services.join_demand_list(buyer.memberships.first().user, dl, manufacturer=buyer,
                                     entries=[demand_services.EntryInput(item, 1)])
    yield {"demand": demand, "providers": providers, "list": dl}
    match_index.reset()


def test_manufacturer_sees_ranked_explained_providers_and_invites_one(page, market, login, screenshot):
    login("buyer", PASSWORD)
    page.goto("/matching/demands/")
    page.get_by_role("link", name="查看匹配").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    cards = page.locator(".match")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("精工结构设计有限公司")
    expect(cards.first.locator("mark").first).to_be_visible()  # matched terms highlighted
    cards.first.get_by_role("button", name="一键邀请").click()
    expect(page.locator("ul.messages")).to_contain_text("已邀请")
    expect(page.locator(".match").first).to_contain_text("已邀请")
    assert DemandInvitation.objects.filter(demand=market["demand"], provider=market["providers"][0]).exists()
    screenshot("matching-demand")


def test_provider_reads_its_order_feed(page, market, login, screenshot):
    login("p0", PASSWORD)
    page.locator("header nav").get_by_role("link", name="订单推荐").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("推荐订单")
    feed = page.locator(".feed")
    expect(feed).to_have_count(1)
    expect(feed.first).to_contain_text(TITLE)
    expect(feed.first).not_to_contain_text("底盘支架")  # NDA not accepted: the line's scope stays hidden
    screenshot("matching-feed")


def test_association_previews_then_sends_a_batch_assignment(page, market, login, screenshot):
    login("assoc", PASSWORD)
    page.goto("/matching/lists/")
    page.get_by_role("link", name="批量分派").first.click()
    expect(page.locator(".totals")).to_contain_text("预览")
    page.locator("input[name=per_demand]").fill("2")
    page.get_by_role("button", name="预览").click()
    expect(page.locator(".totals")).to_contain_text("邀请数 2")
    assert not ListInvitation.objects.exists()
    page.get_by_role("button", name="确认发送").click()
    expect(page.locator("ul.messages")).to_contain_text("已发送 2 份邀请")
    assert ListInvitation.objects.count() == 2
    screenshot("matching-assign")
