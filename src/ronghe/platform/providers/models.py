"""Providers (服务商): the profile, offerings (服务供给), qualifications and certificates (资质证书), cases (案例).

Offerings, certificates and cases hang off the provider ``Organization`` (not the profile) so the owner check
is the same ``provider__in=org_ids(user)`` everywhere and the matching engine can join on one column.

Provinces served are stored twice, on purpose:

* ``OfferingProvince`` — one narrow row per (offering, province) with an index on ``(province, offering)``.
  It is the filter path: ``offering IN (SELECT offering_id … WHERE province = '32')`` is an index range scan
  that behaves the same on SQLite and PostgreSQL (SQLite has no JSON containment lookup in Django, and a
  ``LIKE`` over a text column cannot use an index).
* ``Offering.provinces`` — the same codes as a sorted JSON list, so lists, the API and the matching engine
  read them with the offering row and no extra query.

Both are written only by ``providers.derived.offering_provinces`` — called by ``providers.services`` and by the
one bulk writer ``providers.bulk`` — so the two copies can never drift apart.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.core.models import Event, RestrictedQuerySet, TimeStampedModel
from ronghe.platform.core.storage import private_storage

#: Named by migration 0001; the evidence files live in core's one private storage (same default folder).
_private_storage = private_storage


class OwnedQuerySet(RestrictedQuerySet):
    """Everyone views; who may change a row is ``providers.rules``."""


class ProviderProfileQuerySet(RestrictedQuerySet):
    """Everyone views profiles; contact details are ``rules.can_view_contacts``."""


class ProviderProfile(TimeStampedModel):
    """One per provider organization: what the directory shows. Contact details are for signed-in users only."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="provider_profile",
        limit_choices_to={"kind": "provider"}, verbose_name=_("服务商"),
    )
    headline = models.CharField(_("一句话介绍"), max_length=200)
    description = models.TextField(_("详细介绍"), blank=True)
    team_size = models.PositiveIntegerField(_("团队规模（人）"), null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("成立年份"), null=True, blank=True)
    service_provinces = models.JSONField(_("服务省份"), default=list, blank=True,
                                         help_text="GB/T 2260 province codes the provider works in")
    languages = models.CharField(_("服务语言"), max_length=100, blank=True, default="中文")
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)

    objects = ProviderProfileQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]  # the primary key index: no sort over 500,000 rows
        verbose_name = "服务商档案 provider profile"

    def __str__(self) -> str:
        return f"{self.organization} — {self.headline}"


class OfferingQuerySet(OwnedQuerySet):
    def visible_to(self, user):
        """Inactive offerings are visible only to their provider (and operators)."""
        from ronghe.platform.core.permissions import is_operator, org_ids

        qs = super().visible_to(user)
        if is_operator(user):
            return qs
        mine = org_ids(user) if getattr(user, "is_authenticated", False) else []
        return qs.filter(Q(is_active=True) | Q(provider__in=mine))


class Offering(TimeStampedModel):
    """A provider delivers one specific version of a catalog service item, at a price range and capacity."""

    class PriceUnit(models.TextChoices):
        PROJECT = "project", _("元/项目")
        DAY = "day", _("元/人天")
        MONTH = "month", _("元/月")

    provider = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="offerings",
                                 limit_choices_to={"kind": "provider"}, verbose_name=_("服务商"))
    service_item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="offerings",
                                     verbose_name=_("服务条目"))
    category = models.ForeignKey(
        "catalog.ServiceCategory", on_delete=models.PROTECT, related_name="+", editable=False,
        help_text="denormalised copy of service_item.category, so category filters need no join",
    )
    price_min = models.DecimalField(_("最低价（元）"), max_digits=14, decimal_places=2)
    price_max = models.DecimalField(_("最高价（元）"), max_digits=14, decimal_places=2)
    price_unit = models.CharField(_("计价单位"), max_length=8, choices=PriceUnit.choices, default=PriceUnit.PROJECT)
    monthly_capacity = models.PositiveIntegerField(_("月承接能力（项目/月）"))
    provinces = models.JSONField(_("服务省份"), default=list, editable=False,
                                 help_text="sorted copy of the OfferingProvince rows, for reading")
    industries = models.ManyToManyField("accounts.Industry", blank=True, related_name="offerings",
                                        verbose_name=_("服务行业"))
    lead_time_days = models.PositiveIntegerField(_("响应/启动周期（天）"), default=7)
    notes = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]  # the primary key index: no sort over 500,000 rows
        indexes = [
            models.Index(fields=["service_item", "is_active"], name="offering_item_active"),
            models.Index(fields=["category", "is_active"], name="offering_category_active"),
            models.Index(fields=["provider", "is_active"], name="offering_provider_active"),
            models.Index(fields=["price_min"], name="offering_price_min"),
            models.Index(fields=["price_max"], name="offering_price_max"),
            models.Index(fields=["monthly_capacity"], name="offering_capacity"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_min__lte=models.F("price_max")),
                                   name="offering_price_min_le_max"),
            models.CheckConstraint(condition=Q(price_min__gte=0), name="offering_price_nonnegative"),
        ]
        verbose_name = "服务供给 offering"

    def __str__(self) -> str:
        return f"{self.provider} · {self.service_item}"


