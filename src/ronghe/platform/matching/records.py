"""The platform's rows as the engine's records (``ronghe.match.records``), read with ``values()`` in a few
queries so 100,000 providers load without building 500,000 model instances.

Demands come in two forms, because the feed must never use what the provider may not see: ``full`` (the
owner's and the operator's view: exact budget, each line's scope text) and ``summary`` (everyone else not
entitled to details: title, public summary, items, the budget *band*'s bounds). ``demand.visibility`` decides
which a provider gets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from ronghe.match import catalog as C
from ronghe.match import records as R
from ronghe.platform.core.registry import commitments
from ronghe.platform.demand.visibility import BUDGET_BANDS


def _f(x) -> float:
    return float(x)


def provider_records(provider_ids: Iterable[int] | None = None, *, constraints_only: bool = False
                     ) -> list[R.Provider]:
    """``constraints_only``: skip what only scores (industries served, cases) — the fresh re-check's read."""
    from ronghe.platform.accounts.models import Membership, Organization
    from ronghe.platform.providers.models import Case, Certificate, Offering, ProviderProfile

    orgs = Organization.objects.filter(kind=Organization.Kind.PROVIDER)
    offerings = Offering.objects.all()
    certs = Certificate.objects.all()
    ids = None
    if provider_ids is not None:
        ids = list(provider_ids)
        orgs, offerings, certs = orgs.filter(id__in=ids), offerings.filter(provider_id__in=ids), \
            certs.filter(provider_id__in=ids)
    by_org: dict[int, R.Provider] = {}
    for row in orgs.values("id", "name", "province"):
        by_org[row["id"]] = R.Provider(id=str(row["id"]), name=row["name"], province=row["province"])
    served = dict(ProviderProfile.objects.filter(organization_id__in=by_org).values_list("organization_id",
                                                                                         "service_provinces"))
    industries: dict[int, set[str]] = defaultdict(set)
    through = Offering.industries.through
    if not constraints_only:
        for off_id, ind in through.objects.filter(offering__in=offerings).values_list("offering_id", "industry_id"):
            industries[off_id].add(ind)
    for row in offerings.values("id", "provider_id", "service_item__code", "service_item__name_zh", "category__code",
                                "price_min", "price_max", "monthly_capacity", "lead_time_days", "provinces",
                                "is_active", "notes"):
        p = by_org.get(row["provider_id"])
        if p is None:
            continue
        p.offerings.append(R.Offering(
            item=row["service_item__code"], category=row["category__code"], title=row["service_item__name_zh"],
            description=row["notes"], price_min=_f(row["price_min"]), price_max=_f(row["price_max"]),
            monthly_capacity=row["monthly_capacity"], lead_time_days=row["lead_time_days"],
            provinces=frozenset(row["provinces"] or ()), industries=frozenset(industries.get(row["id"], ())),
            active=row["is_active"], key=row["id"]))
    for row in certs.values("provider_id", "cert_type", "name", "number", "valid_from", "valid_to", "verified"):
        p = by_org.get(row["provider_id"])
        if p is not None:
            p.certificates.append(R.Certificate(row["cert_type"] if row["cert_type"] != "other" else row["name"],
                                                row["number"], row["valid_from"], row["valid_to"], row["verified"]))
    members: dict[int, set[str]] = defaultdict(set)
    for org, user in Membership.objects.filter(organization_id__in=by_org).values_list("organization_id", "user_id"):
        members[org].add(str(user))
    cases: dict[int, int] = defaultdict(int)
    if not constraints_only:
        for org in Case.objects.filter(provider_id__in=by_org).values_list("provider_id", flat=True):
            cases[org] += 1
    for org_id, p in by_org.items():
        p.provinces_served = frozenset(served.get(org_id) or ([p.province] if p.province else []))
        p.industries_served = frozenset().union(*(o.industries or () for o in p.offerings))
        p.members = frozenset(members.get(org_id, ()))
        p.cases = cases.get(org_id, 0)
    _spread_commitments(by_org, commitments(ids))
    return list(by_org.values())


