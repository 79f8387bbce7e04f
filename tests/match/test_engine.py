"""The engine on hand-made records: candidates, explanations, drop reasons, edge cases."""

from __future__ import annotations

import pytest

from ronghe.match.embed import EmbeddingStore, HashEmbedder
from ronghe.match.engine import Index
from tests.match.helpers import DAY, cert, demand, offering, provider

HIGH_TECH = cert("high_tech")  # SI-01-001 legally needs 高新技术企业; ISO 9001 / IATF are preferences


def index(*providers, embed: bool = True) -> Index:
    return Index(providers, reference_date=DAY, store=EmbeddingStore(HashEmbedder()) if embed else None)


def test_provider_failing_one_constraint_is_never_shown_and_its_reason_is_kept():
    ok = provider("ok", offering(description="DFMEA 公差分析"), certs=[HIGH_TECH])
    far = provider("far", province="65", served=("65",), certs=[HIGH_TECH])
    pricey = provider("pricey", offering(price_min=90_000, price_max=120_000), certs=[HIGH_TECH])
    slow = provider("slow", offering(lead_time_days=90), certs=[HIGH_TECH])
    full = provider("full", offering(monthly_capacity=3, committed=3), certs=[HIGH_TECH])
    expired = provider("expired", certs=[cert("high_tech", valid_to=DAY.replace(month=11))])
    unverified = provider("unverified", certs=[cert("high_tech", verified=False)])
    inactive = provider("inactive", offering(active=False), certs=[HIGH_TECH])
    idx = index(ok, far, pricey, slow, full, expired, unverified, inactive)
    result = idx.match(demand(), explain_dropped=True)
    assert [m.provider for m in result.matches] == ["ok"]
    assert result.dropped == {"far": ["region"], "pricey": ["price"], "slow": ["lead_time"], "full": ["capacity"],
                              "expired": ["qualifications"], "unverified": ["qualifications"],
                              "inactive": ["active"]}
    assert idx.why_not(demand(), "far") == ["region"]
    assert idx.why_not(demand(), "ok") == []
    assert idx.why_not(demand(), "nobody") == ["service"]


def test_budget_bounds_and_deadline_are_inclusive():
    edge = provider("edge", offering(price_min=80_000, price_max=90_000, lead_time_days=60), certs=[HIGH_TECH])
    assert [m.provider for m in index(edge).match(demand()).matches] == ["edge"]


def test_nationwide_offering_serves_every_province():
    p = provider("cn", served=("全国",), province="11", certs=[HIGH_TECH])
    assert index(p).match(demand(province="65")).candidates == 1


def test_buyer_itself_and_providers_sharing_members_are_excluded():
    own = provider("buyer-org", certs=[HIGH_TECH])
    friend = provider("friend", certs=[HIGH_TECH], members=frozenset({"u7"}))
    other = provider("other", certs=[HIGH_TECH], members=frozenset({"u8"}))
    result = index(own, friend, other).match(demand(buyer="buyer-org", buyer_members=frozenset({"u7"})),
                                             explain_dropped=True)
    assert [m.provider for m in result.matches] == ["other"]
    assert result.dropped == {"buyer-org": ["conflict"], "friend": ["conflict"]}


def test_demand_requirement_beyond_the_item_is_enforced():
    with_cnas = provider("cnas", certs=[HIGH_TECH, cert("cnas")])
    without = provider("plain", certs=[HIGH_TECH])
    d = demand(required_certificates=("cnas",))
    assert [m.provider for m in index(with_cnas, without).match(d).matches] == ["cnas"]


def test_category_demand_takes_any_item_of_the_category():
    design = provider("design", offering("SI-01-001"), certs=[HIGH_TECH])
    logistics = provider("logistics", offering("SI-02-001"))
    d = demand(item=None, category="01")
    assert {m.provider for m in index(design, logistics).match(d).matches} == {"design"}


@pytest.mark.parametrize("method", ["bm25", "embed", "fusion"])
def test_explanation_adds_up_to_the_score(method):
    ps = [provider(f"p{n}", offering(description=text), certs=[HIGH_TECH], cases=n, completed=n, on_time=n // 2)
          for n, text in enumerate(["DFMEA 公差分析", "结构设计", "注塑模具", "尺寸链 DTS 公差分析"])]
    for m in index(*ps).match(demand(manufacturer_industry="36"), method=method).matches:
        factors = m.explanation.factors
        assert sum(f.contribution for f in factors) == pytest.approx(m.score, abs=1e-9)
        assert all(f.contribution == round(f.weight * f.value, 4) for f in factors)
        assert sum(f.weight for f in factors) == pytest.approx(1.0)
        assert set(m.explanation.constraints) == {"service", "active", "region", "qualifications", "capacity",
                                                  "price", "lead_time", "conflict"}


def test_matched_terms_are_words_of_both_texts():
    p = provider("p", offering(description="擅长DFMEA与公差分析"), certs=[HIGH_TECH])
    (m,) = index(p).match(demand()).matches
    assert {"dfmea", "公差"} <= set(m.explanation.matched_terms)


def test_lexical_relevance_orders_otherwise_equal_providers():
    a = provider("a", offering(description="DFMEA 公差分析 尺寸链"), certs=[HIGH_TECH])
    b = provider("b", offering(description="外观设计与手板"), certs=[HIGH_TECH])
    assert [m.provider for m in index(a, b, embed=False).match(demand(), method="bm25").matches] == ["a", "b"]


def test_empty_catalog_no_candidates_and_k_beyond_candidates():
    assert index().match(demand()).matches == []
    assert index(provider("p", certs=[HIGH_TECH])).match(demand(province="65")).matches == []
    only = index(provider("p", certs=[HIGH_TECH]))
    assert len(only.match(demand(), limit=50).matches) == 1
    assert only.match(demand(), limit=0).matches == []


def test_zero_capacity_provider_is_never_returned_nor_fed():
    p = provider("zero", offering(monthly_capacity=0), certs=[HIGH_TECH])
    idx = index(p)
    assert idx.match(demand()).matches == []
    assert idx.feed("zero", [demand()]) == []


def test_bad_method_and_limit_are_refused():
    idx = index(provider("p", certs=[HIGH_TECH]))
    with pytest.raises(ValueError):
        idx.match(demand(), method="magic")
    with pytest.raises(ValueError):
        idx.match(demand(), limit=-1)


def test_feed_ranks_only_the_demands_it_is_given():
    p = provider("p", offering(description="DFMEA 公差分析"), certs=[HIGH_TECH])
    idx = index(p)
    visible = [demand("d1"), demand("d2", description="外观设计"), demand("far", province="65")]
    feed = idx.feed("p", visible)
    assert [f.demand for f in feed][:1] == ["d1"]
    assert {f.demand for f in feed} == {"d1", "d2"}
    assert idx.feed("p", visible[1:2]) and {f.demand for f in idx.feed("p", visible[1:2])} == {"d2"}
    for f in feed:
        assert sum(x.contribution for x in f.explanation.factors) == pytest.approx(f.score, abs=1e-9)
    assert idx.feed("unknown", visible) == []