class OfferingProvince(models.Model):
    """One province (GB/T 2260) an offering serves; the filter path for "serves province X"."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="province_rows")
    province = models.CharField(max_length=2, choices=province_choices())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offering", "province"], name="one_row_per_offering_province")]
        indexes = [models.Index(fields=["province", "offering"], name="offering_province_lookup")]
        verbose_name = "服务省份 offering province"

    def __str__(self) -> str:
        return f"{self.offering_id}:{self.province}"


def qualification_names() -> dict[str, str]:
    """Registry code → name, from ``catalog.Qualification`` (the enum's labels as a fallback)."""
    from ronghe.platform.catalog.models import Qualification

    names = {c: str(label) for c, label in Certificate.Type.choices}
    names.update(Qualification.objects.filter(is_active=True).values_list("code", "name_zh"))
    return names


def qualification_choices() -> list[tuple[str, str]]:
    """Choices for forms and filters: every active registry entry, then 其他 (other)."""
    from ronghe.platform.catalog.models import Qualification

    rows = list(Qualification.objects.filter(is_active=True).values_list("code", "name_zh"))
    if not rows:
        rows = [(c, str(label)) for c, label in Certificate.Type.choices if c != "other"]
    return [*rows, ("other", str(_("其他")))]


class Certificate(TimeStampedModel):
    """A qualification or certificate (资质证书). Verified only by a certifier, association or the operator."""

    class Type(models.TextChoices):
        """The common codes of the qualification registry (``catalog.Qualification``), named for code that
        refers to them; ``cert_type`` takes any registry code, or ``other`` with a ``name``."""

        CNAS = "cnas", "CNAS"
        CMA = "cma", "CMA"
        ISO9001 = "iso9001", "ISO 9001"
        ISO14001 = "iso14001", "ISO 14001"
        ISO27001 = "iso27001", "ISO 27001"
        ISO45001 = "iso45001", "ISO 45001"
        IATF16949 = "iatf16949", "IATF 16949"
        HIGH_TECH = "high_tech", _("高新技术企业")
        SRDI = "srdi", _("专精特新")
        CCC = "ccc", "CCC"
        ROAD_TRANSPORT = "road_transport", _("道路运输经营许可证")
        OTHER = "other", _("其他")

    provider = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="certificates",
                                 limit_choices_to={"kind": "provider"}, verbose_name=_("服务商"))
    cert_type = models.CharField(_("证书类型"), max_length=48,
                                 help_text="a catalog.Qualification code, or 'other' with a name")
    name = models.CharField(_("证书名称"), max_length=200, blank=True, help_text="required for type 'other'")
    number = models.CharField(_("证书编号"), max_length=100)
    issuer = models.CharField(_("发证机构"), max_length=200)
    scope = models.TextField(_("认证范围"), blank=True)
    valid_from = models.DateField(_("有效期自"))
    valid_to = models.DateField(_("有效期至"))
    verified = models.BooleanField(_("已核验"), default=False)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    verified_by_org = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", editable=False)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejection_reason = models.CharField(_("未通过核验的原因"), max_length=500, blank=True, editable=False,
                                        help_text="set when a verifier refused; cleared when the provider edits")
    rejected_at = models.DateTimeField(null=True, blank=True, editable=False)
    evidence = models.FileField(_("证明文件"), storage=private_storage, upload_to="certificates/%Y/%m/",
                                blank=True, max_length=300)
    evidence_name = models.CharField(max_length=200, blank=True, editable=False)
    evidence_sha256 = models.CharField(max_length=71, blank=True, editable=False, help_text="sha256:<hex>")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["cert_type", "verified", "valid_to"], name="certificate_type_verified"),
            models.Index(fields=["provider", "cert_type"], name="certificate_provider_type"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_from__lte=models.F("valid_to")),
                                   name="certificate_valid_from_le_to"),
        ]
        verbose_name = "资质证书 certificate"

    def __str__(self) -> str:
        return f"{self.type_name} {self.number}"

    @property
    def display_name(self) -> str:
        return self.name or self.type_name

    @property
    def type_name(self) -> str:
        """The registry's name of ``cert_type`` (the code itself when the registry has none)."""
        return qualification_names().get(self.cert_type, self.cert_type)

    @property
    def is_expired(self) -> bool:
        """Computed from the date, never stored, so a certificate expires without any job running."""
        return self.valid_to < timezone.localdate()

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


class Case(TimeStampedModel):
    """A delivered project (案例). Anonymised cases never show the client's name to anyone but the provider."""

    provider = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="cases",
                                 limit_choices_to={"kind": "provider"}, verbose_name=_("服务商"))
    title = models.CharField(_("案例标题"), max_length=200)
    service_item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("对应服务条目"))
    client_name = models.CharField(_("客户名称"), max_length=200, blank=True)
    client_industry = models.ForeignKey("accounts.Industry", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("客户行业"))
    year = models.PositiveSmallIntegerField(_("年份"))
    summary = models.TextField(_("项目概述"))
    outcome = models.TextField(_("成效与指标"), blank=True)
    is_public = models.BooleanField(_("公开客户名称"), default=False,
                                    help_text="unchecked: shown anonymised (某…企业)")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["provider", "year"], name="case_provider_year")]
        verbose_name = "案例 case"

    def __str__(self) -> str:
        return self.title

    def client_label(self, viewer_org_ids: list[int] | None = None) -> str:
        """The client's name when public or seen by the provider itself, else an anonymised label."""
        if self.client_name and (self.is_public or (viewer_org_ids and self.provider_id in viewer_org_ids)):
            return self.client_name
        industry = self.client_industry.name_zh if self.client_industry_id else ""
        return f"某{industry}企业"


class ProviderEvent(Event):
    """The business history of a provider organization: profile, offering, certificate and case changes.

    ``data`` names the object (``{"offering": 12}``, ``{"certificate": 3}``…), so one provider's timeline reads
    from one table; the audit chain holds the same steps with before/after.
    """

    subject_field = "provider"

    provider = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="provider_events")

    class Meta(Event.Meta):
        verbose_name = "服务商事件 provider event"
        indexes = [models.Index(fields=["provider", "at"], name="provider_event_timeline")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.provider_id} {self.kind}"
