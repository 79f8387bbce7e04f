"""A development set in the labelled-set format, with relevance known by construction (synthetic; say so).

For each demand the generator picks a target service item, one of its keywords as the specific need (facet)
and the manufacturer's GB/T 4754 division, then writes the demand text as a manufacturer would — its
problem, the category's everyday synonyms, the facet as a phrase from the item's scope or as the term itself
— never copying an offering's text. Around it, it builds providers:

* candidates that pass every hard constraint and offer the target item, graded
  2·[offers the facet] + [serves the manufacturer's division]: 3 both, 2 the facet, 1 the industry only,
  0 a generalist that does neither (it may be invited, but it is not what was asked for);
* competitors: more constraint-passing providers of the item, described by its other keywords;
* distractors with the right words that fail one hard constraint each: wrong region, expired certificate,
  unverified certificate, no capacity left, price above the budget, lead time past the deadline;
* constraint-passing providers of another item of the same category that share the demand's vocabulary
  (industry, problem, category words) but do a different job: grade 0;
* background providers, and a few demands no provider can serve (the right answer is an empty list).

Grades are then computed for every (demand, provider) pair by the same rule, so a background provider that
happens to fit is labelled too. Nothing here imports Django.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ronghe.match import catalog as C
from ronghe.match.records import parse_labelled_set
from ronghe.match.regions import province_name
from ronghe.platform.demodata import vocabulary as V
from ronghe.platform.demodata.rows import REGIONS

REFERENCE_DATE = date(2026, 12, 1)
MOTIVES = (
    *V.DEMAND_MOTIVES,
    "主机厂审核提出整改项，需要在三个月内关闭",
    "新工厂投产在即，相关能力尚未建立",
    "内部团队人手不足，希望借助外部专业力量",
)
OPENERS = ("我司为{where}一家{word}企业，", "本公司位于{where}，主营{word}，", "{where}{word}制造企业，")
ASKS = ("希望找到在{syn}方面有经验的团队，重点解决{facet}问题。", "需要外部机构协助开展{syn}相关工作，尤其是{facet}。",
        "想请专业服务商帮忙做{facet}，属于{syn}范畴。", "拟委托第三方完成{facet}，并给出可落地的{syn}方案。")


@dataclass
class _Offer:
    item: str
    facets: tuple[str, ...]
    industries: tuple[str, ...]
    record: dict[str, Any] = field(default_factory=dict)


def _price(item: C.Item, rng: random.Random) -> tuple[int, int]:
    scale = random.Random(f"price/{item.code}").lognormvariate(0, 0.45)
    low = max(3000, round(2500 * 60**0.8 * scale * rng.uniform(0.7, 1.3), -3))
    return int(low), int(round(low * rng.uniform(1.5, 3.0), -3))


def _facet_phrase(item: C.Item, facet: str, rng: random.Random) -> str:
    """The facet as the manufacturer might put it: a clause of the item's scope that names it, or the term."""
    clauses = [c for part in item.scope.replace("；", "，").replace("。", "，").split("，")
               for c in part.split("、") if facet in c and 4 <= len(c) <= 30]
    return rng.choice(clauses) if clauses and rng.random() < 0.5 else facet


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.items = C.shipped_items()
        self.cats = C.shipped_categories()
        self.by_cat: dict[str, list[str]] = {}
        for code, item in self.items.items():
            self.by_cat.setdefault(item.category, []).append(code)
        self.providers: list[dict[str, Any]] = []
        self.offers: dict[str, list[_Offer]] = {}
        self.demands: list[dict[str, Any]] = []
        self.hidden: dict[str, dict[str, Any]] = {}

    def _syn(self, item: C.Item) -> str:
        cat = self.cats.get(item.category)
        words = list(cat.synonyms) if cat else [item.name_zh]
        return self.rng.choice(words)

    def _hard_quals(self, item: C.Item) -> list[str]:
        from ronghe.match.constraints import item_requirements
        from ronghe.match.qualifications import default_registry

        return list(item_requirements(default_registry(), item.qualifications)[0])

    def provider(self, home: str, served: list[str], item_code: str, facets: tuple[str, ...],
                 industries: tuple[str, ...], *, certs: list[dict] | None = None, capacity: int | None = None,
                 committed: int = 0, price: tuple[int, int] | None = None, lead: int | None = None,
                 title: str | None = None, extra: int | None = None) -> str:
        rng = self.rng
        item = self.items[item_code]
        pid = f"p{len(self.providers) + 1:05d}"
        words = "、".join(V.DIVISIONS[d][1][0] for d in industries)
        lo, hi = price or _price(item, rng)
        focus = "、".join(facets) if facets else rng.choice(("各类", "常规", "综合"))
        desc = rng.choice((
            f"专注{focus}，主要服务{words}等行业客户。",
            f"团队长期从事{focus}，客户以{words}企业为主。",
            f"提供{focus}等服务，熟悉{words}行业的工艺与管理。",
        ))
        offers = [_Offer(item_code, facets, industries)]
        records = [{
            "item": item_code, "title": title or rng.choice((item.name_zh, f"{item.name_zh}服务", f"{self._syn(item)}·{item.name_zh}")),
            "description": desc, "price_min": lo, "price_max": hi,
            "monthly_capacity": capacity if capacity is not None else rng.randrange(2, 12), "committed": committed,
            "lead_time_days": lead if lead is not None else rng.choice((3, 5, 7, 10, 14)),
            "industries_served": list(industries),
        }]
        for _ in range(rng.choice((0, 0, 1, 1, 2)) if extra is None else extra):
            other = self.items[rng.choice(sorted(self.items))]
            if other.code == item_code:
                continue
            olo, ohi = _price(other, rng)
            ofacets = tuple(rng.sample(other.keywords, min(2, len(other.keywords))))
            offers.append(_Offer(other.code, ofacets, industries))
            records.append({"item": other.code, "title": other.name_zh,
                            "description": f"可提供{'、'.join(ofacets)}，服务{words}等行业。",
                            "price_min": olo, "price_max": ohi, "monthly_capacity": rng.randrange(1, 10),
                            "lead_time_days": rng.choice((5, 7, 14, 21)), "industries_served": list(industries)})
        if certs is None:
            certs = []
            for o in offers:
                for code in self._hard_quals(self.items[o.item]):
                    certs.append(self.cert(code))
            if rng.random() < 0.5:
                certs.append(self.cert("iso9001", verified=rng.random() < 0.8))
        trade = rng.choice(V.TRADE_NAMES)
        city = province_name(home).rstrip("省市")[:2]
        self.providers.append({
            "id": pid, "name": f"{city}{trade}{rng.choice(('科技', '技术服务', '咨询', '工程'))}有限公司（示例）",
            "province": home, "provinces_served": served, "industries_served": list(industries),
            "offerings": records, "certificates": certs, "cases": rng.randrange(0, 5),
            "completed": (c := rng.randrange(0, 12)), "on_time": rng.randrange(0, c + 1) if c else 0,
        })
        self.offers[pid] = offers
        return pid

    def cert(self, code: str, *, expired: bool = False, verified: bool = True) -> dict:
        start = REFERENCE_DATE - timedelta(days=self.rng.randrange(100, 900))
        end = (REFERENCE_DATE - timedelta(days=self.rng.randrange(1, 60)) if expired
               else REFERENCE_DATE + timedelta(days=self.rng.randrange(30, 900)))
        return {"type": code, "number": f"N{self.rng.randrange(10**7):07d}", "valid_from": start.isoformat(),
                "valid_to": end.isoformat(), "verified": verified}

    def region_pair(self) -> tuple[str, list[str], str]:
        """(demand province, a served list containing it, a province far away)."""
        region = self.rng.choice(REGIONS)
        p = self.rng.choice(region)
        far = self.rng.choice([q for r in REGIONS if r is not region for q in r])
        served = sorted({p, *self.rng.sample(region, min(2, len(region)))})
        return p, served, far

    def demand(self, n: int, servable: bool = True) -> None:
        rng = self.rng
        code = rng.choice(sorted(self.items))
        item = self.items[code]
        facet = rng.choice(item.keywords) if item.keywords else item.name_zh
        division = rng.choice(sorted(V.DIVISIONS))
        word = rng.choice(V.DIVISIONS[division][1])
        province, served, far = self.region_pair()
        lo, hi = _price(item, rng)
        budget_min, budget_max = int(lo * rng.uniform(0.6, 1.0)), int(hi * rng.uniform(1.0, 1.4))
        days = rng.randrange(30, 120)
        by_category = servable and rng.random() < 0.4 and len(self.by_cat[item.category]) > 1
        required = []
        if not servable:
            required = ["AS9100"]
        elif rng.random() < 0.3:
            required = [rng.choice(("ISO 9001", "CNAS", "ISO/IEC 27001")) if item.category != "014" else "CNAS"]
        did = f"d{n + 1:04d}"
        where = province_name(province)
        syn = self._syn(item)
        text = (rng.choice(OPENERS).format(where=where, word=word) + rng.choice(MOTIVES) + "。"
                + rng.choice(ASKS).format(syn=syn, facet=_facet_phrase(item, facet, rng)))
        if required:
            text += f"服务商须具备{required[0]}资质。"
        title = f"{word}企业{syn}需求（{facet if rng.random() < 0.5 else syn}）"
        record = {"id": did, "title": title, "description": text, "manufacturer_industry": division,
                  "province": province, "budget_min": budget_min, "budget_max": budget_max, "deadline_days": days,
                  "required_certificates": required, "quantity": rng.choice((1, 1, 1, 2))}
        if by_category:
            record["category"] = item.category
        else:
            record["item"] = code
        self.demands.append(record)
        self.hidden[did] = {"item": code, "facet": facet, "division": division}

        def certs_ok(extra_bad: dict | None = None) -> list[dict]:
            out = [self.cert(c) for c in self._hard_quals(item)]
            from ronghe.match.qualifications import default_registry

            for r in required:
                out.append(extra_bad or self.cert(default_registry().code_of(r) or r))
            return out

        other_div = rng.choice([d for d in V.DIVISIONS if d != division])
        if servable:
            for facets, inds in (((facet,), (division,)), ((facet,), (other_div,)), ((), (division,)),
                                 ((), (other_div,)), ((facet,), (division, other_div))):
                self.provider(province if rng.random() < 0.5 else served[0], served, code, facets, inds,
                              certs=certs_ok(), price=(lo, hi), lead=min(days, rng.choice((3, 7, 14))))
            # competitors: constraint-passing providers of the same item with its other keywords (grade 0 or 1)
            others = [k for k in item.keywords if k != facet] or [item.name_zh]
            for _ in range(8):
                self.provider(rng.choice(served), served, code, tuple(rng.sample(others, min(2, len(others)))),
                              (rng.choice((division, other_div, other_div)),), certs=certs_ok(),
                              price=(lo, hi), lead=min(days, rng.choice((3, 7, 14))))
        # distractors with the right words, each failing one hard constraint
        right = ((facet,), (division,))
        self.provider(far, [far], code, *right, certs=certs_ok())  # wrong region
        quals = self._hard_quals(item) + ([r for r in required])
        from ronghe.match.qualifications import default_registry

        if quals or not servable:
            bad_code = default_registry().code_of(quals[0]) or quals[0] if quals else "as9100"
            self.provider(province, served, code, *right, certs=[self.cert(bad_code, expired=True)])
            self.provider(province, served, code, *right, certs=[self.cert(bad_code, verified=False)])
        cap = rng.randrange(1, 6)
        self.provider(province, served, code, *right, certs=certs_ok(), capacity=cap, committed=cap)  # no capacity
        self.provider(province, served, code, *right, certs=certs_ok(),
                      price=(budget_max + 1000, budget_max * 2 + 1000))  # price above budget
        self.provider(province, served, code, *right, certs=certs_ok(), lead=days + rng.randrange(1, 30))
        # same words, constraint-passing where the demand names only the category, but a different job
        siblings = [c for c in self.by_cat[item.category] if c != code]
        for sib in rng.sample(siblings, min(2, len(siblings))):
            sitem = self.items[sib]
            slo, shi = _price(sitem, rng)
            self.provider(province, served, sib, tuple(sitem.keywords[:1]), (division,),
                          certs=[self.cert(c) for c in self._hard_quals(sitem)] + certs_ok()[len(self._hard_quals(item)):],
                          price=(min(slo, budget_max), max(shi, budget_min)), lead=min(days, 7),
                          title=f"{syn}·{sitem.name_zh}（{word}行业）")

    def background(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            code = rng.choice(sorted(self.items))
            item = self.items[code]
            region = rng.choice(REGIONS)
            home = rng.choice(region)
            served = ["全国"] if rng.random() < 0.05 else sorted({home, *rng.sample(region, min(2, len(region)))})
            facets = tuple(rng.sample(item.keywords, min(rng.randrange(0, 3), len(item.keywords))))
            inds = tuple(sorted(rng.sample(sorted(V.DIVISIONS), rng.randrange(1, 3))))
            self.provider(home, served, code, facets, inds)

    def qrels(self, data: Any) -> dict[str, dict[str, int]]:
        """Grades for every pair by the construction rule, over the providers the constraints keep."""
        from ronghe.match.evaluate import eligible
        from ronghe.match.qualifications import default_registry

        registry = default_registry()
        out: dict[str, dict[str, int]] = {}
        providers = {p.id: p for p in data.providers}
        for d in data.demands:
            h = self.hidden[d.id]
            row = {}
            for pid, offers in self.offers.items():
                best = 0
                for o in offers:
                    if o.item == h["item"]:
                        best = max(best, 2 * (h["facet"] in o.facets) + (h["division"] in o.industries))
                if best and eligible(providers[pid], d, data.reference_date, registry, C.shipped_items()):
                    row[pid] = best
            if row:
                out[d.id] = row
        return out


def generate(seed: int = 8, demands: int = 100, background: int = 400, unservable: float = 0.08) -> dict[str, Any]:
    """The development set as a JSON-ready dict (same seed, same set)."""
    b = _Builder(seed)
    n_bad = max(1, round(demands * unservable)) if demands else 0
    for n in range(demands):
        b.demand(n, servable=n >= n_bad)
    b.background(background)
    b.rng.shuffle(b.providers)  # construction order must not leak into ids' order
    out = {"source": f"ronghe match devset, seed {seed}: synthetic, relevance by construction (docs/matching.md)",
           "reference_date": REFERENCE_DATE.isoformat(), "providers": b.providers, "demands": b.demands, "qrels": {}}
    data = parse_labelled_set(out)
    out["qrels"] = b.qrels(data)
    return out
