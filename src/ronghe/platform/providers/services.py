"""The only write path for providers (服务商): profiles, offerings, certificates, cases, and bulk loading.

Every function checks who acts, validates, writes inside one transaction and logs. Views, forms, the API and
the demo-data generator call these; nothing else saves provider models. Bad input raises Django's
``ValidationError`` (field → messages); acting for someone else's organization raises ``PermissionDenied``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.reference import provinces as province_table
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.documents import validate_document
from ronghe.platform.core.permissions import has_kind, is_operator, is_read_only, org_ids
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile

log = logging.getLogger("ronghe.platform.providers")
_DIVISION = re.compile(r"\d{2}")

VERIFIER_KINDS = frozenset({"certifier", "association", "operator"})
EVIDENCE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})

PROFILE_FIELDS = ("headline", "description", "team_size", "founded_year", "service_provinces", "languages",
                  "contact_name", "contact_phone", "contact_email")
OFFERING_FIELDS = ("service_item", "price_min", "price_max", "price_unit", "monthly_capacity", "provinces",
                   "industries", "lead_time_days", "notes")
CERTIFICATE_FIELDS = ("cert_type", "name", "number", "issuer", "scope", "valid_from", "valid_to", "evidence")
CASE_FIELDS = ("title", "service_item", "client_name", "client_industry", "year", "summary", "outcome", "is_public")
# Changing any of these voids an earlier verification: the verifier vouched for the old values.
VERIFIED_FIELDS = frozenset({"cert_type", "name", "number", "issuer", "scope", "valid_from", "valid_to", "evidence"})


# --------------------------------------------------------------------------------------------- who may act
def can_act_for(user: Any, provider: Organization) -> bool:
    """Members (admin or member) of the provider organization, and operators."""
    if not getattr(user, "is_authenticated", False) or is_read_only(user):
        return False
    return is_operator(user) or provider.pk in org_ids(user)


def _require_provider_member(user: Any, provider: Organization) -> None:
    if provider.kind != Organization.Kind.PROVIDER:
        raise ValidationError({"organization": "只有服务商组织可以维护服务商档案 (only provider organizations)"})
    if not can_act_for(user, provider):
        raise PermissionDenied("只有该服务商的成员可以修改 (only members of this provider may change it)")


def can_verify(user: Any, certificate: Certificate) -> bool:
    """Certifiers, associations and the operator verify; never anyone who belongs to the provider itself."""
    if not getattr(user, "is_authenticated", False):
        return False
    if certificate.provider_id in org_ids(user):
        return False
    return bool(user.is_superuser) or has_kind(user, *VERIFIER_KINDS)


def can_see_evidence(user: Any, certificate: Certificate) -> bool:
    """The owner organization and those who may verify it; nobody else gets the file or its URL."""
    if not getattr(user, "is_authenticated", False):
        return False
    if certificate.provider_id in org_ids(user) or is_operator(user):
        return True
    return has_kind(user, *VERIFIER_KINDS)


# --------------------------------------------------------------------------------------------- cleaning
def _clean_provinces(codes: Iterable[str] | None, field: str = "provinces", *, required: bool = True) -> list[str]:
    codes = sorted({str(c).strip() for c in (codes or []) if str(c).strip()})
    unknown = [c for c in codes if c not in province_table()]
    if unknown:
        raise ValidationError({field: f"未知的省份代码 (unknown GB/T 2260 province codes): {', '.join(unknown)}"})
    if required and not codes:
        raise ValidationError({field: "至少选择一个服务省份 (choose at least one province)"})
    return codes


def _clean_industries(values: Iterable[Any] | None) -> list[Industry]:
    codes = sorted({v.pk if isinstance(v, Industry) else str(v).strip() for v in (values or [])})
    if any(not _DIVISION.fullmatch(c) for c in codes):
        raise ValidationError({"industries": "行业大类代码须为两位数字 (GB/T 4754 division codes are two digits)"})
    found = list(Industry.objects.filter(pk__in=codes))
    missing = sorted(set(codes) - {i.pk for i in found})
    if missing:
        raise ValidationError({"industries": f"未知的行业代码 (unknown GB/T 4754 divisions): {', '.join(missing)}"})
    return found


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "请输入金额 (enter an amount)"}) from None
    if not result.is_finite() or result < 0:
        raise ValidationError({field: "金额不能为负 (amount must be zero or more)"})
    return result


def _published_item(item: Any) -> ServiceItem:
    if not isinstance(item, ServiceItem):
        item = ServiceItem.objects.filter(pk=item).first()
    if item is None or item.status != ServiceItem.Status.PUBLISHED:
        raise ValidationError({"service_item": "只能选择已发布的服务条目版本 (choose a published service item)"})
    return item


def _check_evidence(upload: Any, certificate: Certificate) -> None:
    """Validate the evidence file (size, extension, content) and record its name and hash."""
    try:
        checked = validate_document(upload)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from None
    if checked.content_type not in EVIDENCE_TYPES:
        raise ValidationError({"evidence": "证明文件须为 PDF、PNG 或 JPEG (evidence must be PDF, PNG or JPEG)"})
    certificate.evidence = upload
    certificate.evidence_name = checked.name
    certificate.evidence_sha256 = checked.sha256


def _unknown(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise ValidationError({"__all__": f"unknown fields: {', '.join(extra)}"})


# --------------------------------------------------------------------------------------------- profile
def save_profile(provider: Organization, by: Any, data: Mapping[str, Any]) -> ProviderProfile:
    """Create the provider's profile or update it (one per provider organization)."""
    _require_provider_member(by, provider)
    _unknown(data, PROFILE_FIELDS)
    with transaction.atomic():
        profile = ProviderProfile.objects.select_for_update().filter(organization=provider).first()
        created = profile is None
        profile = profile or ProviderProfile(organization=provider)
        for field, value in data.items():
            setattr(profile, field, value)
        profile.service_provinces = _clean_provinces(profile.service_provinces, "service_provinces", required=False)
        this_year = timezone.localdate().year
        if profile.founded_year is not None and not 1800 <= profile.founded_year <= this_year:
            raise ValidationError({"founded_year": f"成立年份须在 1800–{this_year} 之间 (founded year out of range)"})
        profile.full_clean()
        profile.save()
    log.info("provider profile %s org=%s by=%s", "created" if created else "updated", provider.pk, by.pk)
    return profile


