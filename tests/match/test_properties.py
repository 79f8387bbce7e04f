"""Property-based: over random providers and demands, hard constraints are never broken, explanations add up,
tightening a constraint never adds a candidate, and the batch assignment keeps every capacity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ronghe.match.assign import assign
from ronghe.match.catalog import shipped_items
from ronghe.match.embed import EmbeddingStore, HashEmbedder
from ronghe.match.engine import DemandPool, Index
from ronghe.match.evaluate import eligible, offering_failures
from ronghe.match.qualifications import default_registry
from ronghe.match.records import Certificate, Demand, Offering, Provider
from tests.match.helpers import DAY

ITEMS = ["SI-01-001", "SI-01-002", "SI-02-001", "SI-05-001", "SI-03-001"]
PROVINCES = ["11", "31", "32", "33", "44", "65", "全国"]
CODES = ["high_tech", "iso9001", "cnas", "road_transport", "unknown licence"]
WORDS = ["结构设计", "DFMEA", "模具", "检测", "物流", "节能", "MES", "公差分析", "碳足迹"]
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

offerings = st.builds(
    lambda item, lo, width, cap, committed, lead, active, words: Offering(
        item=item, category=shipped_items()[item].category, title=shipped_items()[item].name_zh,
        description=" ".join(words), price_min=lo, price_max=lo + width, monthly_capacity=cap, committed=committed,
        lead_time_days=lead, active=active),
    st.sampled_from(ITEMS), st.integers(0, 100_000), st.integers(0, 100_000), st.integers(0, 4),
    st.integers(0, 2), st.integers(0, 60), st.booleans(), st.lists(st.sampled_from(WORDS), max_size=3))
certificates = st.builds(
    lambda code, start, length, verified: Certificate(code, "N", DAY + timedelta(days=start),
                                                      DAY + timedelta(days=start + length), verified),
    st.sampled_from(CODES), st.integers(-800, 30), st.integers(0, 900), st.booleans())


@st.composite
def providers(draw):
    n = draw(st.integers(0, 8))
    out = []
    for k in range(n):
        out.append(Provider(
            id=f"p{k}", province=draw(st.sampled_from(PROVINCES[:-1])),
            provinces_served=frozenset(draw(st.lists(st.sampled_from(PROVINCES), min_size=1, max_size=3))),
            industries_served=frozenset(draw(st.lists(st.sampled_from(["36", "39", "26"]), max_size=2))),
            offerings=draw(st.lists(offerings, min_size=1, max_size=3)),
            certificates=draw(st.lists(certificates, max_size=4)),
            members=frozenset(draw(st.lists(st.sampled_from(["u1", "u2", "u3"]), max_size=1))),
            cases=draw(st.integers(0, 5))))
    return out


demands = st.builds(
    lambda n, item, by_cat, province, lo, width, days, req, buyer, members, words: Demand(
        id=f"d{n}", title=" ".join(words) or "需求", item=None if by_cat else item,
        category=shipped_items()[item].category[: 2 + (n % 2)] if by_cat else None,
        province=province, budget_min=lo, budget_max=None if width is None else lo + width, days_to_deadline=days,
        required_certificates=tuple(req), buyer=buyer, buyer_members=frozenset(members),
        manufacturer_industry="36"),
    st.integers(0, 99), st.sampled_from(ITEMS), st.booleans(), st.sampled_from(PROVINCES[:-1]),
    st.integers(0, 120_000), st.none() | st.integers(0, 100_000), st.none() | st.integers(-5, 90),
    st.lists(st.sampled_from(CODES), max_size=2), st.none() | st.sampled_from(["p0", "p1"]),
    st.lists(st.sampled_from(["u1", "u2"]), max_size=1), st.lists(st.sampled_from(WORDS), max_size=3))


def _index(ps):
    return Index(ps, reference_date=DAY, store=EmbeddingStore(HashEmbedder()))


@PROPS
@given(providers(), st.lists(demands, min_size=1, max_size=3), st.sampled_from(["bm25", "embed", "fusion"]))
def test_constraints_are_never_violated_and_explanations_add_up(ps, ds, method):
    idx = _index(ps)
    registry, items = default_registry(), shipped_items()
    by_id = {p.id: p for p in ps}
    for d in ds:
        result = idx.match(d, limit=20, method=method, explain_dropped=True)
        returned = [m.provider for m in result.matches]
        expected = {p.id for p in ps if eligible(p, d, DAY, registry, items)}
        assert set(returned) == expected  # the engine and the longhand check agree, both ways
        assert len(returned) == len(set(returned))
        for m in result.matches:
            assert sum(f.contribution for f in m.explanation.factors) == round(m.score, 4) or \
                abs(sum(f.contribution for f in m.explanation.factors) - m.score) < 1e-9
            assert 0.0 <= m.score <= 1.0 + 1e-9
        for pid, reasons in (result.dropped or {}).items():
            assert reasons and pid not in expected
            fails = [offering_failures(by_id[pid], o, d, DAY, registry, items) for o in by_id[pid].offerings]
            assert set(reasons) in [set(f) for f in fails]
        assert [m.provider for m in result.matches] == [m.provider for m in sorted(
            result.matches, key=lambda m: (-m.score, m.provider))]


@PROPS
@given(providers(), st.lists(demands, min_size=0, max_size=8, unique_by=lambda d: d.id),
       st.sampled_from(["bm25", "embed", "fusion"]), st.data())
def test_feed_agrees_with_the_longhand_check_and_only_narrows_like_a_smaller_pool(ps, ds, method, data):
    idx = _index(ps)
    registry, items = default_registry(), shipped_items()
    pool = DemandPool(ds)
    for p in ps:
        feed = idx.feed(p.id, pool, limit=100, method=method)
        assert {f.demand for f in feed} == {d.id for d in ds if eligible(p, d, DAY, registry, items)}
        for f in feed:
            assert abs(sum(x.contribution for x in f.explanation.factors) - f.score) < 1e-9
        assert [f.demand for f in feed] == [f.demand for f in sorted(feed, key=lambda f: (-f.score, f.demand))]
        some = data.draw(st.lists(st.sampled_from([d.id for d in ds]), unique=True) if ds else st.just([]))
        narrowed = idx.feed(p.id, pool, limit=100, method=method, only=some)
        alone = idx.feed(p.id, [d for d in ds if d.id in some], limit=100, method=method)
        assert [(f.demand, f.score) for f in narrowed] == [(f.demand, f.score) for f in alone]


@PROPS
@given(providers(), demands, st.sampled_from(["bm25", "fusion"]))
def test_scores_without_explanations_are_the_explained_scores(ps, d, method):
    idx = _index(ps)
    full = idx.match(d, limit=100, method=method)
    bare = idx.match(d, limit=100, method=method, explain=False)
    assert [(m.provider, m.score, m.offering_index) for m in bare.matches] == \
        [(m.provider, m.score, m.offering_index) for m in full.matches]
    assert all(m.explanation is None for m in bare.matches)


@PROPS
@given(providers(), demands, st.integers(0, 50_000))
def test_tightening_a_constraint_never_adds_a_candidate(ps, d, cut):
    idx = _index(ps)
    loose = {m.provider for m in idx.match(d, limit=100).matches}
    hi = None if d.budget_max is None else max(d.budget_min or 0, d.budget_max - cut)
    tight = {m.provider for m in idx.match(replace(d, budget_max=hi), limit=100).matches}
    sooner = replace(d, days_to_deadline=(d.days_to_deadline if d.days_to_deadline is not None else 90) - cut % 30)
    more = replace(d, required_certificates=(*d.required_certificates, "iso9001"))
    assert tight <= loose
    assert {m.provider for m in idx.match(sooner, limit=100).matches} <= loose
    assert {m.provider for m in idx.match(more, limit=100).matches} <= loose


@PROPS
@given(providers(), st.lists(demands, min_size=0, max_size=5, unique_by=lambda d: d.id), st.integers(0, 4),
       st.floats(0, 0.2))
def test_assignment_keeps_capacities_and_constraints(ps, ds, k, lam):
    idx = _index(ps)
    registry, items = default_registry(), shipped_items()
    a = assign(idx, ds, per_demand=k, fairness=lam)
    by_id = {p.id: p for p in ps}
    load: dict[str, int] = {}
    for d in ds:
        invited = [p for p, _ in a.pairs[d.id]]
        assert len(invited) == len(set(invited)) <= k
        assert a.unassigned[d.id] == k - len(invited)
        for pid in invited:
            assert eligible(by_id[pid], d, DAY, registry, items)
            load[pid] = load.get(pid, 0) + 1
        fit = {p.id for p in ps if eligible(p, d, DAY, registry, items)}
        assert len(invited) >= min(k, 0 if not fit else 1) or not fit
    for pid, n in load.items():
        assert n <= sum(max(0, o.monthly_capacity - o.committed) for o in by_id[pid].offerings)
    assert 0.0 <= a.gini <= 1.0


def test_reference_day_decides_certificate_validity():
    p = Provider("p", province="32", provinces_served=frozenset({"32"}),
                 offerings=[Offering("SI-01-001", "011", "设计", monthly_capacity=2)],
                 certificates=[Certificate("high_tech", "N", date(2025, 1, 1), date(2026, 12, 31))])
    d = Demand("d", "设计", item="SI-01-001", province="32")
    idx = _index([p])
    assert idx.match(d, day=date(2026, 12, 31)).candidates == 1
    assert idx.match(d, day=date(2027, 1, 1)).candidates == 0
