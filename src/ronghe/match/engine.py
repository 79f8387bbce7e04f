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
import scipy.sparse as sp

from ronghe.match import catalog as C
from ronghe.match import score as S
from ronghe.match.constraints import CONSTRAINTS, NATIONWIDE_BIT, REASONS, ConstraintTable, item_requirements
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
    explanation: S.Explanation | None  # None when asked with ``explain=False`` (batch assignment)
    offering_index: int = -1  # the provider's best offering, a position in the index's constraint table

    def as_dict(self) -> dict:
        e = self.explanation
        if e is None:
            return {"provider": self.provider, "score": self.score}
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
        previous: Index | None = None,
    ) -> None:
        """``previous``: an index of the same platform built earlier, whose tokens are reused, so a rebuild
        tokenizes only the texts it has not seen (jieba is most of a build's time)."""
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
        if previous is not None and previous.tokenizer is not self.tokenizer:
            previous = None  # another dictionary, other tokens
        known = dict(zip(previous.texts, previous.text_tokens, strict=True)) if previous is not None else {}
        self.text_tokens = [hit if (hit := known.get(text)) is not None else self.tokenizer.tokens(text)
                            for text in self.texts]
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
        self._query_tokens: dict[str, list[str]] = dict(previous._query_tokens) if previous is not None else {}

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

    def _factors(self, asks: Asks, offs: np.ndarray, day: date) -> dict[str, np.ndarray]:
        """Every factor but text, per (demand, offering) pair: ``asks`` holds the demand side, one row a pair."""
        t = self.table
        prov = t.o_provider[offs]
        n = len(offs)
        values: dict[str, np.ndarray] = {}
        values["industry"] = np.fromiter(
            (1.0 if ind and ind in self._o_industries[k] else (0.0 if ind else 1.0)
             for ind, k in zip(asks.industry, offs, strict=True)), np.float64, n)
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
        lo = np.maximum(pmin, asks.budget_lo)
        hi = np.minimum(pmax, asks.budget_hi)
        width = pmax - pmin
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where((width > 0) & np.isfinite(width), (hi - lo) / width, 1.0)
        values["price"] = np.where(asks.no_budget, 1.0, np.clip(np.where(hi < lo, 0.0, share), 0.0, 1.0))
        values["region"] = np.fromiter(
            (1.0 if not where else 1.0 if self.p_home[p] == where else
             0.6 if where in self._o_explicit[k] else 0.3
             for where, p, k in zip(asks.province, prov, offs, strict=True)), np.float64, n)
        values["capacity"] = np.minimum(1.0, np.maximum(t.o_remaining[offs], 0) / (3.0 * asks.quantity))
        days = asks.deadline
        with np.errstate(invalid="ignore", divide="ignore"):
            lead = np.clip(1.0 - t.o_lead[offs] / days, 0.0, 1.0)
        values["lead_time"] = np.where(np.isnan(days), 1.0, np.where(days <= 0, 0.0, lead))
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
    def _ranks(values: np.ndarray, key_rank: np.ndarray, eligible: np.ndarray) -> np.ndarray:
        """1-based ranks by descending value, ties by key (``key_rank``: the keys' sorted order), 0 where not
        eligible."""
        ranks = np.zeros(len(values), np.int64)
        idx = np.flatnonzero(eligible)
        if len(idx):
            order = idx[np.lexsort((key_rank[idx], -values[idx].astype(np.float64)))]
            ranks[order] = np.arange(1, len(order) + 1)
        return ranks

    @staticmethod
    def _top(total: np.ndarray, key_rank: np.ndarray, limit: int) -> np.ndarray:
        """Positions of the ``limit`` best totals, ties by key."""
        return np.lexsort((key_rank, -total))[:limit]

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
            "industry": f"{demand.manufacturer_industry or '-'} ∈ {{{'、'.join(sorted(self._o_industries[k]))}}}"
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
        required = list(dict.fromkeys((*demand.required_certificates,
                                       *self.item_reqs.get(o.item or "", ((), ()))[0])))
        held = [self.registry.name(c) for c in required]
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
        e.required_codes = required
        return e

    # --- the questions --------------------------------------------------------------------------

    def match(self, demand: Demand, *, limit: int = 20, method: str = "fusion", vector: np.ndarray | None = None,
              day: date | None = None, explain_dropped: bool = False, explain: bool = True) -> Result:
        """The providers that fit ``demand``, best first, each with an explanation that adds up
        (``explain=False``: scores and offerings only, the same scores, for batch assignment)."""
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
        key_rank = t.p_key_rank[prov]
        lex_rank = self._ranks(lex, key_rank, lex > 0)
        sem_rank = self._ranks(sem, key_rank, np.full(len(sem), vector is not None and self.store is not None))
        text = self._text_relevance(method, lex_rank, sem_rank)
        values = self._factors(Asks.of(demand, len(cand)), cand, day)
        total = self._combine(text, values)
        top = self._top(total, key_rank, limit)
        matches = []
        for i in top:
            pid = t.provider_ids[prov[i]]
            vals = {n: float(v[i]) for n, v in values.items()}
            if not explain:
                matches.append(Match(pid, S.score_of(dict(vals, text=float(text[i])), self.weights), None,
                                     int(cand[i])))
                continue
            e = self._explain(demand, int(cand[i]), float(text[i]), vals, float(lex[i]), float(sem[i]),
                              int(lex_rank[i]), int(sem_rank[i]), self.demand_tokens(demand), method)
            matches.append(Match(pid, e.score, e, int(cand[i])))
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
             day: date | None = None, only: Iterable[str] | np.ndarray | None = None) -> list[FeedEntry]:
        """The demands it can serve, ranked — chosen only among those given: the caller passes what the
        provider may see (``demand.visibility``), as the demands or as ``only`` (ids in a larger pool), so the
        engine cannot leak what it was never told.

        Array work over the pool: for each of the provider's offerings, the demands naming its item (or a
        category of it) are checked column by column, so a feed over thousands of demands costs a few
        vector operations per offering, not a loop over demands."""
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
        allowed = pool.allowed(only)
        p = self.providers[n]
        banned = pool.conflicts(provider_id, p.members)
        req_ok = pool.requirements_held(lambda code: bool(t.holds(code, day)[n]))
        pair_rows, pair_offs = [], []
        for k in t.offerings_of(n):
            o = t.offerings[k]
            if not t.o_active[k] or t.o_remaining[k] <= 0:
                continue
            holders = t.item_holders(o.item, day) if o.item else None
            if holders is not None and not holders[n]:
                continue
            rows = pool.served_by(o)
            rows = rows[allowed[rows]]
            if not len(rows):
                continue
            served = t.o_provinces[k] & np.int64(1 << NATIONWIDE_BIT)
            ok = (req_ok[rows] & ~banned[rows]
                  & (~pool.has_province[rows] | ((t.o_provinces[k] & pool.province_bit[rows]) != 0) | (served != 0))
                  & (t.o_price_min[k] <= pool.budget_hi[rows]) & (t.o_price_max[k] >= pool.budget_lo[rows])
                  & (np.isnan(pool.deadline[rows]) | (t.o_lead[k] <= pool.deadline[rows])))
            rows = rows[ok]
            pair_rows.append(rows)
            pair_offs.append(np.full(len(rows), k, np.int64))
        if not pair_rows or not sum(len(r) for r in pair_rows):
            return []
        rows, offs = np.concatenate(pair_rows), np.concatenate(pair_offs)
        docs = self.o_text[offs]
        urows, udocs = np.unique(rows), np.unique(docs)
        query, terms = pool.query_terms(self, urows)
        weights = self.lexical.matrix[terms][:, udocs].toarray() if len(terms) else np.zeros((0, len(udocs)))
        lex = np.asarray(query @ weights, np.float32)[np.searchsorted(urows, rows), np.searchsorted(udocs, docs)]
        use_vectors = method != "bm25" and self.store is not None
        if use_vectors:
            qv, has_vec = pool.vectors_for(self, rows, vectors)
            sem = np.einsum("ij,ij->i", qv, self.vectors[docs]).astype(np.float32)
            sem[~has_vec] = 0.0
        else:
            sem, has_vec = np.zeros(len(rows), np.float32), np.zeros(len(rows), bool)
        # one pair per demand: its best offering (BM25 normalised over the demand's offerings, plus cosine)
        order = np.lexsort((offs, rows))
        rows, offs, lex, sem, has_vec = rows[order], offs[order], lex[order], sem[order], has_vec[order]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        rowmax = np.repeat(np.maximum.reduceat(lex, starts), np.diff(np.r_[starts, len(rows)]))
        key = lex / np.where(rowmax > 0, rowmax, 1) + sem
        best = np.lexsort((offs, -key, rows))
        first = np.r_[True, rows[best][1:] != rows[best][:-1]]
        pick = best[first]
        rows, offs, lex, sem, has_vec = rows[pick], offs[pick], lex[pick], sem[pick], has_vec[pick]
        key_rank = pool.key_rank[rows]
        lex_rank = self._ranks(lex, key_rank, lex > 0)
        sem_rank = self._ranks(sem, key_rank, has_vec & use_vectors)
        text = self._text_relevance(method, lex_rank, sem_rank)
        values = self._factors(pool.asks(rows), offs, day)
        total = self._combine(text, values)
        out = []
        for i in self._top(total, key_rank, limit):
            d = pool.demands[rows[i]]
            e = self._explain(d, int(offs[i]), float(text[i]), {k: float(v[i]) for k, v in values.items()},
                              float(lex[i]), float(sem[i]), int(lex_rank[i]), int(sem_rank[i]),
                              self.demand_tokens(d), method)
            out.append(FeedEntry(d.id, e.score, e))
        out.sort(key=lambda f: (-f.score, f.demand))
        return out


