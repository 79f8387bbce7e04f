"""Offline evaluation on a labelled set: ranking quality, constraint violations, market health.

Constraint violations are recomputed here from the records with plain Python (:func:`violations`), on purpose
apart from the engine's array code in ``constraints``: two implementations that must agree.

* NDCG@10 with gain 2^g − 1 and log2 discount, over demands with at least one relevant provider;
* recall@20 (grade ≥ 1) and MRR (first relevant);
* constraint violations among everything returned (must be 0);
* empty-answer correctness: of the demands no provider can serve, the share answered with an empty list;
* coverage: share of providers eligible for some demand that appear in some top-k;
* exposure Gini: of top-k appearances over those providers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

from ronghe.match import catalog as C
from ronghe.match.assign import gini
from ronghe.match.constraints import item_requirements
from ronghe.match.engine import Index
from ronghe.match.qualifications import Registry, default_registry
from ronghe.match.records import Demand, LabelledSet, Offering, Provider
from ronghe.match.regions import NATIONWIDE


def _has(provider: Provider, code: str, day: date) -> bool:
    return any(c.type == code and c.verified and c.valid_on(day) for c in provider.certificates)


def offering_failures(provider: Provider, o: Offering, d: Demand, day: date, registry: Registry,
                      items: dict, reqs: Mapping[str, tuple] | None = None) -> list[str]:
    """Every hard constraint that ``o`` of ``provider`` fails for ``d``, written out longhand (``reqs``: the
    items' (hard, preferred) qualification codes already resolved, as ``Index.item_reqs`` holds them)."""
    fails = []
    if d.item:
        if o.item != d.item:
            fails.append("service")
    elif not (o.category or "").startswith(d.category or "\0"):
        fails.append("service")
    if not o.active:
        fails.append("active")
    served = o.provinces if o.provinces is not None else provider.provinces_served
    if d.province and d.province not in served and NATIONWIDE not in served:
        fails.append("region")
    needed = list(d.required_certificates)
    if reqs is not None and o.item in reqs:
        needed += reqs[o.item][0]
    elif o.item in items:
        needed += item_requirements(registry, items[o.item].qualifications)[0]
    if not all(_has(provider, code, day) for code in needed):
        fails.append("qualifications")
    if o.monthly_capacity - o.committed <= 0:
        fails.append("capacity")
    above = d.budget_max is not None and o.price_min > d.budget_max
    below = d.budget_min is not None and o.price_max < d.budget_min
    if above or below:
        fails.append("price")
    if d.days_to_deadline is not None and o.lead_time_days > d.days_to_deadline:
        fails.append("lead_time")
    if (d.buyer is not None and d.buyer == provider.id) or (d.buyer_members & provider.members):
        fails.append("conflict")
    return fails


def eligible(provider: Provider, d: Demand, day: date, registry: Registry, items: dict,
             reqs: Mapping[str, tuple] | None = None) -> bool:
    return any(not offering_failures(provider, o, d, day, registry, items, reqs) for o in provider.offerings)


def dcg(grades: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg(ranked: Sequence[str], rels: dict[str, int], k: int = 10) -> float:
    ideal = dcg(sorted(rels.values(), reverse=True)[:k])
    return dcg([rels.get(p, 0) for p in ranked[:k]]) / ideal if ideal else 0.0


def recall(ranked: Sequence[str], rels: dict[str, int], k: int = 20) -> float:
    relevant = {p for p, g in rels.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr(ranked: Sequence[str], rels: dict[str, int]) -> float:
    return next((1.0 / (i + 1) for i, p in enumerate(ranked) if rels.get(p, 0) > 0), 0.0)


def evaluate(data: LabelledSet, index: Index, *, method: str = "fusion", k: int = 10,
             registry: Registry | None = None) -> dict:
    """Run ``index`` on every demand of ``data`` and score it; the dict is what ``--format json`` prints."""
    registry = registry or default_registry()
    items = C.shipped_items()
    day = data.reference_date
    providers = {p.id: p for p in data.providers}
    depth = max(k, 20)
    per_demand, n_scores, r_scores, m_scores = [], [], [], []
    violations, empty_total, empty_right, false_empty = 0, 0, 0, 0
    exposure: Counter[str] = Counter()
    eligible_any: set[str] = set()
    for d in data.demands:
        ranked = [m.provider for m in index.match(d, limit=depth, method=method).matches]
        fits = {p.id for p in data.providers if eligible(p, d, day, registry, items)}
        eligible_any |= fits
        bad = [pid for pid in ranked if pid not in fits]
        violations += len(bad)
        rels = data.qrels.get(d.id, {})
        row = {"demand": d.id, "ranked": ranked, "eligible": len(fits)}
        if not fits:
            empty_total += 1
            empty_right += not ranked
            row["empty_expected"] = True
        elif not ranked:
            false_empty += 1
        if rels:
            row.update(ndcg=round(ndcg(ranked, rels, 10), 4), recall=round(recall(ranked, rels, 20), 4),
                       mrr=round(mrr(ranked, rels), 4))
            n_scores.append(row["ndcg"])
            r_scores.append(row["recall"])
            m_scores.append(row["mrr"])
        if bad:
            row["violations"] = {pid: offering_failures_best(providers[pid], d, day, registry, items)
                                 if pid in providers else ["unknown provider"] for pid in bad}
        exposure.update(ranked[:k])
        per_demand.append(row)
    pool = sorted(eligible_any)
    return {
        "method": method, "k": k, "reference_date": day.isoformat(),
        "providers": len(data.providers), "demands": len(data.demands), "labelled_demands": len(n_scores),
        "ndcg@10": mean(n_scores), "recall@20": mean(r_scores), "mrr": mean(m_scores),
        "constraint_violations": violations,
        "empty_expected": empty_total, "empty_correct": empty_right,
        "empty_answer_correctness": round(empty_right / empty_total, 4) if empty_total else None,
        "false_empty": false_empty,
        "coverage": round(sum(1 for p in pool if exposure[p]) / len(pool), 4) if pool else None,
        "exposure_gini": round(gini([exposure[p] for p in pool]), 4) if pool else None,
        "per_demand": per_demand,
    }


def mean(xs: Sequence[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def offering_failures_best(provider: Provider, d: Demand, day: date, registry: Registry, items: dict) -> list[str]:
    fails = [offering_failures(provider, o, d, day, registry, items) for o in provider.offerings]
    return min(fails, key=len) if fails else ["service"]


def summary_lines(report: dict) -> list[str]:
    def f(v):
        return "—" if v is None else (f"{v:.4f}" if isinstance(v, float) else str(v))

    return [
        f"method {report['method']}: {report['demands']} demands ({report['labelled_demands']} labelled), "
        f"{report['providers']} providers, reference date {report['reference_date']}",
        f"  NDCG@10 {f(report['ndcg@10'])}   recall@20 {f(report['recall@20'])}   MRR {f(report['mrr'])}",
        f"  constraint violations {report['constraint_violations']}   empty answers right "
        f"{report['empty_correct']}/{report['empty_expected']}   false empties {report['false_empty']}",
        f"  coverage@{report['k']} {f(report['coverage'])}   exposure Gini {f(report['exposure_gini'])}",
    ]
