"""Batch assignment (批量分派) as a min-cost flow: k invitations per demand, capacities kept, exposure spread.

Network (docs/matching.md § Batch assignment):

    source ─(cap k_d, 0)→ demand d ─(cap 1, −s_dp)→ offering o of provider p ─(cap r_o, 0)→ provider p
    provider p ─(cap 1, λ·j for its j-th invitation, j = 0 … c_p − 1)→ sink
    demand d ─(cap k_d, U)→ sink                              (an invitation left unassigned)

``s_dp`` is the match score in thousandths, ``r_o`` the offering's remaining monthly capacity and ``c_p = Σ r_o``
the provider's. The marginal cost λ·j grows with each invitation a provider already has, so the objective
``Σ −s_dp x_dp + λ Σ_p e_p (e_p − 1) / 2`` prefers spreading invitations to piling them on the top-scored few: a
second invitation goes to the same provider only if it fits at least λ better than the next best. ``U`` is
larger than any path through a provider, so the flow fills as many invitations as the candidates allow
before it optimises fit. OR-Tools' ``SimpleMinCostFlow`` solves it exactly (integer costs).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from ronghe.match.engine import Index
from ronghe.match.records import Demand

SCALE = 1000


@dataclass
class Assignment:
    per_demand: int
    fairness: float
    pairs: dict[str, list[tuple[str, float]]]  # demand → [(provider, score)], best first
    unassigned: dict[str, int]  # demand → invitations it could not get
    total_score: float
    exposure: dict[str, int]
    gini: float
    candidates: dict[str, int] = field(default_factory=dict)  # demand → candidate providers

    def as_dict(self) -> dict:
        filled = sum(len(v) for v in self.pairs.values())
        return {
            "per_demand": self.per_demand, "fairness": self.fairness,
            "totals": {"demands": len(self.pairs), "invitations": filled,
                       "unassigned_invitations": sum(self.unassigned.values()),
                       "demands_short": sorted(d for d, n in self.unassigned.items() if n),
                       "total_score": round(self.total_score, 4), "providers_invited": len(self.exposure),
                       "exposure_gini": round(self.gini, 4)},
            "assignments": [{"demand": d, "providers": [{"provider": p, "score": s} for p, s in ps]}
                            for d, ps in self.pairs.items()],
        }


def gini(counts: Sequence[float]) -> float:
    """Gini coefficient of non-negative counts (0 = perfectly even; →1 = all on one)."""
    x = np.sort(np.asarray(counts, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    cum = np.cumsum(x)
    return float((n + 1 - 2 * (cum.sum() / cum[-1])) / n)


def assign(index: Index, demands: Sequence[Demand], *, per_demand: int = 5, fairness: float = 0.02,
           candidates: int = 50, method: str = "fusion", vectors: dict | None = None) -> Assignment:
    """Invite up to ``per_demand`` providers to each demand, maximising total fit under capacities, fairly.

    ``fairness`` is λ in score units (0.02: a provider's next invitation costs 0.02 of score more than its
    last); ``candidates`` bounds the arcs per demand to its best-scored candidates.
    """
    if per_demand < 0:
        raise ValueError("per_demand must not be negative")
    if fairness < 0:
        raise ValueError("fairness must not be negative")
    t = index.table
    arcs: list[tuple[int, int, float]] = []  # (demand n, offering k, score)
    n_candidates: dict[str, int] = {}
    for n, d in enumerate(demands):
        vec = (vectors or {}).get(d.id)
        result = index.match(d, limit=candidates, method=method, vector=vec, explain=False)
        n_candidates[d.id] = result.candidates
        for m in result.matches:
            arcs.append((n, m.offering_index, m.score))
    flow = min_cost_flow.SimpleMinCostFlow()
    n_d = len(demands)
    offerings = sorted({k for _, k, _ in arcs})
    off_node = {k: n_d + i for i, k in enumerate(offerings)}
    provs = sorted({int(t.o_provider[k]) for k in offerings})
    prov_node = {p: n_d + len(offerings) + i for i, p in enumerate(provs)}
    source, sink = n_d + len(offerings) + len(provs), n_d + len(offerings) + len(provs) + 1
    lam = round(fairness * SCALE)
    top = SCALE + lam * (per_demand * n_d + 1)
    unfilled_cost = 2 * top + 1
    for n in range(n_d):
        flow.add_arc_with_capacity_and_unit_cost(source, n, per_demand, 0)
        flow.add_arc_with_capacity_and_unit_cost(n, sink, per_demand, unfilled_cost)
    arc_ids = []
    for n, k, s in arcs:
        arc_ids.append(flow.add_arc_with_capacity_and_unit_cost(n, off_node[k], 1, SCALE - round(s * SCALE)))
    cap_of: dict[int, int] = defaultdict(int)
    for k in offerings:
        r = int(max(0, t.o_remaining[k]))
        cap_of[int(t.o_provider[k])] += r
        flow.add_arc_with_capacity_and_unit_cost(off_node[k], prov_node[int(t.o_provider[k])], r, 0)
    wanted = Counter(int(t.o_provider[k]) for _, k, _ in arcs)
    for p in provs:
        for j in range(min(cap_of[p], wanted[p])):
            flow.add_arc_with_capacity_and_unit_cost(prov_node[p], sink, 1, lam * j)
    flow.set_node_supply(source, per_demand * n_d)
    flow.set_node_supply(sink, -per_demand * n_d)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    pairs: dict[str, list[tuple[str, float]]] = {d.id: [] for d in demands}
    exposure: Counter[str] = Counter()
    total = 0.0
    for (n, k, s), arc in zip(arcs, arc_ids, strict=True):
        if flow.flow(arc) > 0:
            pid = t.provider_ids[int(t.o_provider[k])]
            pairs[demands[n].id].append((pid, s))
            exposure[pid] += 1
            total += s
    for ps in pairs.values():
        ps.sort(key=lambda x: (-x[1], x[0]))
    unassigned = {d.id: per_demand - len(pairs[d.id]) for d in demands}
    pool = {t.provider_ids[p] for p in provs}
    g = gini([exposure.get(p, 0) for p in pool])
    return Assignment(per_demand, fairness, pairs, unassigned, total, dict(exposure), g, n_candidates)

