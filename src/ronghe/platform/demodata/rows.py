"""Synthesis of one synthetic row at a time, from a seeded ``random.Random`` and the catalog: no database.

Every function here is pure given its ``rng``: it refers to other generated rows by their index in the run,
never by primary key, so a run's rows (and their digest) depend only on the seed, the counts, the catalog
and the run's date.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from ronghe.platform.accounts.reference import provinces
from ronghe.platform.demodata import vocabulary as V

REGIONS: tuple[tuple[str, ...], ...] = (
    ("31", "32", "33", "34", "35", "36", "37"),  # 华东
    ("44", "45", "46"),  # 华南
    ("11", "12", "13", "14", "15"),  # 华北
    ("41", "42", "43"),  # 华中
    ("50", "51", "52", "53", "54"),  # 西南
    ("61", "62", "63", "64", "65"),  # 西北
    ("21", "22", "23"),  # 东北
)
REGION_OF = {p: region for region in REGIONS for p in region}
CONFIDENTIALITY_SHARES = (("public", 30), ("registered", 45), ("nda", 15), ("private", 10))
DEMAND_STATE_SHARES = (("published", 82), ("draft", 8), ("closed", 6), ("cancelled", 4))
#: Demand-list themes → top-level service categories their items come from.
LIST_THEMES: dict[str, tuple[str, ...]] = {
    "数字化转型": ("03", "07"),
    "绿色低碳": ("05",),
    "质量提升与检验检测": ("01", "07"),
    "降本增效": ("07", "09", "10"),
    "人才与技能": ("08",),
}
#: How often manufacturers ask for each top-level category (digital, technical and green services lead).
DEMAND_CATEGORY_WEIGHTS = {
    "01": 16,
    "02": 9,
    "03": 22,
    "04": 6,
    "05": 13,
    "06": 4,
    "07": 12,
    "08": 8,
    "09": 4,
    "10": 9,
}


class Weighted:
    """Fast repeated weighted choice (bisect over cumulative weights); ``random.choices`` recomputes them."""

    def __init__(self, pairs: Any) -> None:
        self.values, weights = zip(*pairs, strict=True)
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass(frozen=True)
class ItemRef:
    """What the generator needs of a current catalog item version."""

    pk: int
    category_id: int
    code: str
    name: str
    top: str  # top-level category code, e.g. "03"
    pricing: str
    duration: tuple[int, int]
    qualifications: tuple[str, ...]


OPTIONAL_MARKERS = ("推荐", "优先", "涉及时", "如需")


@cache
def is_strict(qualification: str) -> bool:
    """A licence the work legally needs (not a recommended or situational one, nor a management ISO)."""
    return not qualification.startswith("ISO") and not any(m in qualification for m in OPTIONAL_MARKERS)


@dataclass
class Catalog:
    items: list[ItemRef]
    by_top: dict[str, list[int]] = field(default_factory=dict)  # top category → indexes into items
    open_items: list[int] = field(default_factory=list)  # items that need no licence: anyone may offer them

    def __post_init__(self) -> None:
        for n, item in enumerate(self.items):
            self.by_top.setdefault(item.top, []).append(n)
            if not any(is_strict(q) for q in item.qualifications):
                self.open_items.append(n)
        weights = [
            (n, DEMAND_CATEGORY_WEIGHTS.get(i.top, 5) / len(self.by_top[i.top]))
            for n, i in enumerate(self.items)
        ]
        self.demand_pick = Weighted(weights) if weights else None


# --- shared helpers -------------------------------------------------------------------------------

PROVINCES = provinces()
MANUFACTURER_PROVINCE = Weighted(V.MANUFACTURER_PROVINCE_WEIGHTS.items())
PROVIDER_PROVINCE = Weighted(
    (p, w * V.PROVIDER_HUB_FACTOR.get(p, 1.0)) for p, w in V.MANUFACTURER_PROVINCE_WEIGHTS.items()
)
DIVISION = Weighted((code, weight) for code, (weight, _) in V.DIVISIONS.items())
SPECIALTY = Weighted((code, weight) for code, (weight, _, _) in V.PROVIDER_SPECIALTIES.items())
ORG_FORM = Weighted(V.ORG_FORMS)
CONFIDENTIALITY = Weighted(CONFIDENTIALITY_SHARES)
DEMAND_STATE = Weighted(DEMAND_STATE_SHARES)


def person(rng: random.Random) -> str:
    return rng.choice(V.SURNAMES) + rng.choice(V.GIVEN_NAMES)


def phone(rng: random.Random) -> str:
    """Made-up mobile numbers, recognisable by their fixed middle block 0000."""
    return f"1{rng.choice('3589')}{rng.randrange(10)}-0000-{rng.randrange(10000):04d}"


def place(rng: random.Random, weights: Weighted) -> tuple[str, str, int]:
    """(province code, city, city index) drawn with the given province weights."""
    code = weights.pick(rng)
    cities = PROVINCES[code].cities
    n = rng.randrange(len(cities))
    return code, cities[n], n


def area_code(rng: random.Random, province: str, city_index: int) -> str:
    return f"{province}{city_index + 1:02d}{rng.randrange(1, 20):02d}"


def company_name(rng: random.Random, city: str, word: str) -> str:
    return f"{city}{rng.choice(V.TRADE_NAMES)}{word}{ORG_FORM.pick(rng)}{V.SYNTHETIC_MARK}"


def where(province: str, city: str) -> str:
    """“江苏省苏州市”, and “北京市” (not “北京市北京市”) for the municipalities."""
    name = PROVINCES[province].name_zh
    return name if name.startswith(city) else f"{name}{city}市"


@cache
def other_issuer(qualification: str) -> str:
    """The authority that issues a licence of type “other”, by what the licence is about."""
    return next(
        (issuer for words, issuer in V.LICENCE_ISSUERS if any(w in qualification for w in words)),
        "{province}市场监督管理局",
    )


def note(seed: int) -> str:
    return f"本条为 ronghe demo-data 生成的虚构示例数据（种子 {seed}），不代表任何真实企业或机构。"


# --- organizations --------------------------------------------------------------------------------


def manufacturer(rng: random.Random, seed: int, index: int) -> dict[str, Any]:
    province, city, city_n = place(rng, MANUFACTURER_PROVINCE)
    division = DIVISION.pick(rng)
    divisions = [division]
    if rng.random() < 0.25:
        other = DIVISION.pick(rng)
        if other != division:
            divisions.append(other)
    word = rng.choice(V.DIVISIONS[division][1])
    size = rng.choices(("小型", "中型", "大型"), (60, 30, 10))[0]
    return {
        "kind": "manufacturer",
        "index": index,
        "name": company_name(rng, city, word),
        "name_en": f"Synthetic manufacturer {index + 1} (seed {seed})",
        "province": province,
        "city": city,
        "area": area_code(rng, province, city_n),
        "industries": divisions,
        "description": f"{where(province, city)}的{size}{word}制造企业。{note(seed)}",
    }


def provider(rng: random.Random, seed: int, index: int) -> dict[str, Any]:
    province, city, city_n = place(rng, PROVIDER_PROVINCE)
    specialty = SPECIALTY.pick(rng)
    _, words, own_division = V.PROVIDER_SPECIALTIES[specialty]
    word = rng.choice(words)
    return {
        "kind": "provider",
        "index": index,
        "name": company_name(rng, city, word),
        "name_en": f"Synthetic service provider {index + 1} (seed {seed})",
        "province": province,
        "city": city,
        "area": area_code(rng, province, city_n),
        "industries": [own_division],
        "description": f"{where(province, city)}的{word}{'' if word.endswith('服务') else '服务'}机构。{note(seed)}",
        "specialty": specialty,
        "word": word,
    }


def support_org(
    rng: random.Random, seed: int, kind: str, index: int, province: str, word: str
) -> dict[str, Any]:
    """A certifier or an association (they verify certificates and publish demand lists)."""
    cities = PROVINCES[province].cities
    city_n = rng.randrange(len(cities))
    short = PROVINCES[province].name_zh
    name = (
        f"{short}{word}行业协会{V.SYNTHETIC_MARK}"
        if kind == "association"
        else f"{short}{rng.choice(V.TRADE_NAMES)}检验认证中心{V.SYNTHETIC_MARK}"
    )
    industries = [] if kind == "certifier" else [next(d for d, (_, ws) in V.DIVISIONS.items() if word in ws)]
    return {
        "kind": kind,
        "index": index,
        "name": name,
        "name_en": f"Synthetic {kind} {index + 1} (seed {seed})",
        "province": province,
        "city": cities[city_n],
        "area": area_code(rng, province, city_n),
        "industries": industries,
        "description": note(seed),
        "word": word,
    }


# --- providers' profiles, offerings, certificates, cases ------------------------------------------


def service_area(rng: random.Random, home: str) -> list[str]:
    roll = rng.random()
    if roll < 0.04:
        return sorted(PROVINCES)
    region = REGION_OF[home]
    if roll < 0.24:
        return sorted(region)
    extra = rng.sample([p for p in region if p != home], k=min(rng.randrange(4), len(region) - 1))
    return sorted({home, *extra})


@cache
def _item_scale(item: ItemRef) -> float:
    """Each item has its own price level, the same in every run (seeded by its code)."""
    return random.Random(f"price/{item.code}").lognormvariate(0, 0.45)


def price_range(rng: random.Random, item: ItemRef) -> tuple[int, int, str]:
    """(min, max, unit) in CNY, plausible for the item's pricing model and typical duration."""
    scale = _item_scale(item)
    lo_days, hi_days = item.duration
    days = max(1.0, (lo_days + hi_days) / 2)
    if item.pricing == "time_materials":
        low = round(rng.uniform(800, 2500) * scale**0.5, -1)
        return int(low), int(round(low * rng.uniform(1.3, 2.5), -1)), "day"
    if item.pricing == "subscription":
        low = round(rng.uniform(2000, 30000) * scale, -2)
        return int(low), int(round(low * rng.uniform(1.5, 3.0), -2)), "month"
    base = 2500 * min(days, 400) ** 0.8 * scale * rng.uniform(0.6, 1.6)
    if item.pricing == "outcome":  # a modest fixed fee, the rest paid on results
        low = max(5000, round(base * 0.3, -3))
        return int(low), int(round(low * rng.uniform(3, 8), -3)), "project"
    low = max(3000, round(base, -3))
    return int(low), int(round(low * rng.uniform(1.5, 4.0), -3)), "project"


