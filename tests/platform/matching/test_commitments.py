"""Remaining capacity = monthly capacity − live deal contracts (draft or active) for the item.

The deal is made through the deals app's services (``tests/platform/deals/conftest.py``: lot 1, the MES item,
goes to ``provider_b``; lot 2, the data item, to ``provider``). Matching learns of it only through the
registry's ``commitments`` hook, and its index only through the event sink, whose callbacks run here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ronghe.platform.accounts.models import Industry
from ronghe.platform.core import registry
from ronghe.platform.deals import services as deal_services
from ronghe.platform.deals.capacity import commitments as deal_commitments
from ronghe.platform.deals.models import Contract, Milestone
from ronghe.platform.demand import services as demand_services
from ronghe.platform.matching import index as match_index
from ronghe.platform.matching import services
from ronghe.platform.matching.records import provider_records
from tests.platform.deals.conftest import deal_items, demand, make_deal  # noqa: F401  (fixtures)
from tests.platform.matching.conftest import add_offering

pytestmark = pytest.mark.django_db

PRICES = (50_000, 900_000)


@pytest.fixture
def capacity_market(orgs, deal_items):  # noqa: F811
    """``provider`` and ``provider_b`` each offer the MES item with room for one project a month."""
    mes = deal_items[0]
    return {key: add_offering(orgs[key], mes, capacity=1, price=PRICES, notes="MES 实施 制造执行系统")
            for key in ("provider", "provider_b")}


@pytest.fixture
def mes_demand(orgs, users, deal_items):  # noqa: F811
    """A second demand of the manufacturer for the MES item, the one matched (the deal's own demand moves on)."""
    made = demand_services.create_demand(
        users["manufacturer"], orgs["manufacturer"], lines=[demand_services.LineInput(deal_items[0], "总装线 MES", 1)],
        title="总装车间 MES 实施", summary="制造执行系统实施", industry=Industry.objects.get(code="36"), province="32",
        city="苏州", budget_min=Decimal("100000"), budget_max=Decimal("800000"),
        deadline=timezone.localdate() + dt.timedelta(days=60), confidentiality="registered")
    return demand_services.publish_demand(users["manufacturer"], made)


def matched(users, asked) -> set[int]:
    return {m["provider"] for m in services.demand_matches(users["manufacturer"], asked)["matches"]}


def api_matched(api_client_for, users, asked) -> set[int]:
    body = api_client_for(users["manufacturer"]).get(f"/api/demands/{asked.pk}/matches/").json()
    return {m["provider"] for m in body}


@pytest.fixture
def mes_list(orgs, users, deal_items):  # noqa: F811
    dl = demand_services.create_demand_list(users["association"], orgs["association"], name="总装 MES 清单",
                                            industry=Industry.objects.get(code="36"), province="32", city="苏州",
                                            pain_points="缺少制造执行系统", items=[deal_items[0]])
    dl = demand_services.publish_demand_list(users["association"], dl)
    demand_services.join_demand_list(users["manufacturer"], dl, manufacturer=orgs["manufacturer"],
                                     entries=[demand_services.EntryInput(deal_items[0], 1)])
    return dl


def assigned(users, demand_list) -> set[int]:
    data = services.preview_assignment(users["association"], demand_list, per_demand=2)
    return {int(p["provider"]) for a in data["assignments"] for p in a["providers"]}


def test_the_hook_is_empty_without_contracts(orgs, capacity_market):
    assert deal_commitments() == {} and deal_commitments([orgs["provider"].pk]) == {}
    assert registry.commitments() == {}
    assert "ronghe.platform.deals.capacity:commitments" in [a.commitments for a in registry.platform_apps()]
    assert all(o.committed == 0 for p in provider_records() for o in p.offerings)


def test_a_draft_contract_takes_the_capacity_and_cancelling_it_gives_it_back(
        orgs, users, capacity_market, mes_demand, mes_list, make_deal, api_client_for,  # noqa: F811
        django_capture_on_commit_callbacks):
    a, b = orgs["provider"].pk, orgs["provider_b"].pk
    assert matched(users, mes_demand) == {a, b} and assigned(users, mes_list) == {a, b}
    before = match_index.generation()
    with django_capture_on_commit_callbacks(execute=True):
        rfq, _ = make_deal("awarded")  # contracts in draft: MES → provider_b, data governance → provider
    assert match_index.generation() > before  # contract.created moved the index
    hook = registry.commitments()
    assert hook == {(b, "DEAL-MES-01"): 1, (a, "DEAL-DATA-02"): 1}
    assert registry.commitments([a]) == {(a, "DEAL-DATA-02"): 1}
    # provider_b is full for MES; provider's contract is for another item and does not count
    assert matched(users, mes_demand) == {a}
    assert api_matched(api_client_for, users, mes_demand) == {a}
    assert assigned(users, mes_list) == {a}
    records = {p.id: p for p in provider_records([a, b])}
    assert [o.committed for o in records[str(b)].offerings] == [1]
    assert [o.committed for o in records[str(a)].offerings] == [0]
    dropped = services.demand_matches(users["manufacturer"], mes_demand, with_dropped=True)["dropped"]
    assert {d["provider"]: d["constraints"] for d in dropped}.get(b) == ["capacity"]

    contract = Contract.objects.get(rfq=rfq, provider_id=b)
    before = match_index.generation()
    with django_capture_on_commit_callbacks(execute=True):
        deal_services.cancel_contract(users["manufacturer"], contract, reason="改期")
    assert match_index.generation() > before
    assert registry.commitments() == {(a, "DEAL-DATA-02"): 1}
    assert matched(users, mes_demand) == {a, b}
    assert api_matched(api_client_for, users, mes_demand) == {a, b}
    assert assigned(users, mes_list) == {a, b}


def test_an_active_contract_takes_the_capacity_until_it_completes(
        orgs, users, capacity_market, mes_demand, mes_list, make_deal, api_client_for,  # noqa: F811
        django_capture_on_commit_callbacks):
    a, b = orgs["provider"].pk, orgs["provider_b"].pk
    with django_capture_on_commit_callbacks(execute=True):
        rfq, _ = make_deal("submitted")  # signed (active), delivered, not yet accepted
    contract = Contract.objects.get(rfq=rfq, provider_id=b)
    assert contract.state == "active"
    assert matched(users, mes_demand) == {a}
    assert api_matched(api_client_for, users, mes_demand) == {a}
    assert assigned(users, mes_list) == {a}

    before = match_index.generation()
    with django_capture_on_commit_callbacks(execute=True):
        for m in Milestone.objects.filter(contract=contract).order_by("id"):
            deal_services.accept_milestone(users["manufacturer"], m)
            deal_services.release_payment(users["manufacturer"], m)
    contract.refresh_from_db()
    assert contract.state == "completed" and match_index.generation() > before
    assert (b, "DEAL-MES-01") not in registry.commitments()
    assert matched(users, mes_demand) == {a, b}
    assert api_matched(api_client_for, users, mes_demand) == {a, b}
    assert assigned(users, mes_list) == {a, b}


def test_commitments_fill_a_providers_offerings_of_the_item_in_turn(orgs, deal_items, make_deal,  # noqa: F811
                                                                    capacity_market):
    b = orgs["provider_b"]
    second = add_offering(b, deal_items[0], capacity=2, price=PRICES)
    make_deal("awarded")
    offs = {o.key: o for o in next(p for p in provider_records([b.pk]) if p.id == str(b.pk)).offerings}
    assert offs[capacity_market["provider_b"].pk].committed == 1 and offs[second.pk].committed == 0
    assert sum(o.monthly_capacity - o.committed for o in offs.values()) == 2
