"""The only write path for providers (服务商): profiles, offerings, certificates and cases.

Every function is ``verb_noun(actor, obj_or_parent, **fields)`` built from the write kit: inside one
transaction it locks the row, asks ``providers.rules``, validates, writes and records (a ``ProviderEvent`` on the
provider organization and an audit-chain entry, last). Views, forms, the API, the admin and the demo call
these; the generator's batches go through ``providers.bulk``, which imports the same invariants. Bad input
raises Django's ``ValidationError`` (field → messages); acting for someone else raises ``PermissionDenied``.
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
from ronghe.platform.core import audit, kit
from ronghe.platform.core.documents import validate_document
from ronghe.platform.core.permissions import org_ids
from ronghe.platform.providers import rules
from ronghe.platform.providers.derived import offering_category, set_offering_provinces
from ronghe.platform.providers.models import Case, Certificate, Offering, ProviderEvent, ProviderProfile
from ronghe.platform.providers.rules import VERIFIER_KINDS

log = logging.getLogger("ronghe.platform.providers")
_DIVISION = re.compile(r"\d{2}")

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
def _require_maintainer(actor: Any, provider: Organization) -> None:
    """The parent rule of every creation: a provider organization, maintained by its members (or operators)."""
    if provider.kind != Organization.Kind.PROVIDER:
        raise ValidationError({"organization": "只有服务商组织可以维护服务商档案 (only provider organizations)"})
    if not rules.can_maintain(actor, provider):
        raise PermissionDenied("只有该服务商的成员可以修改 (only members of this provider may change it)")


def _record(actor: Any, obj: Any, action: str, provider_id: int, *, before: Mapping | None = None,
            after: Mapping | None = None, note: str = "") -> None:
    """The provider's event (subject: the organization, ``data`` names the object) and the chain entry."""
    name = obj._meta.model_name
    kit.record(actor, obj, f"providers.{action}", before=before, after=after, event=ProviderEvent,
               subject=Organization(pk=provider_id), note=note,
               data={"profile" if name == "providerprofile" else name: obj.pk},
               organization_id=audit.acting_organization(actor, obj))


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
def save_profile(actor: Any, provider: Organization, **fields: Any) -> ProviderProfile:
    """Create the provider's profile or update it (one per provider organization)."""
    _unknown(fields, PROFILE_FIELDS)
    with transaction.atomic():
        provider = kit.lock(provider)
        _require_maintainer(actor, provider)
        profile = ProviderProfile.objects.select_for_update().filter(organization=provider).first()
        created = profile is None
        if profile is not None:
            rules.profile_rules.require(actor, "change", profile)
        profile = profile or ProviderProfile(organization=provider)
        before = {} if created else kit.snapshot(profile, PROFILE_FIELDS)
        for field, value in fields.items():
            setattr(profile, field, value)
        profile.service_provinces = _clean_provinces(profile.service_provinces, "service_provinces", required=False)
        this_year = timezone.localdate().year
        if profile.founded_year is not None and not 1800 <= profile.founded_year <= this_year:
            raise ValidationError({"founded_year": f"成立年份须在 1800–{this_year} 之间 (founded year out of range)"})
        profile.full_clean()
        profile.save()
        old, new = kit.changed(before, kit.snapshot(profile, PROFILE_FIELDS))
        _record(actor, profile, "profile_created" if created else "profile_changed", provider.pk,
                before=old, after=new)
    log.info("provider profile %s org=%s by=%s", "created" if created else "updated", provider.pk,
             getattr(actor, "pk", actor))
    return profile