def _pick_items(rng: random.Random, catalog: Catalog, specialty: str, k: int) -> list[int]:
    """Mostly items of the provider's own specialty; beyond it, only items that need no licence."""
    own = catalog.by_top.get(specialty, [])
    chosen: list[int] = []
    seen: set[int] = set()
    while len(chosen) < k:
        if rng.random() < 0.75 and not seen.issuperset(own):
            pool: Any = own
        elif not seen.issuperset(catalog.open_items):
            pool = catalog.open_items
        else:
            pool = range(len(catalog.items))
        n = rng.choice(pool)
        if n not in seen:
            seen.add(n)
            chosen.append(n)
    return chosen


CERT_TYPES = (  # (substring of a required qualification, certificate type)
    ("CNAS", "cnas"),
    ("CMA", "cma"),
    ("ISO 9001", "iso9001"),
    ("ISO 14001", "iso14001"),
    ("27001", "iso27001"),
    ("45001", "iso45001"),
    ("IATF 16949", "iatf16949"),
    ("高新技术企业", "high_tech"),
    ("专精特新", "srdi"),
    ("道路运输经营许可证", "road_transport"),
    ("CCC", "ccc"),
)
VALID_YEARS = {"cma": 6, "high_tech": 3, "road_transport": 4}


@cache
def cert_type(qualification: str) -> tuple[str, str]:
    """(type, name) of the certificate that satisfies a required qualification; ``other`` keeps its text."""
    for needle, kind in CERT_TYPES:
        if needle in qualification and not qualification.startswith("CCRC"):
            return kind, ""
    return "other", qualification.split("（")[0].strip()[:200]


