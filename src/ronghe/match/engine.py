"""The index and the three questions it answers: who fits a demand, what a provider's feed is, and why not.

``Index(providers, …)`` builds, once: the constraint table (``constraints``), the distinct offering texts
(identical texts are tokenized and embedded once), their BM25 index and their embeddings. Per demand:

1. hard constraints over the offerings of the demanded item/category → candidate providers (and the
   reasons the others were dropped);
2. lexical and semantic ranks among the candidates, fused by reciprocal rank (or one of them alone);
3. the weighted score of ``score`` for every candidate, explanations built for the returned ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ronghe.match import catalog as C
from ronghe.match import score as S
from ronghe.match.constraints import CONSTRAINTS, REASONS, ConstraintTable, item_requirements
from ronghe.match.embed import EmbeddingStore
from ronghe.match.lexical import LexicalIndex
from ronghe.match.qualifications import Registry, default_registry
from ronghe.match.records import Demand, Provider
from ronghe.match.regions import NATIONWIDE, province_name
from ronghe.match.text import Tokenizer, default_tokenizer

METHODS = ("bm25", "embed", "fusion")


@dataclass
class Match:
    provider: str
    score: float
    explanation: S.Explanation

    def as_dict(self) -> dict:
        e = self.explanation
        return {"provider": self.provider, "score": self.score, "reasons": e.reasons(),
                "constraints": e.constraints, "explanation": e.as_dict()}


@dataclass
class Result:
    demand: str
    method: str
    matches: list[Match]
    candidates: int  # providers that pass every hard constraint
    dropped: dict[str, list[str]] | None = None  # provider → failed constraints (owner and operator only)


@dataclass
class FeedEntry:
    demand: str
    score: float
    explanation: S.Explanation


class Index:
    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        reference_date: date | None = None,
        store: EmbeddingStore | None = None,
        tokenizer: Tokenizer | None = None,
        registry: Registry | None = None,
        items: Mapping[str, C.Item] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        self.providers = list(providers)
        self.reference_date = reference_date or date.today()
        self.registry = registry or default_registry()
        self.items = C.shipped_items() if items is None else items
        self.tokenizer = tokenizer or default_tokenizer()
        self.weights = S.check_weights(weights or S.DEFAULT_WEIGHTS)
        self.item_reqs = {code: item_requirements(self.registry, i.qualifications) for code, i in self.items.items()}
        self.table = ConstraintTable(self.providers, self.registry, self.item_reqs)
        t = self.table
        texts: dict[str, int] = {}
        self.o_text = np.fromiter((texts.setdefault(o.text, len(texts)) for o in t.offerings), np.int64,
                                  len(t.offerings))
        self.texts = list(texts)
        self.text_tokens = self.tokenizer.many(self.texts)
        self.lexical = LexicalIndex(self.text_tokens)
        self.store = store
        if store is not None and self.texts:
            self.vectors = store.passages(self.texts)
        else:
            self.vectors = np.zeros((len(self.texts), store.embedder.dim if store else 1), np.float32)
        # provider-level factor inputs
        day = self.reference_date
        self.p_cases = np.array([p.cases for p in self.providers], np.int64)
        self.p_completed = np.array([p.completed for p in self.providers], np.int64)
        self.p_on_time = np.array([p.on_time for p in self.providers], np.int64)
        self.p_tier = np.array([np.nan if p.tier is None else p.tier for p in self.providers], np.float64)
        self.p_verified = np.array(
            [sum(1 for c in p.certificates if c.verified and c.valid_on(day)) for p in self.providers], np.int64)
        self.p_home = [p.province for p in self.providers]
        self._o_industries = [
            o.industries if o.industries is not None else self.providers[n].industries_served
            for n, o in zip(t.o_provider, t.offerings, strict=True)
        ]
        self._o_explicit = [o.provinces if o.provinces is not None else self.providers[n].provinces_served
                            for n, o in zip(t.o_provider, t.offerings, strict=True)]
        self._query_tokens: dict[str, list[str]] = {}

    # --- demand side ----------------------------------------------------------------------------

    def demand_tokens(self, demand: Demand) -> list[str]:
        text = demand.text
        hit = self._query_tokens.get(text)
        if hit is None:
            hit = self.tokenizer.tokens(text)
            if len(self._query_tokens) > 100_000:
                self._query_tokens.clear()
            self._query_tokens[text] = hit
        return hit

    def demand_vector(self, demand: Demand) -> np.ndarray | None:
        if self.store is None:
            return None
        return self.store.queries([demand.text])[0]

    # --- the scoring core -----------------------------------------------------------------------

    def _factors(self, demand: Demand, offs: np.ndarray, day: date) -> dict[str, np.ndarray]:
        """Every factor but text, per offering."""
        t = self.table
        prov = t.o_provider[offs]
        n = len(offs)
        values: dict[str, np.ndarray] = {}
        ind = demand.manufacturer_industry
        values["industry"] = np.fromiter(
            (1.0 if ind and ind in self._o_industries[k] else (0.0 if ind else 1.0) for k in offs), np.float64, n)
        tier = self.p_tier[prov]
        cap = np.minimum(1.0, (self.p_verified[prov] + self.p_cases[prov]) / 6.0)
        values["capability"] = np.where(np.isnan(tier), cap, tier)
        pref = np.ones(n)
        item_ids = t.o_item[offs]
        for iid in np.unique(item_ids):
            wanted = self.item_reqs.get(t.item_codes[iid], ((), ()))[1] if iid >= 0 else ()
            if wanted:
                sel = item_ids == iid
                held = sum(t.holds(code, day)[prov[sel]].astype(float) for code in wanted)
                pref[sel] = held / len(wanted)
        values["qualifications"] = pref
        values["track_record"] = (self.p_on_time[prov] + 0.8 * 3.0) / (self.p_completed[prov] + 3.0)
        pmin, pmax = t.o_price_min[offs], t.o_price_max[offs]
        if demand.budget_min is None and demand.budget_max is None:
            values["price"] = np.ones(n)
        else:
            lo = np.maximum(pmin, demand.budget_min if demand.budget_min is not None else -np.inf)
            hi = np.minimum(pmax, demand.budget_max if demand.budget_max is not None else np.inf)
            width = pmax - pmin
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where((width > 0) & np.isfinite(width), (hi - lo) / width, 1.0)
            values["price"] = np.clip(np.where(hi < lo, 0.0, share), 0.0, 1.0)
        if demand.province:
            values["region"] = np.fromiter(
                (1.0 if self.p_home[p] == demand.province else
                 (0.6 if demand.province in self._o_explicit[k] else 0.3) for p, k in zip(prov, offs, strict=True)),
                np.float64, n)
        else:
            values["region"] = np.ones(n)
        values["capacity"] = np.minimum(1.0, np.maximum(t.o_remaining[offs], 0) / (3.0 * max(1, demand.quantity)))
        if demand.days_to_deadline is None:
            values["lead_time"] = np.ones(n)
        elif demand.days_to_deadline <= 0:
            values["lead_time"] = np.zeros(n)
        else:
            values["lead_time"] = np.clip(1.0 - t.o_lead[offs] / demand.days_to_deadline, 0.0, 1.0)
        return values

    def _text(self, demand: Demand, offs: np.ndarray, vector: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(BM25, cosine) per offering."""
        docs = self.o_text[offs]
        lex = self.lexical.pair_scores(self.demand_tokens(demand), docs)
        if vector is not None and self.store is not None and len(docs):
            sem = self.vectors[docs] @ vector
        else:
            sem = np.zeros(len(docs), np.float32)
        return lex, sem

    @staticmethod
    def _ranks(values: np.ndarray, keys: Sequence[str], eligible: np.ndarray) -> np.ndarray:
        """1-based ranks by descending value (ties by key), 0 where not eligible."""
        ranks = np.zeros(len(values), np.int64)
        idx = np.flatnonzero(eligible)
        if len(idx):
            order = sorted(idx, key=lambda i: (-float(values[i]), keys[i]))
            ranks[order] = np.arange(1, len(order) + 1)
        return ranks

    def _text_relevance(self, method: str, lex_rank: np.ndarray, sem_rank: np.ndarray) -> np.ndarray:
        k = S.RRF_K
        lex = np.where(lex_rank > 0, 1.0 / (k + np.maximum(lex_rank, 1)), 0.0)
        sem = np.where(sem_rank > 0, 1.0 / (k + np.maximum(sem_rank, 1)), 0.0)
        if method == "bm25":
            return lex * (k + 1)
        if method == "embed":
            return sem * (k + 1)
        return (lex + sem) * (k + 1) / 2

    def _combine(self, text: np.ndarray, values: dict[str, np.ndarray]) -> np.ndarray:
        total = np.zeros(len(text))
        for name, w in self.weights.items():
            v = text if name == "text" else values[name]
            total += np.round(w * np.clip(v, 0.0, 1.0), 4)
        return total

    def _explain(self, demand: Demand, k: int, text: float, values: dict[str, float], lex: float, sem: float,
                 lex_rank: int, sem_rank: int, tokens: Sequence[str], method: str) -> S.Explanation:
        t = self.table
        o = t.offerings[k]
        p = self.providers[t.o_provider[k]]
        details = {
            "text": f"{method}: BM25 {lex:.2f}（第{lex_rank or '-'}名），语义 {sem:.3f}（第{sem_rank or '-'}名）",
            "industry": f"{demand.manufacturer_industry or '-'} ∈ {sorted(self._o_industries[k])}"
            if demand.manufacturer_industry else "需求未注明行业",
            "capability": f"等级 {p.tier:.2f}" if p.tier is not None
            else f"已核验有效证书 {int(self.p_verified[t.o_provider[k]])} 张，案例 {p.cases} 个",
            "qualifications": "推荐资质持有比例",
            "track_record": f"按期完成 {p.on_time}/{p.completed}（向 0.8 平滑）",
            "price": f"报价 {o.price_min:g}–{o.price_max:g}，预算 {demand.budget_min or '-'}–{demand.budget_max or '-'}",
            "region": f"所在地 {province_name(p.province)}，需求在 {province_name(demand.province or '')}",
            "capacity": f"剩余 {o.monthly_capacity - o.committed}/月，数量 {demand.quantity}",
            "lead_time": f"周期 {o.lead_time_days} 天，距截止 {demand.days_to_deadline} 天",
        }
        values = dict(values, text=text)
        e = S.combine(values, self.weights, details)
        held = [self.registry.name(c) for c in (*demand.required_certificates,
                                                 *self.item_reqs.get(o.item or "", ((), ()))[0])]
        served = self._o_explicit[k]
        e.constraints = {
            "service": f"{o.item or o.category} · {o.title}",
            "active": "有效",
            "region": "全国" if NATIONWIDE in served and demand.province not in served
            else province_name(demand.province or "") if demand.province else "需求未限定省份",
            "qualifications": "、".join(dict.fromkeys(held)) or "无必需资质",
            "capacity": f"{o.monthly_capacity - o.committed} > 0",
            "price": f"[{o.price_min:g}, {o.price_max:g}] ∩ [{demand.budget_min or 0:g}, "
                     f"{demand.budget_max if demand.budget_max is not None else float('inf'):g}]",
            "lead_time": f"{o.lead_time_days} ≤ {demand.days_to_deadline}" if demand.days_to_deadline is not None
            else "未设截止",
            "conflict": "非需求方本组织，无共同成员",
        }
        doc_tokens = set(self.text_tokens[self.o_text[k]])
        e.matched_terms = sorted({tok for tok in tokens if tok in doc_tokens}, key=lambda s: (-len(s), s))[:12]
        e.lexical_rank, e.semantic_rank = int(lex_rank) or None, int(sem_rank) or None
        e.offering = o.key if o.key is not None else k
        e.offering_index = k
        return e

    # --- the questions --------------------------------------------------------------------------

    def match(self, demand: Demand, *, limit: int = 20, method: str = "fusion", vector: np.ndarray | None = None,
              day: date | None = None, explain_dropped: bool = False) -> Result:
        """The providers that fit ``demand``, best first, each with an explanation that adds up."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        if limit < 0:
            raise ValueError("limit must not be negative")
        day = day or self.reference_date
        t = self.table
        offs = t.service_offerings(demand)
        cols = t.check(demand, offs, day)
        ok = t.passing(cols)
        dropped = t.dropped(offs, cols) if explain_dropped else None
        cand = offs[ok]
        if not len(cand):
            return Result(demand.id, method, [], 0, dropped)
        if vector is None and method != "bm25":
            vector = self.demand_vector(demand)
        lex, sem = self._text(demand, cand, vector)
        # one row per provider: its best passing offering (highest BM25 + cosine, then first)
        prov = t.o_provider[cand]
        norm = lex / lex.max() if lex.max() > 0 else lex
        order = np.lexsort((-(norm + sem), prov))
        first = np.ones(len(order), bool)
        first[1:] = prov[order][1:] != prov[order][:-1]
        rows = order[first]
        cand, lex, sem, prov = cand[rows], lex[rows], sem[rows], prov[rows]
        keys = [self.providers[p].id for p in prov]
        lex_rank = self._ranks(lex, keys, lex > 0)
        sem_rank = self._ranks(sem, keys, np.full(len(sem), vector is not None and self.store is not None))
        text = self._text_relevance(method, lex_rank, sem_rank)
        values = self._factors(demand, cand, day)
        total = self._combine(text, values)
        top = sorted(range(len(cand)), key=lambda i: (-total[i], keys[i]))[:limit]
        tokens = self.demand_tokens(demand)
        matches = []
        for i in top:
            e = self._explain(demand, int(cand[i]), float(text[i]), {n: float(v[i]) for n, v in values.items()},
                              float(lex[i]), float(sem[i]), int(lex_rank[i]), int(sem_rank[i]), tokens, method)
            matches.append(Match(keys[i], e.score, e))
        matches.sort(key=lambda m: (-m.score, m.provider))
        return Result(demand.id, method, matches, len(cand), dropped)

    def why_not(self, demand: Demand, provider_id: str, day: date | None = None) -> list[str]:
        """The hard constraints ``provider_id`` fails for ``demand`` (empty: it is a candidate)."""
        t = self.table
        n = t.provider_index.get(provider_id)
        if n is None:
            return ["service"]
        offs = t.service_offerings(demand)
        offs = offs[t.o_provider[offs] == n]
        if not len(offs):
            return ["service"]
        cols = t.check(demand, offs, day or self.reference_date)
        if t.passing(cols).any():
            return []
        return t.dropped(offs, cols).get(provider_id, [])

    def feed(self, provider_id: str, demands: Iterable[Demand] | DemandPool, *, limit: int = 20,
             method: str = "fusion", vectors: Mapping[str, np.ndarray] | None = None,
             day: date | None = None) -> list[FeedEntry]:
        """The demands it can serve, ranked — chosen only among those given: the caller passes what the
        provider may see (``demand.visibility``), so the engine cannot leak what it was never told."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        if limit < 0:
            raise ValueError("limit must not be negative")
        t = self.table
        n = t.provider_index.get(provider_id)
        if n is None:
            return []
        pool = demands if isinstance(demands, DemandPool) else DemandPool(demands)
        day = day or self.reference_date
        mine = np.flatnonzero(t.o_provider == n)
        rows = []  # (demand, offering, lex, sem, has vector, values)
        for d in pool.serving(t.offerings[k] for k in mine):
            offs = mine[[(t.offerings[k].item == d.item) if d.item else
                         bool(t.offerings[k].category and t.offerings[k].category.startswith(d.category or "~"))
                         for k in mine]]
            offs = offs[t.passing(t.check(d, offs, day))]
            if not len(offs):
                continue
            vec = None
            if method != "bm25":
                vec = vectors.get(d.id) if vectors is not None else self.demand_vector(d)
            lex, sem = self._text(d, offs, vec)
            best = int(np.argmax(lex / (lex.max() or 1) + sem))
            vals = self._factors(d, offs[best:best + 1], day)
            rows.append((d, int(offs[best]), float(lex[best]), float(sem[best]), vec is not None,
                         {k: float(v[0]) for k, v in vals.items()}))
        if not rows:
            return []
        keys = [r[0].id for r in rows]
        lex = np.array([r[2] for r in rows])
        sem = np.array([r[3] for r in rows])
        lex_rank = self._ranks(lex, keys, lex > 0)
        sem_rank = self._ranks(sem, keys, np.array([r[4] for r in rows]) & (self.store is not None))
        text = self._text_relevance(method, lex_rank, sem_rank)
        values = {name: np.array([r[5][name] for r in rows]) for name in rows[0][5]}
        total = self._combine(text, values)
        top = sorted(range(len(rows)), key=lambda i: (-total[i], keys[i]))[:limit]
        out = []
        for i in top:
            d, k, lx, sm, _, vals = rows[i]
            e = self._explain(d, k, float(text[i]), vals, lx, sm, int(lex_rank[i]), int(sem_rank[i]),
                              self.demand_tokens(d), method)
            out.append(FeedEntry(d.id, e.score, e))
        out.sort(key=lambda f: (-f.score, f.demand))
        return out