# --------------------------------------------------------------------------------------------- offerings
def _refuse_second_offering(offering: Offering) -> None:
    """One offering per provider and service item (any version): a second one would show the item twice."""
    twin = (Offering.objects.filter(provider_id=offering.provider_id, service_item__code=offering.service_item.code)
            .exclude(pk=offering.pk).order_by("pk").first())
    if twin is None:
        return
    code = offering.service_item.code
    zh, en = (("请编辑已有的那一条", "edit the existing one") if twin.is_active
              else ("已有的那一条已停用，请重新启用并编辑它", "the existing one is deactivated: reactivate and edit it"))
    raise ValidationError({"service_item": f"本服务商已提供服务条目 {code}，不能重复提供；{zh} "
                                           f"(this provider already offers {code}; {en})"})


def _apply_offering(offering: Offering, data: Mapping[str, Any]) -> tuple[list[str] | None, list[Industry] | None]:
    if "service_item" in data:
        offering.service_item = _published_item(data["service_item"])
        offering.category_id = offering_category(offering.service_item)
        _refuse_second_offering(offering)
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
    industries = _clean_industries(data["industries"]) if "industries" in data else None
    offering.full_clean(exclude=["provinces", "industries"])
    return provinces, industries


#: What an offering's audit entry shows (``provinces`` and ``industries`` included).
_OFFERING_AUDIT = ("service_item", "category", "price_min", "price_max", "price_unit", "monthly_capacity",
                   "provinces", "industries", "lead_time_days", "notes", "is_active")


def add_offering(actor: Any, provider: Organization, **fields: Any) -> Offering:
    """The provider starts delivering a published service item version."""
    _unknown(fields, OFFERING_FIELDS)
    for field in ("service_item", "price_min", "price_max", "monthly_capacity"):
        if fields.get(field) in (None, ""):
            raise ValidationError({field: "必填 (required)"})
    with transaction.atomic():
        provider = kit.lock(provider)
        _require_maintainer(actor, provider)
        offering = Offering(provider=provider)
        provinces, industries = _apply_offering(offering, {"provinces": [], **fields})
        offering.save()
        set_offering_provinces(offering, provinces or [])
        offering.industries.set(industries or [])
        _record(actor, offering, "offering_added", provider.pk, after=kit.snapshot(offering, _OFFERING_AUDIT))
    log.info("offering %s added org=%s item=%s by=%s", offering.pk, provider.pk, offering.service_item_id,
             getattr(actor, "pk", actor))
    return offering


def update_offering(actor: Any, offering: Offering, **fields: Any) -> Offering:
    """Change an offering's terms (item version, prices, capacity, provinces, industries, notes)."""
    _unknown(fields, OFFERING_FIELDS)
    with transaction.atomic():
        offering = kit.lock(offering)
        rules.offering_rules.require(actor, "change", offering)
        before = kit.snapshot(offering, _OFFERING_AUDIT)
        provinces, industries = _apply_offering(offering, fields)
        offering.save()
        if provinces is not None:
            set_offering_provinces(offering, provinces)
        if industries is not None:
            offering.industries.set(industries)
        old, new = kit.changed(before, kit.snapshot(offering, _OFFERING_AUDIT))
        _record(actor, offering, "offering_changed", offering.provider_id, before=old, after=new)
    log.info("offering %s updated by=%s fields=%s", offering.pk, getattr(actor, "pk", actor), sorted(fields))
    return offering


def set_offering_active(actor: Any, offering: Offering, *, active: bool) -> Offering:
    """Deactivate (or reactivate) instead of deleting: deals and matches may still point at it."""
    with transaction.atomic():
        offering = kit.lock(offering)
        rules.offering_rules.require(actor, "activate" if active else "deactivate", offering)
        offering.is_active = active
        offering.save(update_fields=["is_active", "updated_at"])
        _record(actor, offering, "offering_activated" if active else "offering_deactivated", offering.provider_id,
                before={"is_active": not active}, after={"is_active": active})
    log.info("offering %s %s by=%s", offering.pk, "activated" if active else "deactivated",
             getattr(actor, "pk", actor))
    return offering


def deactivate_offering(actor: Any, offering: Offering) -> Offering:
    """``set_offering_active(actor, offering, active=False)``: the API's DELETE and the admin action."""
    return set_offering_active(actor, offering, active=False)


