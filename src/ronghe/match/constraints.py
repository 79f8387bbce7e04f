"""Hard constraints (硬约束) as arrays over every offering: a provider that fails one is never shown.

For a demand and a set of offerings, :meth:`ConstraintTable.check` returns one boolean column per
constraint (True = holds). An offering passes when every column holds; a provider is a candidate when one of
its offerings passes. The columns are kept, so the reasons a provider was dropped can be shown to the
demand's owner and the operator.

| constraint      | holds when                                                                              |
|-----------------|-----------------------------------------------------------------------------------------|
| service         | the offering is of the demanded item (or, for a category-only demand, of that category)  |
| active          | the offering is active                                                                  |
| region          | it serves the demand's province, or nationwide (全国)                                     |
| qualifications  | the provider holds every required qualification (the demand's, and the licences the      |
|                 | offering's item requires) with a certificate valid on the day and verified              |
| capacity        | monthly capacity − active commitments > 0                                               |
| price           | [price_min, price_max] overlaps [budget_min, budget_max], bounds included               |
| lead_time       | lead time ≤ days to the deadline                                                         |
| conflict        | not the buyer's own organization, and no member in common with it                         |
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np

from ronghe.match.qualifications import Registry
from ronghe.match.records import Demand, Provider
from ronghe.match.regions import NATIONWIDE, all_codes

CONSTRAINTS = ("service", "active", "region", "qualifications", "capacity", "price", "lead_time", "conflict")
REASONS = {
    "service": ("未提供所需服务条目", "does not offer the demanded service item or category"),
    "active": ("服务供给已停用", "the offering is inactive"),
    "region": ("不服务需求所在省份", "does not serve the demand's province"),
    "qualifications": ("缺少有效且已核验的必需资质", "lacks a required qualification (valid and verified)"),
    "capacity": ("本月剩余产能为零", "no remaining monthly capacity"),
    "price": ("报价区间与预算不重叠", "price range does not overlap the budget"),
    "lead_time": ("交付周期晚于截止日期", "lead time exceeds the days to the deadline"),
    "conflict": ("与需求方为同一组织或有共同成员", "is the buyer's own organization or shares members with it"),
}
NATIONWIDE_BIT = 62


def province_bits() -> dict[str, int]:
    return {code: n for n, code in enumerate(all_codes())}


def item_requirements(registry: Registry, texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(hard, preferred) codes of an item's qualification list.

    Licences the work legally needs are hard; ones marked 推荐/优先/涉及时/如需, and management-system
    certificates (ISO 9001 …, authority ``certification_body``) an item lists, are preferences that score.
    """
    hard, preferred = [], []
    for text in texts:
        req = registry.resolve(text)
        q = registry.qualifications.get(req.code)
        is_management_system = q is not None and q.authority == "certification_body"
        (hard if req.strict and not is_management_system else preferred).append(req.code)
    return tuple(dict.fromkeys(hard)), tuple(dict.fromkeys(preferred))