def cert_number(rng: random.Random, kind: str, year: int) -> str:
    digits = f"{rng.randrange(10**8):08d}"
    return {
        "cnas": f"CNAS L{digits[:5]}",
        "cma": f"{year % 100:02d}{digits}{rng.randrange(100):02d}",
        "high_tech": f"GR{year}{digits}",
        "iatf16949": f"0{digits[:6]}",
        "road_transport": f"交运管许可字{digits[:6]}号",
        "ccc": f"{year}0101{digits}",
    }.get(kind, f"{digits[:5]}{rng.choice('QEIS')}{digits[5:]}R{rng.randrange(1, 4)}M")


def certificate(
    rng: random.Random,
    kind: str,
    name: str,
    scope: str,
    province: str,
    city: str,
    today: date,
    certifiers: int,
) -> dict[str, Any]:
    """Validity spread over the last four years, so some have expired; only valid ones may be verified."""
    valid_from = today - timedelta(days=rng.randrange(30, 1300))
    years = VALID_YEARS.get(kind, 3)
    valid_to = valid_from + timedelta(days=round(365.25 * years) - 1)
    issuers = V.CERT_ISSUERS[kind] if kind != "other" else (other_issuer(name),)
    issuer = rng.choice(issuers).format(province=PROVINCES[province].name_zh, city=city)
    verified = valid_to >= today and certifiers > 0 and rng.random() < 0.45
    return {
        "cert_type": kind,
        "name": name,
        "number": cert_number(rng, kind, valid_from.year),
        "issuer": issuer,
        "scope": scope,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "verifier": rng.randrange(certifiers) if verified else None,
    }


