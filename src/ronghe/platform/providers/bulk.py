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

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.accounts.reference import provinces as province_table
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile

_CENT = Decimal("0.01")


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


_OFFERING_COLUMNS = ("id", "created_at", "updated_at", "provider_id", "service_item_id", "category_id", "price_min",
                     "price_max", "price_unit", "monthly_capacity", "provinces", "lead_time_days", "notes", "is_active")


def _offering(org_id: int, spec: Mapping[str, Any], categories: dict[int, int], where: str) -> list[Any]:
    """One offering as a row of ``_OFFERING_COLUMNS`` (id and timestamps filled in later), validated."""
    item_id = spec["service_item_id"]
    if item_id not in categories:
        raise InputError(f"service item {item_id} is not a published item version", cell=where)
    low, high = Decimal(str(spec["price_min"])), Decimal(str(spec["price_max"]))
    if low < 0 or low > high:
        raise InputError(f"price range {low}–{high} is not 0 ≤ min ≤ max", cell=where)
    capacity, lead_time = int(spec["monthly_capacity"]), int(spec.get("lead_time_days", 7))
    if capacity < 0 or lead_time < 0:
        raise InputError("monthly capacity and lead time must be ≥ 0", cell=where)
    unit = spec.get("price_unit", Offering.PriceUnit.PROJECT)
    if unit not in Offering.PriceUnit.values:
        raise InputError(f"unknown price unit {unit!r}", cell=where)
    codes = sorted(set(spec["provinces"]))
    if not codes or any(c not in province_table() for c in codes):
        raise InputError(f"bad province codes {codes}", cell=where)
    return [None, None, None, org_id, item_id, categories[item_id], low.quantize(_CENT), high.quantize(_CENT), unit,
            capacity, codes, lead_time, spec.get("notes", ""), bool(spec.get("is_active", True))]


def _allocate_ids(model: Any, n: int) -> list[int]:
    """Primary keys for ``n`` new rows, so the link rows can be written without a RETURNING round trip.

    PostgreSQL draws them from the table's sequence (safe beside concurrent writers). SQLite serialises writers
    behind one database lock, taken here by the first write of the transaction, so max(id) + 1… is free.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"UPDATE {connection.ops.quote_name(table)} SET id = id WHERE 0")  # take the write lock
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + n))


def _insert_rows(model: Any, columns: tuple[str, ...], rows: list[tuple | list]) -> None:
    """Plain ``executemany``: for millions of narrow rows, building and compiling a model instance per row would
    cost several times the insert itself."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    placeholders = ", ".join(
        "CAST(%s AS jsonb)" if connection.vendor == "postgresql" and c == "provinces" else "%s" for c in columns
    )
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({placeholders})", rows)


def bulk_create_providers(rows: Iterable[Mapping[str, Any]], batch_size: int = 2000) -> BulkResult:
    """Insert profiles, offerings (with province and industry rows), certificates and cases in batches.

    Each batch of ``batch_size`` provider rows is one transaction. Raises ``InputError`` naming the row for
    bad input; batches before it stay written. Not for concurrent use with other offering writers on SQLite.
    """
    categories = dict(
        ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).values_list("pk", "category_id")
    )
    through = Offering.industries.through
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
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
            ids = _allocate_ids(Offering, len(offerings)) if offerings else []
            province_rows, industry_rows = [], []
            for pk, offering, codes in zip(ids, offerings, industry_codes, strict=True):
                province_rows.extend((pk, p) for p in offering[10])
                industry_rows.extend((pk, code) for code in codes)
                offering[0:3] = [pk, stamp, stamp]
                offering[10] = json.dumps(offering[10])
            _insert_rows(Offering, _OFFERING_COLUMNS, offerings)
            _insert_rows(OfferingProvince, ("offering_id", "province"), province_rows)
            _insert_rows(through, ("offering_id", "industry_id"), industry_rows)
            Certificate.objects.bulk_create(certificates, batch_size=1000)
            Case.objects.bulk_create(cases, batch_size=1000)
        result.profiles += len(profiles)
        result.offerings += len(offerings)
        result.offering_provinces += len(province_rows)
        result.offering_industries += len(industry_rows)
        result.certificates += len(certificates)
        result.cases += len(cases)
    return result