# --------------------------------------------------------------------------------------------- certificates
def _apply_certificate(cert: Certificate, data: Mapping[str, Any], *, new: bool) -> None:
    valid_to = cert.valid_to
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
    from ronghe.platform.catalog.models import Qualification

    if cert.cert_type != Certificate.Type.OTHER and not Qualification.objects.filter(
            code=cert.cert_type, is_active=True).exists():
        raise ValidationError({"cert_type": "未知的资质类型：请选择资质登记中的类型或“其他” (not in the qualification registry)"})
    if cert.cert_type == Certificate.Type.OTHER and not cert.name:
        raise ValidationError({"name": "类型为“其他”时须填写证书名称 (name the certificate)"})
    if isinstance(cert.valid_from, date) and isinstance(cert.valid_to, date) and cert.valid_from > cert.valid_to:
        raise ValidationError({"valid_to": "有效期截止日不能早于起始日 (valid to must not be before valid from)"})
    # an expired certificate is not a qualification: refused when added, or when its end date is moved into the past
    if (isinstance(cert.valid_to, date) and cert.valid_to < timezone.localdate()
            and (new or cert.valid_to != valid_to)):
        raise ValidationError({"valid_to": "证书已过期，不能登记：有效期截止日早于今天 (the certificate has already "
                                           "expired: valid to is in the past)"})
    cert.full_clean(exclude=["evidence"])


_CERT_AUDIT = ("cert_type", "name", "number", "issuer", "scope", "valid_from", "valid_to", "evidence_name",
               "evidence_sha256", "verified", "verified_by_org", "verified_at", "rejection_reason", "rejected_at")


def add_certificate(actor: Any, provider: Organization, **fields: Any) -> Certificate:
    """Record a qualification; it starts unverified whatever the caller sends."""
    _unknown(fields, CERTIFICATE_FIELDS)
    with transaction.atomic():
        provider = kit.lock(provider)
        _require_maintainer(actor, provider)
        cert = Certificate(provider=provider)
        _apply_certificate(cert, fields, new=True)
        cert.save()
        _record(actor, cert, "certificate_added", provider.pk, after=kit.snapshot(cert, _CERT_AUDIT))
    log.info("certificate %s added org=%s type=%s by=%s", cert.pk, provider.pk, cert.cert_type,
             getattr(actor, "pk", actor))
    return cert


def update_certificate(actor: Any, certificate: Certificate, **fields: Any) -> Certificate:
    """Change a certificate; changing what a verifier vouched for (or refused) makes it pending again."""
    _unknown(fields, CERTIFICATE_FIELDS)
    with transaction.atomic():
        cert = kit.lock(certificate)
        rules.certificate_rules.require(actor, "change", cert)
        audit_before = kit.snapshot(cert, _CERT_AUDIT)
        before = {f: getattr(cert, f) for f in VERIFIED_FIELDS if f != "evidence"}
        _apply_certificate(cert, fields, new=False)
        changed = bool(fields.get("evidence")) or any(getattr(cert, f) != v for f, v in before.items())
        if changed:
            cert.verified, cert.verified_by, cert.verified_by_org, cert.verified_at = False, None, None, None
            cert.rejection_reason, cert.rejected_at = "", None
        cert.save()
        old, new = kit.changed(audit_before, kit.snapshot(cert, _CERT_AUDIT))
        _record(actor, cert, "certificate_changed", cert.provider_id, before=old, after=new)
    log.info("certificate %s updated by=%s fields=%s", cert.pk, getattr(actor, "pk", actor), sorted(fields))
    return cert


