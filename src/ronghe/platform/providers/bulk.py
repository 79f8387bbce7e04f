"""Bulk loading of providers for the demo-data generator and benchmarks (100,000 providers / 500,000 offerings).

``bulk_create_providers`` skips the per-object service calls but keeps their invariants: the denormalised
``Offering.category`` and ``Offering.provinces`` are filled, one ``OfferingProvince`` row is written per province,
items must be published versions, prices ordered, capacities ≥ 0, certificates start unverified unless the row
names the verifying organization. The database's check constraints back this up.

A row::

    {"organization_id": 17,                       # an existing Organization of kind "provider"
     "profile": {"headline": "…", "team_size": 40, ...},               # optional, ProviderProfile fields
     "offerings": [{"service_item_id": 3, "price_min": 5e4, "price_max": 2e5, "price_unit": "project",
                    "monthly_capacity": 4, "lead_time_days": 10, "provinces": ["32", "31"],
                    "industries": ["36", "38"], "notes": ""}],
     "certificates": [{"cert_type": "iso9001", "number": "…", "issuer": "…", "valid_from": date,
                       "valid_to": date, "verified_by_org_id": None}],
     "cases": [{"title": "…", "year": 2024, "summary": "…", "client_industry_id": "36"}]}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.accounts.reference import provinces as province_table
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile


@dataclass
class BulkResult:
    profiles: int = 0
    offerings: int = 0
    offering_provinces: int = 0
    offering_industries: int = 0
    certificates: int = 0
    cases: int = 0


def _batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _offering(org_id: int, spec: Mapping[str, Any], categories: dict[int, int], where: str) -> Offering:
    item_id = spec["service_item_id"]
    if item_id not in categories:
        raise InputError(f"service item {item_id} is not a published item version", cell=where)
    low, high = Decimal(str(spec["price_min"])), Decimal(str(spec["price_max"]))
    if low < 0 or low > high:
        raise InputError(f"price range {low}–{high} is not 0 ≤ min ≤ max", cell=where)
    if int(spec["monthly_capacity"]) < 0:
        raise InputError("monthly capacity must be ≥ 0", cell=where)
    codes = sorted(set(spec["provinces"]))
    if not codes or any(c not in province_table() for c in codes):
        raise InputError(f"bad province codes {codes}", cell=where)
    return Offering(
        provider_id=org_id, service_item_id=item_id, category_id=categories[item_id], price_min=low,
        price_max=high, price_unit=spec.get("price_unit", Offering.PriceUnit.PROJECT),
        monthly_capacity=int(spec["monthly_capacity"]), provinces=codes,
        lead_time_days=int(spec.get("lead_time_days", 7)), notes=spec.get("notes", ""),
        is_active=spec.get("is_active", True),
    )


def bulk_create_providers(rows: Iterable[Mapping[str, Any]], batch_size: int = 2000) -> BulkResult:
    """Insert profiles, offerings (with province and industry rows), certificates and cases in batches.

    Each batch of ``batch_size`` provider rows is one transaction. Raises ``InputError`` naming the row for
    bad input; batches before it stay written.
    """
    categories = dict(
        ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).values_list("pk", "category_id")
    )
    through = Offering.industries.through
    now = timezone.now()
    result = BulkResult()
    for n, batch in enumerate(_batches(rows, batch_size)):
        profiles, offerings, industry_codes, certificates, cases = [], [], [], [], []
        for i, row in enumerate(batch):
            where = f"row {n * batch_size + i}"
            org_id = row["organization_id"]
            if row.get("profile"):
                profiles.append(ProviderProfile(organization_id=org_id, **row["profile"]))
            for spec in row.get("offerings", ()):
                offerings.append(_offering(org_id, spec, categories, where))
                industry_codes.append(sorted(set(spec.get("industries", ()))))
            for spec in row.get("certificates", ()):
                if spec["valid_from"] > spec["valid_to"]:
                    raise InputError("valid_from is after valid_to", cell=where)
                verifier = spec.get("verified_by_org_id")
                certificates.append(Certificate(
                    provider_id=org_id, verified=verifier is not None, verified_at=now if verifier else None,
                    **{k: v for k, v in spec.items() if k != "verified"},
                ))
            cases.extend(Case(provider_id=org_id, **spec) for spec in row.get("cases", ()))
        with transaction.atomic():
            ProviderProfile.objects.bulk_create(profiles, batch_size=1000)
            Offering.objects.bulk_create(offerings, batch_size=1000)  # PKs come back (RETURNING) on both DBs
            province_rows = [OfferingProvince(offering_id=o.pk, province=p) for o in offerings for p in o.provinces]
            OfferingProvince.objects.bulk_create(province_rows, batch_size=5000)
            industry_rows = [through(offering_id=o.pk, industry_id=code)
                             for o, codes in zip(offerings, industry_codes, strict=True) for code in codes]
            through.objects.bulk_create(industry_rows, batch_size=5000)
            Certificate.objects.bulk_create(certificates, batch_size=1000)
            Case.objects.bulk_create(cases, batch_size=1000)
        result.profiles += len(profiles)
        result.offerings += len(offerings)
        result.offering_provinces += len(province_rows)
        result.offering_industries += len(industry_rows)
        result.certificates += len(certificates)
        result.cases += len(cases)
    return result