class DemandPool:
    """Open demands indexed by item and category, so a feed looks only at those a provider could serve."""

    def __init__(self, demands: Iterable[Demand]) -> None:
        self.demands = list(demands)
        self.by_item: dict[str, list[Demand]] = {}
        self.by_category: dict[str, list[Demand]] = {}
        for d in self.demands:
            if d.item:
                self.by_item.setdefault(d.item, []).append(d)
            elif d.category:
                self.by_category.setdefault(d.category, []).append(d)

    def __len__(self) -> int:
        return len(self.demands)

    def serving(self, offerings: Iterable) -> list[Demand]:
        """Demands naming an item offered, or a category (prefix) of one offered; each once, in pool order."""
        seen: dict[int, Demand] = {}
        for o in offerings:
            for d in self.by_item.get(o.item or "", ()):
                seen.setdefault(id(d), d)
            cat = o.category or ""
            for cut in range(2, len(cat) + 1):
                for d in self.by_category.get(cat[:cut], ()):
                    seen.setdefault(id(d), d)
        return list(seen.values())


def reason_text(constraint: str, lang: str = "zh") -> str:
    zh, en = REASONS[constraint]
    return en if lang == "en" else zh


__all__ = ["CONSTRAINTS", "METHODS", "DemandPool", "FeedEntry", "Index", "Match", "Result", "reason_text"]