def _spread_commitments(by_org: dict[int, R.Provider], used: dict[tuple[int, str], int]) -> None:
    """Each live commitment (a deal's contract, ``core.registry.commitments``) takes one unit of the provider's
    monthly capacity for its item: the provider's offerings of that item fill up in turn, active ones first,
    and the last takes what is left over, so the item's remaining capacity is Σ capacity − commitments."""
    for (org_id, code), n in used.items():
        p = by_org.get(org_id)
        offs = sorted((o for o in p.offerings if o.item == code), key=lambda o: (not o.active, o.key)) if p else []
        for i, o in enumerate(offs):
            take = n if i == len(offs) - 1 else min(n, max(o.monthly_capacity, 0))
            o.committed, n = take, n - take
            if n <= 0:
                break


def _band_bounds(code: str) -> tuple[float | None, float | None]:
    lower = 0.0
    for band, upper, _ in BUDGET_BANDS:
        if band == code:
            return lower, float(upper) if upper is not None else None
        lower = float(upper or 0)
    return None, None


def demand_records(demands: Iterable, *, full: bool, today: date | None = None) -> list[R.Demand]:
    """One engine record per demand line (a demand of two items is two questions), id ``"<demand>:<line>"``.

    Expects ``lines__item__category`` and ``required_qualifications`` prefetched when many are read.
    """
    from ronghe.platform.accounts.models import Membership

    today = today or date.today()
    demands = list(demands)
    members: dict[int, set[str]] = defaultdict(set)
    if full:
        rows = Membership.objects.filter(organization_id__in={d.organization_id for d in demands})
        for org, user in rows.values_list("organization_id", "user_id"):
            members[org].add(str(user))
    out = []
    for d in demands:
        required = tuple(r.code for r in d.required_qualifications.all())
        lo, hi = (_f(d.budget_min), _f(d.budget_max)) if full else _band_bounds(d.budget_band)
        for line in d.lines.all():
            text = f"{d.title}。{d.summary}" + (f"。{line.scope}" if full else "")
            out.append(R.Demand(
                id=f"{d.id}:{line.id}", title=d.title, description=text[len(d.title) + 1:],
                item=line.item.code, category=line.item.category.code, manufacturer_industry=d.industry_id,
                province=d.province, city=d.city, budget_min=lo, budget_max=hi,
                days_to_deadline=(d.deadline - today).days, required_certificates=required,
                quantity=line.quantity, buyer=str(d.organization_id),
                buyer_members=frozenset(members.get(d.organization_id, ())) if full else frozenset(),
                key=d.id))
    return out


def list_entry_records(demand_list, today: date | None = None) -> list[R.Demand]:
    """A demand list's entries (a manufacturer joined for an item) as demands, for batch assignment."""
    rows = demand_list.entries.select_related("item__category", "manufacturer").all()
    out = []
    for e in rows:
        m = e.manufacturer
        industry = next(iter(m.industries.values_list("code", flat=True)), demand_list.industry_id)
        out.append(R.Demand(
            id=str(e.id), title=f"{demand_list.name} · {e.item.name_zh}",
            description=f"{demand_list.pain_points}{e.notes}", item=e.item.code, category=e.item.category.code,
            manufacturer_industry=industry, province=m.province or demand_list.province, quantity=e.quantity,
            buyer=str(m.id), key=e.id))
    return out


def catalog_items() -> dict[str, C.Item]:
    """The current catalog from the database (codes, categories, keywords, required qualifications)."""
    from ronghe.platform.catalog.models import ServiceItem

    out = {}
    for i in ServiceItem.objects.current().select_related("category"):
        out[i.code] = C.Item(i.code, i.category.code, i.name_zh, i.name_en, tuple(i.keyword_list),
                             tuple(_qualification_texts(i)), i.scope)
    return out or dict(C.shipped_items())


def _qualification_texts(item) -> list[str]:
    return list(item.required_qualifications or [])
