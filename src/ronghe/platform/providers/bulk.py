"""The providers' one bulk writer (the demo-data generator, benchmarks: 100,000 providers / 500,000 offerings).

It skips the per-object service calls but keeps their invariants, imported from this app: both copies of the
provinces (``Offering.provinces`` and the ``OfferingProvince`` rows) from ``derived.offering_provinces``, the
denormalised ``Offering.category`` from ``derived.offering_category``, items are published versions, prices
ordered, capacities ≥ 0, a certificate is verified only with the verifying organization and a time, profiles
carry only ``services.PROFILE_FIELDS``. The database's check constraints back this up. Each batch is one
transaction (a savepoint within the caller's) and appends one audit entry per model (``core.bulk``).

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
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.accounts.reference import provinces as province_table
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.bulk import DEMO_DATA_ACTOR, Table, audit_batch
from ronghe.platform.providers.derived import offering_category, offering_provinces
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile
from ronghe.platform.providers.services import PROFILE_FIELDS

_CENT = Decimal("0.01")
_OFFERING = ("provider_id", "service_item_id", "category_id", "price_min", "price_max", "price_unit",
             "monthly_capacity", "provinces", "lead_time_days", "notes", "is_active")
_CERTIFICATE = ("provider_id", "cert_type", "name", "number", "issuer", "scope", "valid_from", "valid_to",
                "verified", "verified_by_org_id", "verified_at")
_CASE = ("provider_id", "title", "service_item_id", "client_name", "client_industry_id", "year", "summary",
         "outcome", "is_public")
_CASE_DEFAULTS = {"service_item_id": None, "client_name": "", "client_industry_id": None, "outcome": "",
                  "is_public": False}
_CERT_TYPES = frozenset(Certificate.Type.values)
_PRICE_UNITS = frozenset(Offering.PriceUnit.values)  # read once: ``Choices.values`` builds a list per call


def _money(value: Any) -> Decimal:
    return Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))


@dataclass
class BulkResult:
    profiles: int = 0
    offerings: int = 0
    offering_provinces: int = 0
    offering_industries: int = 0
    certificates: int = 0
    cases: int = 0

    def add(self, other: BulkResult) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ProvidersBulkWriter:
    """Bulk writes for one run: the published items are read once, ``now`` stamps every row."""

    def __init__(self, now: datetime | None = None, actor: str = DEMO_DATA_ACTOR) -> None:
        self.now = now or timezone.now()
        self.actor = actor
        self.provinces = frozenset(province_table())
        self.items = {item.pk: item for item in
                      ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).only("pk", "category_id")}
        now = self.now
        self._profile = Table(ProviderProfile, ("organization_id", *PROFILE_FIELDS), now)
        self._offering = Table(Offering, _OFFERING, now)
        self._province = Table(OfferingProvince, ("offering_id", "province"), now)
        self._industry = Table(Offering.industries.through, ("offering_id", "industry_id"), now)
        self._certificate = Table(Certificate, _CERTIFICATE, now)
        self._case = Table(Case, _CASE, now)

    def _offering_row(self, org_id: int, spec: Mapping[str, Any], where: str) -> tuple[Any, ...]:
        """One offering as a row of ``_OFFERING``, validated as ``services.add_offering`` would."""
        item = self.items.get(spec["service_item_id"])
        if item is None:
            raise InputError(f"service item {spec['service_item_id']} is not a published item version", cell=where)
        low, high = _money(spec["price_min"]), _money(spec["price_max"])
        if low < 0 or low > high:
            raise InputError(f"price range {low}–{high} is not 0 ≤ min ≤ max", cell=where)
        capacity, lead_time = int(spec["monthly_capacity"]), int(spec.get("lead_time_days", 7))
        if capacity < 0 or lead_time < 0:
            raise InputError("monthly capacity and lead time must be ≥ 0", cell=where)
        unit = spec.get("price_unit", Offering.PriceUnit.PROJECT)
        if unit not in _PRICE_UNITS:
            raise InputError(f"unknown price unit {unit!r}", cell=where)
        codes, _ = offering_provinces(None, spec["provinces"])
        if not codes or not self.provinces.issuperset(codes):
            raise InputError(f"bad province codes {codes}", cell=where)
        return (org_id, item.pk, offering_category(item), low.quantize(_CENT), high.quantize(_CENT), unit, capacity,
                codes, lead_time, spec.get("notes", ""), bool(spec.get("is_active", True)))

    def _certificate_row(self, org_id: int, spec: Mapping[str, Any], where: str) -> tuple[Any, ...]:
        """Verified exactly when a verifying organization is named (``verify_certificate``'s outcome)."""
        if spec["valid_from"] > spec["valid_to"]:
            raise InputError("valid_from is after valid_to", cell=where)
        if spec["cert_type"] not in _CERT_TYPES:
            raise InputError(f"unknown certificate type {spec['cert_type']!r}", cell=where)
        verifier = spec.get("verified_by_org_id")
        return (org_id, spec["cert_type"], spec.get("name", ""), spec["number"], spec["issuer"], spec.get("scope", ""),
                spec["valid_from"], spec["valid_to"], verifier is not None, verifier,
                self.now if verifier is not None else None)

    def write(self, rows: Iterable[Mapping[str, Any]], first_row: int = 0) -> BulkResult:
        """One batch: profiles, offerings with both province copies and industry rows, certificates, cases."""
        profiles, offerings, industry_codes, certificates, cases = [], [], [], [], []
        for i, row in enumerate(rows):
            where = f"row {first_row + i}"
            org_id = row["organization_id"]
            if row.get("profile"):
                profile = row["profile"]
                unknown = sorted(set(profile) - set(PROFILE_FIELDS))
                if unknown:
                    raise InputError(f"unknown profile fields {unknown}", cell=where)
                profiles.append((org_id, *(profile.get(f, _PROFILE_DEFAULTS.get(f)) for f in PROFILE_FIELDS)))
            for spec in row.get("offerings", ()):
                offerings.append(self._offering_row(org_id, spec, where))
                industry_codes.append(sorted(set(spec.get("industries", ()))))
            certificates.extend(self._certificate_row(org_id, spec, where) for spec in row.get("certificates", ()))
            cases.extend((org_id, *(spec.get(f, _CASE_DEFAULTS.get(f)) for f in _CASE[1:]))
                         for spec in row.get("cases", ()))
        result = BulkResult()
        with transaction.atomic():
            profile_pks = self._profile.insert_returning(profiles) if profiles else []
            offering_pks = self._offering.insert_returning(offerings) if offerings else []
            province_rows = [pair for pk, o in zip(offering_pks, offerings, strict=True)
                             for pair in offering_provinces(pk, o[7])[1]]
            result.offering_provinces = self._province.insert(province_rows)
            result.offering_industries = self._industry.insert(
                (pk, code) for pk, codes in zip(offering_pks, industry_codes, strict=True) for code in codes
            )
            certificate_pks = self._certificate.insert_returning(certificates) if certificates else []
            case_pks = self._case.insert_returning(cases) if cases else []
            audit_batch(ProviderProfile, profile_pks, actor=self.actor)
            audit_batch(Offering, offering_pks, actor=self.actor, province_rows=result.offering_provinces,
                        industry_rows=result.offering_industries)
            audit_batch(Certificate, certificate_pks, actor=self.actor,
                        verified=sum(1 for c in certificates if c[8]))
            audit_batch(Case, case_pks, actor=self.actor)
        result.profiles, result.offerings = len(profile_pks), len(offering_pks)
        result.certificates, result.cases = len(certificate_pks), len(case_pks)
        return result


_PROFILE_DEFAULTS = {f.name: f.get_default() for f in ProviderProfile._meta.concrete_fields}


def _batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def bulk_create_providers(rows: Iterable[Mapping[str, Any]], batch_size: int = 2000,
                          actor: str = DEMO_DATA_ACTOR) -> BulkResult:
    """Insert profiles, offerings (with province and industry rows), certificates and cases in batches.

    Each batch of ``batch_size`` provider rows is one transaction. Raises ``InputError`` naming the row for
    bad input; batches before it stay written.
    """
    writer = ProvidersBulkWriter(actor=actor)
    total = BulkResult()
    for n, batch in enumerate(_batches(rows, batch_size)):
        total.add(writer.write(batch, first_row=n * batch_size))
    return total