def provider_details(
    rng: random.Random, seed: int, org: dict[str, Any], catalog: Catalog, k: int, today: date, certifiers: int
) -> dict[str, Any]:
    """Profile, ``k`` offerings of distinct items, certificates for what they require, and a few cases."""
    index, home = org["index"], org["province"]
    area = service_area(rng, home)
    focus = sorted({DIVISION.pick(rng) for _ in range(rng.randrange(1, 5))})
    focus_words = "、".join(V.DIVISIONS[d][1][0] for d in focus)
    team = max(3, min(2000, int(rng.lognormvariate(3.5, 0.9))))
    items = [catalog.items[n] for n in _pick_items(rng, catalog, org["specialty"], k)]
    offerings = []
    for item in items:
        low, high, unit = price_range(rng, item)
        provinces_served = area if rng.random() < 0.8 else [home]
        offerings.append(
            {
                "item": item.code,
                "price_min": low,
                "price_max": high,
                "price_unit": unit,
                "monthly_capacity": max(1, min(50, int(team / rng.uniform(5, 25)))),
                "lead_time_days": rng.choice((3, 5, 7, 7, 10, 14, 15, 21, 30)),
                "provinces": provinces_served,
                "industries": sorted(rng.sample(focus, rng.randrange(1, len(focus) + 1))),
                "notes": f"可为{focus_words}等行业企业提供{item.name}服务。",
                "is_active": rng.random() >= 0.03,
            }
        )
    wanted: dict[tuple[str, str], list[str]] = {}
    for item in items:  # most hold the licences their work needs; some hold the recommended ones too
        for qualification in item.qualifications:
            if rng.random() < (0.9 if is_strict(qualification) else 0.4):
                wanted.setdefault(cert_type(qualification), []).append(item.name)
    if rng.random() < 0.6:
        wanted.setdefault(("iso9001", ""), []).append("服务质量管理")
    if rng.random() < 0.2:
        wanted.setdefault(("high_tech", ""), []).append(org["word"])
    certificates = [
        certificate(
            rng, kind, name, f"{'、'.join(sorted(set(scopes)))}相关服务", home, org["city"], today, certifiers
        )
        for (kind, name), scopes in wanted.items()
    ]
    cases = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        item = rng.choice(items)
        client_division = rng.choice(focus)
        client_word = rng.choice(V.DIVISIONS[client_division][1])
        gain = rng.randrange(8, 40)
        cases.append(
            {
                "title": f"{client_word}企业{item.name}项目",
                "item": item.code,
                "client_name": company_name(rng, rng.choice(PROVINCES[rng.choice(area)].cities), client_word),
                "client_industry_id": client_division,
                "year": today.year - rng.randrange(0, 6),
                "summary": f"为一家{client_word}企业提供{item.name}服务，覆盖{rng.randrange(1, 6)}个车间/产线。",
                "outcome": f"项目完成后关键指标改善约 {gain}%，按期通过客户验收。",
                "is_public": rng.random() < 0.3,
            }
        )
    profile = {
        "headline": f"专注{focus_words}等行业的{org['word']}机构",
        "description": f"{org['description']}主要提供{'、'.join(i.name for i in items[:3])}等服务。",
        "team_size": team,
        "founded_year": rng.randrange(1998, today.year),
        "service_provinces": area,
        "languages": "中文、英文" if rng.random() < 0.2 else "中文",
        "contact_name": person(rng),
        "contact_phone": phone(rng),
        "contact_email": f"p{index + 1:06d}.s{seed}@example.com",
    }
    return {"profile": profile, "offerings": offerings, "certificates": certificates, "cases": cases}


