"""Organizations, their kinds, and who belongs to them with which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.accounts.validators import validate_credit_code
from ronghe.platform.core.models import Event, RestrictedQuerySet, TimeStampedModel


class Industry(models.Model):
    """A GB/T 4754-2017 division (行业大类), loaded by a data migration."""

    code = models.CharField(max_length=2, primary_key=True)
    section = models.CharField(max_length=1)
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=128)

    class Meta:
        ordering = ["code"]
        verbose_name = "行业 industry (GB/T 4754-2017)"
        verbose_name_plural = "行业 industries"

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def is_manufacturing(self) -> bool:
        return self.section == "C"


class OrganizationQuerySet(RestrictedQuerySet):
    """Organizations are public directory entries: everyone sees every row (``restrict(user, "view")``).

    Who may change one, or manage its members, is ``accounts.rules`` — never a second queryset.
    """


class Organization(TimeStampedModel):
    class Kind(models.TextChoices):
        MANUFACTURER = "manufacturer", _("需求方（制造企业）")
        PROVIDER = "provider", _("服务商")
        ASSOCIATION = "association", _("行业协会")
        CERTIFIER = "certifier", _("认证机构")
        OPERATOR = "operator", _("平台运营方")
        GOVERNMENT = "government", _("政府（只读）")

    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    province = models.CharField(_("省份"), max_length=2, choices=province_choices(), db_index=True)
    city = models.CharField(_("城市"), max_length=64, blank=True)
    industries = models.ManyToManyField(Industry, blank=True, related_name="organizations",
                                        verbose_name=_("所属行业"))
    description = models.TextField(_("简介"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    is_synthetic = models.BooleanField(
        default=False, help_text="generated demo data (clearly labelled as synthetic in every page)"
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="org_name_idx")]  # the directory's default order
        verbose_name = "组织 organization"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", _("管理员")
        MEMBER = "member", _("成员")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")]
        verbose_name = "成员 membership"

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class OrganizationEvent(Event):
    """An organization's business history: registration, profile edits, members added, re-roled, removed."""

    subject_field = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")

    class Meta(Event.Meta):
        verbose_name = "组织事件 organization event"