# --------------------------------------------------------------------------------------------- offerings
def _apply_offering(offering: Offering, data: Mapping[str, Any]) -> tuple[list[str] | None, list[Industry] | None]:
    if "service_item" in data:
        offering.service_item = _published_item(data["service_item"])
        offering.category_id = offering.service_item.category_id
    for field in ("price_min", "price_max"):
        if field in data:
            setattr(offering, field, _decimal(data[field], field))
    for field in ("price_unit", "monthly_capacity", "lead_time_days", "notes"):
        if field in data:
            setattr(offering, field, data[field])
    for field in ("monthly_capacity", "lead_time_days"):
        value = getattr(offering, field)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValidationError({field: "须为不小于 0 的整数 (must be a whole number ≥ 0)"})
    if offering.price_min is not None and offering.price_max is not None and offering.price_min > offering.price_max:
        raise ValidationError({"price_max": "最高价不能低于最低价 (price max must be ≥ price min)"})
    provinces = _clean_provinces(data["provinces"]) if "provinces" in data else None
    if provinces is not None:
        offering.provinces = provinces
    industries = _clean_industries(data["industries"]) if "industries" in data else None
    offering.full_clean(exclude=["provinces", "industries"])
    return provinces, industries


def _write_provinces(offering: Offering, provinces: list[str]) -> None:
    OfferingProvince.objects.filter(offering=offering).exclude(province__in=provinces).delete()
    have = set(OfferingProvince.objects.filter(offering=offering).values_list("province", flat=True))
    OfferingProvince.objects.bulk_create(
        [OfferingProvince(offering=offering, province=p) for p in provinces if p not in have]
    )


def add_offering(provider: Organization, by: Any, data: Mapping[str, Any]) -> Offering:
    """The provider starts delivering a published service item version."""
    _require_provider_member(by, provider)
    _unknown(data, OFFERING_FIELDS)
    for field in ("service_item", "price_min", "price_max", "monthly_capacity"):
        if data.get(field) in (None, ""):
            raise ValidationError({field: "必填 (required)"})
    offering = Offering(provider=provider)
    provinces, industries = _apply_offering(offering, {"provinces": [], **data})
    with transaction.atomic():
        offering.save()
        _write_provinces(offering, provinces or [])
        offering.industries.set(industries or [])
    log.info("offering %s added org=%s item=%s by=%s", offering.pk, provider.pk, offering.service_item_id, by.pk)
    return offering


def update_offering(offering: Offering, by: Any, data: Mapping[str, Any]) -> Offering:
    _require_provider_member(by, offering.provider)
    _unknown(data, OFFERING_FIELDS)
    with transaction.atomic():
        offering = Offering.objects.select_for_update().get(pk=offering.pk)
        provinces, industries = _apply_offering(offering, data)
        offering.save()
        if provinces is not None:
            _write_provinces(offering, provinces)
        if industries is not None:
            offering.industries.set(industries)
    log.info("offering %s updated by=%s fields=%s", offering.pk, by.pk, sorted(data))
    return offering


def set_offering_active(offering: Offering, by: Any, active: bool) -> Offering:
    """Deactivate (or reactivate) instead of deleting: deals and matches may still point at it."""
    _require_provider_member(by, offering.provider)
    with transaction.atomic():
        Offering.objects.filter(pk=offering.pk).update(is_active=active, updated_at=timezone.now())
    offering.is_active = active
    log.info("offering %s %s by=%s", offering.pk, "activated" if active else "deactivated", by.pk)
    return offering


def deactivate_offering(offering: Offering, by: Any) -> Offering:
    return set_offering_active(offering, by, False)


