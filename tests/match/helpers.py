"""Small record builders for the matching tests: real catalog items, explicit everything else."""

from __future__ import annotations

from datetime import date

from ronghe.match.records import Certificate, Demand, Offering, Provider

DAY = date(2026, 12, 1)
MOULD = "SI-01-001"  # 汽车零部件正向研发与结构设计 (ISO 9001, IATF 16949 推荐, 高新技术企业)


def offering(item: str = MOULD, **kw) -> Offering:
    from ronghe.match.catalog import shipped_items

    i = shipped_items().get(item)
    base = dict(item=item, category=i.category if i else None, title=i.name_zh if i else item,
                description=kw.pop("description", ""), price_min=10_000, price_max=50_000, monthly_capacity=5,
                lead_time_days=7)
    base.update(kw)
    return Offering(**base)


def provider(pid: str, *offerings: Offering, province: str = "32", served=("32", "31"), certs=(), **kw) -> Provider:
    return Provider(id=pid, name=f"provider {pid}", province=province, provinces_served=frozenset(served),
                    offerings=list(offerings) or [offering()], certificates=list(certs), **kw)


def cert(code: str, *, valid_to: date = date(2027, 6, 30), verified: bool = True) -> Certificate:
    return Certificate(code, "N1", date(2024, 1, 1), valid_to, verified)


def demand(did: str = "d1", **kw) -> Demand:
    base = dict(id=did, title="汽车零部件结构设计需求", description="需要做DFMEA和公差分析", item=MOULD,
                province="32", budget_min=20_000, budget_max=80_000, days_to_deadline=60)
    base.update(kw)
    return Demand(**base)
