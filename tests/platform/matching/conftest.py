"""Fixtures for the matching tests: the shipped catalog, providers with offerings and certificates, demands.

Offerings and certificates are written as rows here (the providers app's own tests cover its services); the
index is reset around each test and uses the hash embedder, so no model runs in the platform tests.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ronghe.platform.accounts.models import Industry
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.demand import services as demand_services
from ronghe.platform.matching import index as match_index
from ronghe.platform.providers.models import Certificate, Offering, OfferingProvince, ProviderProfile
from tests.platform.conftest import make_org, make_user

DESIGN = "SI-01-001"  # 汽车零部件正向研发与结构设计: needs 高新技术企业
SECRET = "ZQX9-机密-SCOPE"


@pytest.fixture(autouse=True)
def _matching_settings(settings):
    settings.RONGHE_MATCH_EMBEDDER = "hash"
    settings.RONGHE_MATCH_EMBED_IN_REQUEST = True
    match_index.reset()
    yield
    match_index.reset()


@pytest.fixture
def catalog(db, orgs):
    from ronghe.platform.catalog.services import load_catalog

    load_catalog()
    return {i.code: i for i in ServiceItem.objects.current()}


def today() -> dt.date:
    return timezone.localdate()


def add_offering(provider, item: ServiceItem, *, provinces=("32",), price=(10_000, 60_000), capacity=5,
                 lead=7, notes="", active=True, industries=("36",)) -> Offering:
    o = Offering.objects.create(provider=provider, service_item=item, category=item.category,
                                price_min=Decimal(price[0]), price_max=Decimal(price[1]), monthly_capacity=capacity,
                                provinces=sorted(provinces), lead_time_days=lead, notes=notes, is_active=active)
    OfferingProvince.objects.bulk_create([OfferingProvince(offering=o, province=p) for p in provinces])
    o.industries.set(Industry.objects.filter(code__in=industries))
    match_index.bump("test offering")
    return o


def add_cert(provider, cert_type: str = "high_tech", *, verified: bool = True, valid_days: int = 365) -> Certificate:
    c = Certificate.objects.create(provider=provider, cert_type=cert_type, number="N-1", issuer="某厅",
                                   valid_from=today() - dt.timedelta(days=100),
                                   valid_to=today() + dt.timedelta(days=valid_days), verified=verified)
    match_index.bump("test certificate")
    return c


@pytest.fixture
def market(catalog, orgs, users):
    """Three providers for SI-01-001 in 江苏: a specialist, a generalist, one without its licence; one far away."""
    item = catalog[DESIGN]
    out = {"item": item}
    specs = {
        "specialist": dict(notes="擅长 DFMEA、公差分析与尺寸链，服务汽车零部件企业"),
        "generalist": dict(notes="可提供结构设计"),
        "unlicensed": dict(notes="DFMEA 公差分析 专家"),
        "far": dict(notes="DFMEA 公差分析", provinces=("65",)),
    }
    for name, kw in specs.items():
        org = make_org("provider", name=f"{name} 服务商", province="32" if name != "far" else "65")
        make_user(org, "admin", username=f"{name}_admin")
        ProviderProfile.objects.create(organization=org, headline=name, service_provinces=list(kw.get("provinces",
                                                                                                      ("32",))))
        add_offering(org, item, **kw)
        if name != "unlicensed":
            add_cert(org)
        out[name] = org
    return out


@pytest.fixture
def demand_of(orgs, users, catalog):
    """``demand_of(level, **fields)`` → a published demand of ``orgs['manufacturer']`` for SI-01-001."""

    def make(level: str = "registered", *, publish: bool = True, item: str = DESIGN, **over):
        fields = {"title": "汽车零部件结构设计外包", "summary": "需要 DFMEA 与公差分析",
                  "industry": Industry.objects.get(code="36"), "province": "32", "city": "苏州",
                  "budget_min": Decimal("20000"), "budget_max": Decimal("80000"),
                  "deadline": today() + dt.timedelta(days=60), "confidentiality": level}
        fields.update(over)
        d = demand_services.create_demand(users["manufacturer"], orgs["manufacturer"],
                                          lines=[demand_services.LineInput(catalog[item], f"尺寸链 {SECRET}", 1)],
                                          attachments=[], **fields)
        if publish:
            d = demand_services.publish_demand(users["manufacturer"], d)
        match_index.bump("test demand")
        return d

    return make