def _require_verifier(actor: Any, cert: Certificate, action: str) -> None:
    """The rule, with a clear 400 for a verifier who meets a certificate in the wrong state."""
    if rules.certificate_rules.can(actor, action, cert):
        return
    if rules.is_verifier_for(actor, cert):
        if cert.verified:
            raise ValidationError({"verified": "证书已核验 (the certificate is already verified)"})
        if action == "verify" and cert.is_expired:
            raise ValidationError({"valid_to": "证书已过期，不能核验 (an expired certificate cannot be verified)"})
        if action == "reject" and cert.rejected_at:
            raise ValidationError({"rejection_reason": "证书已被驳回 (the certificate was already refused)"})
    rules.certificate_rules.require(actor, action, cert)


def verify_certificate(actor: Any, certificate: Certificate) -> Certificate:
    """A certifier, association or the operator confirms the certificate; the provider never can."""
    with transaction.atomic():
        cert = kit.lock(certificate)
        _require_verifier(actor, cert, "verify")
        before = kit.snapshot(cert, _CERT_AUDIT)
        verifier_orgs = org_ids(actor, kinds=set(VERIFIER_KINDS), verified=True)
        cert.verified = True
        cert.verified_by = actor
        cert.verified_by_org_id = verifier_orgs[0] if verifier_orgs else None
        cert.verified_at = timezone.now()
        cert.rejection_reason, cert.rejected_at = "", None
        cert.save(update_fields=["verified", "verified_by", "verified_by_org", "verified_at", "rejection_reason",
                                 "rejected_at", "updated_at"])
        old, new = kit.changed(before, kit.snapshot(cert, _CERT_AUDIT))
        _record(actor, cert, "certificate_verified", cert.provider_id, before=old, after=new)
    log.info("certificate %s verified by=%s org=%s", cert.pk, getattr(actor, "pk", actor), cert.verified_by_org_id)
    return cert


def reject_certificate(actor: Any, certificate: Certificate, *, reason: str) -> Certificate:
    """A verifier refuses a pending certificate (forged, mismatching, unreadable evidence), saying why.

    It stays unverified; the provider sees the reason, and editing the certificate makes it pending again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明驳回原因 (say why the certificate is refused)"})
    if len(reason) > 500:
        raise ValidationError({"reason": "原因不超过 500 字 (at most 500 characters)"})
    with transaction.atomic():
        cert = kit.lock(certificate)
        _require_verifier(actor, cert, "reject")
        cert.rejection_reason, cert.rejected_at = reason, timezone.now()
        cert.save(update_fields=["rejection_reason", "rejected_at", "updated_at"])
        _record(actor, cert, "certificate_rejected", cert.provider_id, before={"rejection_reason": ""},
                after={"rejection_reason": reason, "rejected_at": cert.rejected_at}, note=reason)
    log.info("certificate %s rejected by=%s", cert.pk, getattr(actor, "pk", actor))
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


def add_case(actor: Any, provider: Organization, **fields: Any) -> Case:
    """Record a delivered project; anonymised unless ``is_public``."""
    _unknown(fields, CASE_FIELDS)
    with transaction.atomic():
        provider = kit.lock(provider)
        _require_maintainer(actor, provider)
        case = Case(provider=provider)
        _apply_case(case, fields)
        case.save()
        _record(actor, case, "case_added", provider.pk, after=kit.snapshot(case, CASE_FIELDS))
    log.info("case %s added org=%s by=%s", case.pk, provider.pk, getattr(actor, "pk", actor))
    return case


def update_case(actor: Any, case: Case, **fields: Any) -> Case:
    """Change a case (title, client, year, summary, outcome, whether the client's name is public)."""
    _unknown(fields, CASE_FIELDS)
    with transaction.atomic():
        case = kit.lock(case)
        rules.case_rules.require(actor, "change", case)
        before = kit.snapshot(case, CASE_FIELDS)
        _apply_case(case, fields)
        case.save()
        old, new = kit.changed(before, kit.snapshot(case, CASE_FIELDS))
        _record(actor, case, "case_changed", case.provider_id, before=old, after=new)
    log.info("case %s updated by=%s", case.pk, getattr(actor, "pk", actor))
    return case