# --------------------------------------------------------------------------------------------- certificates
def _apply_certificate(cert: Certificate, data: Mapping[str, Any]) -> None:
    for field, value in data.items():
        if field == "evidence":
            if value:
                _check_evidence(value, cert)
            continue
        setattr(cert, field, value)
    for field in ("valid_from", "valid_to"):
        try:
            setattr(cert, field, Certificate._meta.get_field(field).to_python(getattr(cert, field)))
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    if cert.cert_type == Certificate.Type.OTHER and not cert.name:
        raise ValidationError({"name": "类型为“其他”时须填写证书名称 (name the certificate)"})
    if isinstance(cert.valid_from, date) and isinstance(cert.valid_to, date) and cert.valid_from > cert.valid_to:
        raise ValidationError({"valid_to": "有效期截止日不能早于起始日 (valid to must not be before valid from)"})
    cert.full_clean(exclude=["evidence"])


def add_certificate(provider: Organization, by: Any, data: Mapping[str, Any]) -> Certificate:
    """Record a qualification; it starts unverified whatever the caller sends."""
    _require_provider_member(by, provider)
    _unknown(data, CERTIFICATE_FIELDS)
    cert = Certificate(provider=provider)
    _apply_certificate(cert, data)
    with transaction.atomic():
        cert.save()
    log.info("certificate %s added org=%s type=%s by=%s", cert.pk, provider.pk, cert.cert_type, by.pk)
    return cert


def update_certificate(cert: Certificate, by: Any, data: Mapping[str, Any]) -> Certificate:
    """Change a certificate; changing what a verifier vouched for makes it unverified again."""
    _require_provider_member(by, cert.provider)
    _unknown(data, CERTIFICATE_FIELDS)
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=cert.pk)
        before = {f: getattr(cert, f) for f in VERIFIED_FIELDS if f != "evidence"}
        _apply_certificate(cert, data)
        changed = bool(data.get("evidence")) or any(getattr(cert, f) != v for f, v in before.items())
        if changed and cert.verified:
            cert.verified, cert.verified_by, cert.verified_by_org, cert.verified_at = False, None, None, None
        cert.save()
    log.info("certificate %s updated by=%s fields=%s", cert.pk, by.pk, sorted(data))
    return cert


def verify_certificate(cert: Certificate, by: Any) -> Certificate:
    """A certifier, association or the operator confirms the certificate; the provider never can."""
    if not can_verify(by, cert):
        raise PermissionDenied("只有认证机构、行业协会或平台运营方可以核验，且不能核验本机构证书 "
                               "(only certifiers, associations or the operator verify, never the provider itself)")
    verifier_orgs = org_ids(by, kinds=set(VERIFIER_KINDS))
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=cert.pk)
        if cert.is_expired:
            raise ValidationError({"valid_to": "证书已过期，不能核验 (an expired certificate cannot be verified)"})
        cert.verified = True
        cert.verified_by = by
        cert.verified_by_org_id = verifier_orgs[0] if verifier_orgs else None
        cert.verified_at = timezone.now()
        cert.save(update_fields=["verified", "verified_by", "verified_by_org", "verified_at", "updated_at"])
    log.info("certificate %s verified by=%s org=%s", cert.pk, by.pk, cert.verified_by_org_id)
    return cert


# --------------------------------------------------------------------------------------------- cases
def _apply_case(case: Case, data: Mapping[str, Any]) -> None:
    for field, value in data.items():
        if field == "service_item" and value is not None:
            value = _published_item(value)
        if field == "client_industry" and value in ("", None):
            value = None
        elif field == "client_industry" and not isinstance(value, Industry):
            value = Industry.objects.filter(pk=value).first() if _DIVISION.fullmatch(str(value)) else None
            if value is None:
                raise ValidationError({"client_industry": "未知的行业代码 (unknown GB/T 4754 division)"})
        setattr(case, field, value)
    this_year = timezone.localdate().year
    if case.year is not None and not 1950 <= case.year <= this_year:
        raise ValidationError({"year": f"年份须在 1950–{this_year} 之间 (year out of range)"})
    case.full_clean()


def add_case(provider: Organization, by: Any, data: Mapping[str, Any]) -> Case:
    _require_provider_member(by, provider)
    _unknown(data, CASE_FIELDS)
    case = Case(provider=provider)
    _apply_case(case, data)
    with transaction.atomic():
        case.save()
    log.info("case %s added org=%s by=%s", case.pk, provider.pk, by.pk)
    return case


def update_case(case: Case, by: Any, data: Mapping[str, Any]) -> Case:
    _require_provider_member(by, case.provider)
    _unknown(data, CASE_FIELDS)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _apply_case(case, data)
        case.save()
    log.info("case %s updated by=%s", case.pk, by.pk)
    return case


# The demo-data generator's path: same invariants, batched inserts (see bulk.py for the row format).
from ronghe.platform.providers.bulk import BulkResult, bulk_create_providers  # noqa: E402, F401