@dataclass
class Asks:
    """The demand side of (demand, offering) pairs as columns, one row a pair (missing bounds open)."""

    industry: list[str | None]
    province: list[str | None]
    budget_lo: np.ndarray  # −inf when open
    budget_hi: np.ndarray  # +inf when open
    no_budget: np.ndarray  # neither bound given: price fit 1
    deadline: np.ndarray  # days to the deadline, NaN when none
    quantity: np.ndarray  # at least 1

    @classmethod
    def of(cls, d: Demand, n: int) -> Asks:
        lo = -np.inf if d.budget_min is None else d.budget_min
        hi = np.inf if d.budget_max is None else d.budget_max
        return cls([d.manufacturer_industry] * n, [d.province] * n, np.full(n, lo, np.float64),
                   np.full(n, hi, np.float64), np.full(n, d.budget_min is None and d.budget_max is None),
                   np.full(n, np.nan if d.days_to_deadline is None else d.days_to_deadline, np.float64),
                   np.full(n, max(1, d.quantity), np.float64))


class DemandPool:
    """Open demands as columns, indexed by item and category, so a feed looks only at those a provider could
    serve. Build it once and pass ``only`` to ``Index.feed`` to narrow it to what one provider may see."""

    def __init__(self, demands: Iterable[Demand], vectors: Mapping[str, np.ndarray] | None = None) -> None:
        from ronghe.match.constraints import province_bits

        self.demands = list(demands)
        n = len(self.demands)
        self.position = {d.id: i for i, d in enumerate(self.demands)}
        by_item: dict[str, list[int]] = {}
        by_category: dict[str, list[int]] = {}
        for i, d in enumerate(self.demands):
            if d.item:
                by_item.setdefault(d.item, []).append(i)
            elif d.category:
                by_category.setdefault(d.category, []).append(i)
        self.by_item = {k: np.array(v, np.int64) for k, v in by_item.items()}
        self.by_category = {k: np.array(v, np.int64) for k, v in by_category.items()}
        bits = province_bits()
        self.has_province = np.fromiter((bool(d.province) for d in self.demands), bool, n)
        self.province_bit = np.fromiter((1 << bits[d.province] if d.province in bits else 0 for d in self.demands),
                                        np.int64, n)
        self.budget_lo = np.fromiter((-np.inf if d.budget_min is None else d.budget_min for d in self.demands),
                                     np.float64, n)
        self.budget_hi = np.fromiter((np.inf if d.budget_max is None else d.budget_max for d in self.demands),
                                     np.float64, n)
        self.no_budget = np.fromiter((d.budget_min is None and d.budget_max is None for d in self.demands), bool, n)
        self.deadline = np.fromiter((np.nan if d.days_to_deadline is None else d.days_to_deadline
                                     for d in self.demands), np.float64, n)
        self.quantity = np.fromiter((max(1, d.quantity) for d in self.demands), np.float64, n)
        self.key_rank = np.empty(n, np.int64)
        self.key_rank[sorted(range(n), key=lambda i: self.demands[i].id)] = np.arange(n)
        self.required = [(i, d.required_certificates) for i, d in enumerate(self.demands) if d.required_certificates]
        self.by_buyer: dict[str, list[int]] = {}
        self.by_member: dict[str, list[int]] = {}
        for i, d in enumerate(self.demands):
            if d.buyer is not None:
                self.by_buyer.setdefault(d.buyer, []).append(i)
            for m in d.buyer_members:
                self.by_member.setdefault(m, []).append(i)
        self._vectors = dict(vectors) if vectors is not None else None
        self._for_index: dict | None = None

    def __len__(self) -> int:
        return len(self.demands)

    @property
    def given_vectors(self) -> dict[str, np.ndarray]:
        """The query vectors the pool was built with (by demand id)."""
        return self._vectors or {}

    def allowed(self, only: Iterable[str] | np.ndarray | None) -> np.ndarray:
        """Mask of the rows ``only`` names (demand ids, or row positions as an integer array); all if None."""
        if only is None:
            return np.ones(len(self.demands), bool)
        mask = np.zeros(len(self.demands), bool)
        if isinstance(only, np.ndarray) and only.dtype.kind in "iu":
            mask[only] = True
        else:
            mask[[self.position[i] for i in only if i in self.position]] = True
        return mask

    def served_by(self, offering) -> np.ndarray:
        """Rows naming the offering's item, or a category (prefix) of its category, each once, ascending."""
        parts = [self.by_item.get(offering.item or "", _EMPTY)]
        cat = offering.category or ""
        parts += [self.by_category.get(cat[:cut], _EMPTY) for cut in range(2, len(cat) + 1)]
        return np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]

    def conflicts(self, provider_id: str, members: Iterable[str]) -> np.ndarray:
        """Rows whose buyer is this provider or shares a member with it."""
        mask = np.zeros(len(self.demands), bool)
        mask[self.by_buyer.get(provider_id, [])] = True
        for m in members:
            mask[self.by_member.get(m, [])] = True
        return mask

    def requirements_held(self, holds) -> np.ndarray:
        """Rows whose own required qualifications ``holds(code)`` all (demands without any: True)."""
        ok = np.ones(len(self.demands), bool)
        verdict: dict[str, bool] = {}
        for i, codes in self.required:
            ok[i] = all(verdict.setdefault(c, holds(c)) for c in codes)
        return ok

    def asks(self, rows: np.ndarray) -> Asks:
        ds = [self.demands[r] for r in rows]
        return Asks([d.manufacturer_industry for d in ds], [d.province for d in ds], self.budget_lo[rows],
                    self.budget_hi[rows], self.no_budget[rows], self.deadline[rows], self.quantity[rows])

    def _cache(self, index: Index) -> dict:
        """What this pool computed for one index (term ids, vectors); forgotten when asked for another."""
        if self._for_index is None or self._for_index["index"] != id(index):
            n = len(self.demands)
            self._for_index = {"index": id(index), "terms": {}, "known": np.zeros(n, bool),
                               "vectors": np.zeros((n, index.vectors.shape[1]), np.float32),
                               "has": np.zeros(n, bool)}
        return self._for_index

    def prepare(self, index: Index) -> DemandPool:
        """Tokenize every demand and gather every vector now (a serving process does it while it builds, so
        no request pays for a demand's first appearance)."""
        everything = np.arange(len(self.demands))
        self.query_terms(index, everything)
        if index.store is not None:
            self.vectors_for(index, everything, None)
        return self

    def query_terms(self, index: Index, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """(one row per given row: its distinct BM25 term ids, as a 0/1 matrix over ``terms``; ``terms``): the
        query side of BM25 for these rows' texts in ``index``'s vocabulary, each text tokenized once."""
        ids = self._cache(index)["terms"]
        for r in rows:
            r = int(r)
            if r not in ids:
                ids[r] = np.array(index.lexical.ids(index.demand_tokens(self.demands[r])), np.int64)
        parts = [ids[int(r)] for r in rows]
        cols = np.concatenate(parts) if parts else _EMPTY
        terms = np.unique(cols)
        indptr = np.r_[0, np.cumsum([len(x) for x in parts])].astype(np.int64)
        matrix = sp.csr_matrix((np.ones(len(cols), np.float32), np.searchsorted(terms, cols), indptr),
                               shape=(len(rows), len(terms)))
        return matrix, terms

    def vectors_for(self, index: Index, rows: np.ndarray, given: Mapping[str, np.ndarray] | None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(query vectors, has a vector) per row: the pool's own, else ``given``, else the index's store."""
        c = self._cache(index)
        source = self._vectors if self._vectors is not None else given
        for r in np.unique(rows[~c["known"][rows]]):
            d = self.demands[int(r)]
            v = source.get(d.id) if source is not None else index.demand_vector(d)
            if v is not None and np.any(v):
                c["vectors"][r], c["has"][r] = v, True
            c["known"][r] = True
        return c["vectors"][rows], c["has"][rows]


_EMPTY = np.zeros(0, np.int64)


def reason_text(constraint: str, lang: str = "zh") -> str:
    zh, en = REASONS[constraint]
    return en if lang == "en" else zh


__all__ = ["CONSTRAINTS", "METHODS", "Asks", "DemandPool", "FeedEntry", "Index", "Match", "Result", "reason_text"]
