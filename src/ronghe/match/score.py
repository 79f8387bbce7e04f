"""The transparent weighted score: every factor in [0, 1], times its weight, summed; the explanation adds up.

    score = Σ_f  w_f · v_f      (w from settings, Σ w_f = 1, each v_f ∈ [0, 1])

Each contribution is rounded to 4 decimals first and the score is the sum of the rounded contributions, so
the numbers a user sees add up exactly to the score they see. Text relevance is the reciprocal-rank fusion
of the lexical and the semantic rank (Cormack et al. 2009), divided by its largest possible value, so a
provider first in both lists gets 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

RRF_K = 60

DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 0.50,  # fused text relevance (BM25 over jieba tokens + e5 embeddings)
    "industry": 0.10,  # serves the manufacturer's GB/T 4754 division
    "capability": 0.10,  # capability tier; until the evaluation app lands, verified certificates and cases
    "qualifications": 0.06,  # preferred (non-mandatory) qualifications of the item that are held
    "track_record": 0.06,  # on-time completions, Bayesian-smoothed toward the prior
    "price": 0.07,  # share of the offering's price range inside the budget
    "region": 0.05,  # home province = the demand's, or serves it
    "capacity": 0.03,  # remaining monthly capacity against the quantity
    "lead_time": 0.03,  # lead time against the days to the deadline
}

LABELS = {
    "text": ("文本相关度", "text relevance"),
    "industry": ("行业经验", "industry served"),
    "capability": ("能力等级", "capability tier"),
    "qualifications": ("推荐资质", "preferred qualifications"),
    "track_record": ("履约记录", "track record"),
    "price": ("价格匹配", "price fit"),
    "region": ("服务区域", "region"),
    "capacity": ("剩余产能", "remaining capacity"),
    "lead_time": ("交付周期", "lead time"),
}


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Known factors only, none negative, summing to 1 (so a perfect provider scores 1)."""
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown score factors: {sorted(unknown)}")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    full = {f: float(weights.get(f, 0.0)) for f in DEFAULT_WEIGHTS}
    total = sum(full.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"weights must sum to 1, not {total:g}")
    return full


@dataclass
class Factor:
    name: str
    value: float  # v_f ∈ [0, 1]
    weight: float
    contribution: float  # round(w_f · v_f, 4)
    detail: str = ""  # what was measured, in words and numbers

    def as_dict(self) -> dict:
        zh, en = LABELS[self.name]
        return {"factor": self.name, "label_zh": zh, "label_en": en, "value": round(self.value, 4),
                "weight": self.weight, "contribution": self.contribution, "detail": self.detail}


@dataclass
class Explanation:
    factors: list[Factor]
    score: float
    constraints: dict[str, str] = field(default_factory=dict)  # constraint → what held
    matched_terms: list[str] = field(default_factory=list)
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    offering: object = None  # the offering that matched best (its platform key, else its position)
    offering_index: int = -1  # its position in the index's constraint table
    #: the registry codes of the qualifications the ``qualifications`` constraint required (the demand's own,
    #: then the item's hard ones), so a reader can name them in its own language (``Registry.name(code, "en")``)
    required_codes: list[str] = field(default_factory=list)

    def reasons(self, top: int = 3) -> list[str]:
        """The largest contributions, in words: the short list a result card shows."""
        best = sorted(self.factors, key=lambda f: -f.contribution)[:top]
        return [f"{LABELS[f.name][0]} {f.contribution:.3f}（{f.detail}）" if f.detail else
                f"{LABELS[f.name][0]} {f.contribution:.3f}" for f in best if f.contribution > 0]

    def as_dict(self) -> dict:
        return {"score": self.score, "factors": [f.as_dict() for f in self.factors],
                "constraints": dict(self.constraints), "matched_terms": list(self.matched_terms),
                "lexical_rank": self.lexical_rank, "semantic_rank": self.semantic_rank,
                "required_codes": list(self.required_codes)}


def rrf(ranks: list[int | None], k: int = RRF_K) -> float:
    """Σ 1/(k + rank) over the retrievers that ranked the candidate (rank 1 = best)."""
    return sum(1.0 / (k + r) for r in ranks if r is not None)


def combine(values: Mapping[str, float], weights: Mapping[str, float], details: Mapping[str, str]) -> Explanation:
    factors = []
    for name, weight in weights.items():
        v = min(1.0, max(0.0, float(values.get(name, 0.0))))
        factors.append(Factor(name, v, weight, round(weight * v, 4), details.get(name, "")))
    return Explanation(factors, round(sum(f.contribution for f in factors), 4))


def score_of(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The score ``combine`` would explain, without building the explanation (batch assignment's many pairs)."""
    return round(sum(round(w * min(1.0, max(0.0, float(values.get(n, 0.0)))), 4) for n, w in weights.items()), 4)


# --- the factor values, each a small pure function ------------------------------------------------


def price_fit(price_min: float, price_max: float, budget_min: float | None, budget_max: float | None) -> float:
    """Share of the offering's price range that lies inside the budget (1 when no budget is given)."""
    if budget_min is None and budget_max is None:
        return 1.0
    lo = max(price_min, budget_min if budget_min is not None else price_min)
    hi = min(price_max, budget_max if budget_max is not None else price_max)
    if hi < lo:
        return 0.0
    width = price_max - price_min
    if width <= 0 or width == float("inf"):
        return 1.0
    return (hi - lo) / width


def track_record(completed: int, on_time: int, prior: float = 0.8, strength: float = 3.0) -> float:
    """On-time share smoothed toward ``prior`` (a provider without history gets the prior, not zero)."""
    return (on_time + prior * strength) / (completed + strength)


def capability(tier: float | None, verified_certificates: int, cases: int) -> float:
    """The evaluation tier when there is one; else min(1, (verified valid certificates + cases) / 6)."""
    if tier is not None:
        return tier
    return min(1.0, (verified_certificates + cases) / 6.0)


def capacity_fit(remaining: int, quantity: int) -> float:
    return min(1.0, remaining / (3.0 * max(1, quantity)))


def lead_fit(lead_time_days: int, days_to_deadline: int | None) -> float:
    if days_to_deadline is None or days_to_deadline <= 0:
        return 1.0 if days_to_deadline is None else 0.0
    return max(0.0, 1.0 - lead_time_days / days_to_deadline)
