"""Batch assignment: k per demand, capacities, fairness that spreads exposure, unassigned demands reported."""

from __future__ import annotations

import pytest

from ronghe.match.assign import assign, gini
from ronghe.match.engine import Index
from tests.match.helpers import DAY, cert, demand, offering, provider

HT = cert("high_tech")


def _idx(*ps):
    return Index(ps, reference_date=DAY)


def test_each_demand_gets_k_and_no_provider_exceeds_capacity():
    ps = [provider(f"p{n}", offering(monthly_capacity=2, description="DFMEA" if n == 0 else ""), certs=[HT])
          for n in range(4)]
    ds = [demand(f"d{n}") for n in range(4)]
    a = assign(_idx(*ps), ds, per_demand=2, fairness=0.0)
    assert all(len(v) == 2 for v in a.pairs.values())
    assert max(a.exposure.values()) <= 2
    assert a.as_dict()["totals"]["invitations"] == 8


def test_fairness_spreads_invitations_that_pure_fit_would_pile_up():
    strong = provider("strong", offering(monthly_capacity=10, description="DFMEA 公差分析 尺寸链"), certs=[HT],
                      cases=5)
    weak = [provider(f"w{n}", offering(monthly_capacity=10), certs=[HT]) for n in range(3)]
    ds = [demand(f"d{n}") for n in range(6)]
    greedy = assign(_idx(strong, *weak), ds, per_demand=1, fairness=0.0)
    fair = assign(_idx(strong, *weak), ds, per_demand=1, fairness=0.2)
    assert greedy.exposure == {"strong": 6}
    assert fair.exposure["strong"] < 6 and fair.gini < greedy.gini
    assert fair.total_score <= greedy.total_score


def test_unservable_demands_and_zero_capacity_are_reported_not_forced():
    full = provider("full", offering(monthly_capacity=0), certs=[HT])
    one = provider("one", offering(monthly_capacity=1), certs=[HT])
    a = assign(_idx(full, one), [demand("d1"), demand("d2"), demand("far", province="65")], per_demand=3)
    assert sum(len(v) for v in a.pairs.values()) == 1
    assert a.unassigned["far"] == 3
    assert "full" not in a.exposure
    assert sorted(a.as_dict()["totals"]["demands_short"]) == ["d1", "d2", "far"]


def test_empty_inputs_and_bad_parameters():
    assert assign(_idx(), [], per_demand=5).pairs == {}
    assert assign(_idx(), [demand()], per_demand=5).unassigned == {"d1": 5}
    with pytest.raises(ValueError):
        assign(_idx(), [], per_demand=-1)


def test_gini():
    assert gini([]) == 0.0
    assert gini([3, 3, 3]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 9]) == pytest.approx(0.75)


def test_platform_offering_keys_do_not_confuse_the_network():
    """The platform's offerings carry database ids; the flow must use positions, not those ids."""
    ps = [provider(f"p{n}", offering(monthly_capacity=1, key=900 + n), certs=[HT]) for n in range(3)]
    a = assign(_idx(*ps), [demand("d1"), demand("d2")], per_demand=1)
    assert sorted(p for v in a.pairs.values() for p, _ in v) == sorted(a.exposure) and len(a.exposure) == 2