# --- demands and demand lists ---------------------------------------------------------------------


def demand(
    rng: random.Random, seed: int, index: int, maker: dict[str, Any], catalog: Catalog, today: date
) -> dict[str, Any]:
    """A manufacturer's demand: 1–3 lines, a budget that fits them, a deadline 2 weeks to 6 months ahead."""
    n_lines = rng.choices((1, 2, 3), (60, 30, 10))[0]
    picked: list[int] = []
    while len(picked) < n_lines:
        n = catalog.demand_pick.pick(rng)
        if n not in picked:
            picked.append(n)
    items = [catalog.items[n] for n in picked]
    division = maker["industries"][0]
    word = rng.choice(V.DIVISIONS[division][1])
    motive = rng.choice(V.DEMAND_MOTIVES)
    lines, budget = [], 0.0
    for item in items:
        quantity = rng.choices((1, 2, 3, 5), (75, 12, 8, 5))[0]
        low, high, unit = price_range(rng, item)
        per = (low + high) / 2 * {"day": rng.randrange(10, 60), "month": 12}.get(unit, 1)
        budget += per * quantity
        lines.append(
            {
                "item": item.code,
                "quantity": quantity,
                "scope": (
                    f"{motive}。拟采购“{item.name}”，覆盖{rng.randrange(1, 6)}条产线、约{rng.randrange(20, 400)}"
                    f"个物料号，要求{rng.choice(('驻场实施', '远程与现场结合', '分阶段交付', '按月汇报进度'))}。"
                ),
            }
        )
    budget_min = max(1000, round(budget * rng.uniform(0.5, 0.8), -3))
    budget_max = max(budget_min, round(budget * rng.uniform(1.0, 1.5), -3))
    state = DEMAND_STATE.pick(rng)
    names = "、".join(i.name for i in items)
    return {
        "index": index,
        "title": f"{word}企业{items[0].name}{'等' if len(items) > 1 else ''}服务需求",
        "summary": f"{PROVINCES[maker['province']].name_zh}一家{word}企业寻求{names}服务。",
        "industry": division,
        "province": maker["province"],
        "city": maker["city"],
        "budget_min": int(budget_min),
        "budget_max": int(budget_max),
        "deadline": today + timedelta(days=rng.randrange(14, 181)),
        "confidentiality": CONFIDENTIALITY.pick(rng),
        "state": state,
        "published_days_ago": rng.randrange(0, 30) if state in ("published", "closed") else None,
        "contact_name": person(rng),
        "contact_phone": phone(rng),
        "contact_email": f"d{index + 1:06d}.s{seed}@example.com",
        "lines": lines,
    }


def demand_list(
    rng: random.Random, index: int, association: dict[str, Any], catalog: Catalog
) -> dict[str, Any]:
    theme = rng.choice(sorted(LIST_THEMES))
    pool = sorted({n for top in LIST_THEMES[theme] for n in catalog.by_top.get(top, [])})
    chosen = sorted(rng.sample(pool, min(len(pool), rng.randrange(5, 10)))) if pool else []
    division = association["industries"][0]
    word = association["word"]
    province = PROVINCES[association["province"]].name_zh
    motives = rng.sample(V.DEMAND_MOTIVES, 3)
    return {
        "index": index,
        "name": f"{province}{word}行业{theme}服务需求清单{V.SYNTHETIC_MARK}",
        "industry": division,
        "province": association["province"],
        "city": association["city"],
        "pain_points": f"{province}{word}企业普遍反映：{'；'.join(motives)}。",
        "items": [catalog.items[n].code for n in chosen],
    }