class ConstraintTable:
    """Columns over all offerings (``o_*``) and providers (``p_*``), built once per index."""

    def __init__(self, providers: list[Provider], registry: Registry, item_reqs: dict[str, tuple]) -> None:
        bits = province_bits()
        self.provider_ids = [p.id for p in providers]
        self.provider_index = {p.id: n for n, p in enumerate(providers)}
        offs = [(n, o) for n, p in enumerate(providers) for o in p.offerings]
        self.offerings = [o for _, o in offs]
        self.o_provider = np.fromiter((n for n, _ in offs), np.int64, len(offs))
        self.o_price_min = np.fromiter((o.price_min for _, o in offs), np.float64, len(offs))
        self.o_price_max = np.fromiter((o.price_max for _, o in offs), np.float64, len(offs))
        self.o_remaining = np.fromiter((o.monthly_capacity - o.committed for _, o in offs), np.int64, len(offs))
        self.o_lead = np.fromiter((o.lead_time_days for _, o in offs), np.int64, len(offs))
        self.o_active = np.fromiter((o.active for _, o in offs), bool, len(offs))
        masks = []
        for n, o in offs:
            served = o.provinces if o.provinces is not None else providers[n].provinces_served
            m = 0
            for code in served:
                m |= 1 << (NATIONWIDE_BIT if code == NATIONWIDE else bits.get(code, NATIONWIDE_BIT - 1))
            masks.append(m)
        self.o_provinces = np.array(masks, dtype=np.int64) if masks else np.zeros(0, np.int64)
        self.bits = bits
        self.by_item: dict[str, np.ndarray] = {}
        self.by_category: dict[str, np.ndarray] = {}
        item_lists, cat_lists = defaultdict(list), defaultdict(list)
        for k, (_, o) in enumerate(offs):
            if o.item:
                item_lists[o.item].append(k)
            if o.category:
                for cut in range(2, len(o.category) + 1):
                    cat_lists[o.category[:cut]].append(k)
        self.by_item = {i: np.array(v, np.int64) for i, v in item_lists.items()}
        self.item_codes = sorted(item_lists)
        item_id = {code: n for n, code in enumerate(self.item_codes)}
        self.o_item = np.fromiter((item_id.get(o.item, -1) if o.item else -1 for _, o in offs), np.int64, len(offs))
        self.by_category = {c: np.array(v, np.int64) for c, v in cat_lists.items()}
        self.item_reqs = item_reqs  # item code → (hard codes, preferred codes)
        # certificates by code: provider index, valid from/to as ordinals, verified
        certs = defaultdict(list)
        for n, p in enumerate(providers):
            for c in p.certificates:
                certs[c.type].append((n, c.valid_from.toordinal() if c.valid_from else 0,
                                      c.valid_to.toordinal() if c.valid_to else 10**7, c.verified))
        self.certs = {code: np.array(rows, dtype=np.int64) for code, rows in certs.items()}
        self.members: dict[str, list[int]] = defaultdict(list)
        for n, p in enumerate(providers):
            for m in p.members:
                self.members[m].append(n)
        self._held_cache: dict[tuple[str, int], np.ndarray] = {}
        self.n_providers = len(providers)
        # ties are broken by provider id: its rank among the ids, so a sort can use integers
        self.p_key_rank = np.empty(len(providers), np.int64)
        self.p_key_rank[sorted(range(len(providers)), key=self.provider_ids.__getitem__)] = np.arange(len(providers))
        # offerings are laid out provider by provider: provider n's are [start[n], start[n + 1])
        self.p_start = np.searchsorted(self.o_provider, np.arange(len(providers) + 1))

    def offerings_of(self, n: int) -> range:
        return range(int(self.p_start[n]), int(self.p_start[n + 1]))

    # --- per demand -----------------------------------------------------------------------------

    def service_offerings(self, demand: Demand) -> np.ndarray:
        """Offerings of the demanded item, or of the demanded category (a hierarchical prefix)."""
        if demand.item:
            return self.by_item.get(demand.item, np.zeros(0, np.int64))
        return self.by_category.get(demand.category or "", np.zeros(0, np.int64))

    def holds(self, code: str, day: date) -> np.ndarray:
        """Providers (boolean over all) holding ``code`` with a certificate valid on ``day`` and verified."""
        key = (code, day.toordinal())
        hit = self._held_cache.get(key)
        if hit is None:
            hit = np.zeros(self.n_providers, bool)
            rows = self.certs.get(code)
            if rows is not None and len(rows):
                d = day.toordinal()
                ok = (rows[:, 1] <= d) & (d <= rows[:, 2]) & (rows[:, 3] == 1)
                hit[rows[ok, 0]] = True
            if len(self._held_cache) > 4096:
                self._held_cache.clear()
            self._held_cache[key] = hit
        return hit

    def item_holders(self, item: str, day: date) -> np.ndarray | None:
        """Providers holding every licence ``item`` requires on ``day`` (None: it requires none)."""
        hard = self.item_reqs.get(item, ((), ()))[0]
        if not hard:
            return None
        key = ("item:" + item, day.toordinal())
        hit = self._held_cache.get(key)
        if hit is None:
            hit = np.ones(self.n_providers, bool)
            for code in hard:
                hit &= self.holds(code, day)
            self._held_cache[key] = hit
        return hit

    def check(self, demand: Demand, offs: np.ndarray, day: date) -> dict[str, np.ndarray]:
        """One boolean column per constraint over ``offs`` (which must all be of the demanded service)."""
        prov = self.o_provider[offs]
        cols: dict[str, np.ndarray] = {"service": np.ones(len(offs), bool), "active": self.o_active[offs]}
        if demand.province:
            bit = np.int64(1 << self.bits[demand.province]) if demand.province in self.bits else np.int64(0)
            cols["region"] = ((self.o_provinces[offs] & (bit | np.int64(1 << NATIONWIDE_BIT))) != 0)
        else:
            cols["region"] = np.ones(len(offs), bool)
        qual = np.ones(len(offs), bool)
        for code in demand.required_certificates:
            qual &= self.holds(code, day)[prov]
        item_ids = self.o_item[offs]
        for iid in np.unique(item_ids):
            if iid < 0:
                continue
            ok = self.item_holders(self.item_codes[iid], day)
            if ok is not None:
                sel = item_ids == iid
                qual[sel] &= ok[prov[sel]]
        cols["qualifications"] = qual
        cols["capacity"] = self.o_remaining[offs] > 0
        lo = demand.budget_min if demand.budget_min is not None else -np.inf
        hi = demand.budget_max if demand.budget_max is not None else np.inf
        cols["price"] = (self.o_price_min[offs] <= hi) & (self.o_price_max[offs] >= lo)
        if demand.days_to_deadline is not None:
            cols["lead_time"] = self.o_lead[offs] <= demand.days_to_deadline
        else:
            cols["lead_time"] = np.ones(len(offs), bool)
        conflict = np.ones(len(offs), bool)
        banned = set()
        if demand.buyer is not None and demand.buyer in self.provider_index:
            banned.add(self.provider_index[demand.buyer])
        for m in demand.buyer_members:
            banned.update(self.members.get(m, ()))
        if banned:
            conflict = ~np.isin(prov, np.fromiter(banned, np.int64, len(banned)))
        cols["conflict"] = conflict
        return cols

    @staticmethod
    def passing(cols: dict[str, np.ndarray]) -> np.ndarray:
        ok = None
        for col in cols.values():
            ok = col.copy() if ok is None else ok & col
        return ok if ok is not None else np.zeros(0, bool)

    def dropped(self, offs: np.ndarray, cols: dict[str, np.ndarray]) -> dict[str, list[str]]:
        """For providers offering the service that no passing offering saves: the constraints their closest
        offering fails (the one failing fewest)."""
        names = list(cols)
        fails = np.stack([~cols[n] for n in names], axis=1) if len(offs) else np.zeros((0, len(names)), bool)
        count = fails.sum(axis=1)
        best: dict[int, int] = {}
        for row, prov in enumerate(self.o_provider[offs]):
            if prov not in best or count[row] < count[best[prov]]:
                best[prov] = row
        return {self.provider_ids[p]: [names[c] for c in np.flatnonzero(fails[row])]
                for p, row in best.items() if count[row] > 0}
