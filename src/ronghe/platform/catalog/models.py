"""The standardized service catalog (服务目录): a taxonomy and versioned service items (服务条目).

A published item is never edited in place: a change creates a new version with ``supersedes`` pointing at
the old one, so demands and offerings that referenced a version keep the exact terms they agreed to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.models import Event, RestrictedQuerySet, TimeStampedModel


class ServiceCategory(models.Model):
    """A node of the NBS producer-services classification (生产性服务业统计分类 2019): 大类 / 中类."""

    code = models.CharField(max_length=8, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(help_text="1 = 大类, 2 = 中类, 3 = 小类")
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    synonyms = models.CharField(max_length=500, blank=True, help_text="search synonyms, separated by |")
    divisions = models.CharField(
        max_length=100, blank=True, help_text="main GB/T 4754-2017 divisions (2-digit), separated by ;"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "服务类别 service category"
        verbose_name_plural = "服务类别 service categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def synonym_list(self) -> list[str]:
        return [s for s in self.synonyms.split("|") if s]

    @property
    def division_list(self) -> list[str]:
        return [d for d in self.divisions.split(";") if d]


class Qualification(models.Model):
    """The qualification registry (资质登记) as data: items and certificates refer to a qualification by ``code``.

    Shipped with the entries of ``ronghe/match/data/qualifications.json`` (every qualification the catalog names,
    with the aliases people write them under); the operator adds more (``catalog.services.add_qualification``).
    """

    code = models.CharField(_("资质代码"), max_length=48, unique=True)
    name_zh = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    authority = models.CharField(_("发证机关类别"), max_length=32, default="other",
                                 help_text="issuing-authority kind, e.g. accreditation, market_regulator, transport")
    aliases = models.TextField(_("别名"), blank=True, help_text="other names, separated by |")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "资质 qualification"

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


def qualification_registry():
    """The registry the matching engine and the services resolve names with: the table, else the shipped file."""
    from ronghe.match.qualifications import Registry, default_registry

    rows = list(Qualification.objects.filter(is_active=True).values("code", "name_zh", "name_en", "authority",
                                                                     "aliases"))
    return Registry.from_rows(rows) if rows else default_registry()


class ServiceItemQuerySet(RestrictedQuerySet):
    """Everyone sees published and retired items; drafts only their curators (and operators).

    Who may edit, publish, revise or retire an item is ``catalog.rules`` — one predicate per action.
    """

    def visible_to(self, user):
        from ronghe.platform.core.permissions import is_operator, org_ids

        if is_operator(user):
            return self
        public = models.Q(status__in=[ServiceItem.Status.PUBLISHED, ServiceItem.Status.RETIRED])
        if not getattr(user, "is_authenticated", False):
            return self.filter(public)
        return self.filter(public | models.Q(curated_by__in=org_ids(user, kinds={"association"})))

    def current(self):
        """The latest published version of each item code (a draft revision does not displace it)."""
        return self.filter(status=ServiceItem.Status.PUBLISHED).exclude(
            superseded_by__status=ServiceItem.Status.PUBLISHED
        )


class ServiceItem(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    class Pricing(models.TextChoices):
        FIXED = "fixed", _("固定总价")
        TIME_MATERIALS = "time_materials", _("按工时及材料")
        OUTCOME = "outcome", _("按效果付费")
        SUBSCRIPTION = "subscription", _("订阅/年费")

    code = models.CharField(_("条目编码"), max_length=32, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="items")
    name_zh = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    scope = models.TextField(_("服务内容与范围"))
    deliverables = models.JSONField(_("交付物"), default=list)
    acceptance_criteria = models.JSONField(_("验收标准"), default=list)
    sla = models.JSONField(_("服务水平 (SLA)"), default=list, help_text='[{"metric": …, "target": …}]')
    value_outputs = models.TextField(_("价值产出"), blank=True)
    kpis = models.JSONField(_("关键绩效指标"), default=list)
    pricing_model = models.CharField(_("计价方式"), max_length=16, choices=Pricing.choices, db_index=True)
    duration_days_min = models.PositiveIntegerField(_("典型周期（天，下限）"), null=True, blank=True)
    duration_days_max = models.PositiveIntegerField(_("典型周期（天，上限）"), null=True, blank=True)
    required_qualifications = models.JSONField(_("资质要求"), default=list)
    keywords = models.CharField(_("关键词"), max_length=500, blank=True)
    curated_by = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="curated_items"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_note = models.CharField(_("版本说明"), max_length=300, blank=True)
    # Derived on save so search and the qualification filter are plain icontains on one column (CJK-safe on
    # SQLite, where JSON text is ASCII-escaped).
    qualifications_text = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    #: the registry codes of ``required_qualifications``, in order, with whether each is mandatory (a text the
    #: registry does not know is kept verbatim as its own code)
    qualification_codes = models.JSONField(default=list, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="one_row_per_item_version")]
        verbose_name = "服务条目 service item"
        indexes = [models.Index(fields=["status", "category"], name="catalog_item_status_cat")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} {self.name_zh}"

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        """Recompute the search columns (also called before bulk inserts, which skip ``save``)."""
        self.qualifications_text = "|".join(self.required_qualifications or [])[:500]
        registry = qualification_registry()
        self.qualification_codes = [
            {"code": r.code, "mandatory": r.strict, "known": r.known}
            for r in (registry.resolve(text) for text in self.required_qualifications or [])
        ]
        category = self.category
        self.search_text = " ".join(
            [self.code, self.name_zh, self.name_en, self.scope, self.keywords, self.qualifications_text,
             category.name_zh, category.synonyms, getattr(category.parent, "synonyms", "")]
        ).lower()

    @property
    def is_current(self) -> bool:
        """Published and not displaced by a later published version."""
        if self.status != self.Status.PUBLISHED:
            return False
        successor = getattr(self, "superseded_by", None)
        return successor is None or successor.status != self.Status.PUBLISHED

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]


class ServiceItemEvent(Event):
    """An item version's business history: drafted, edited, published, revised (on the new draft), retired."""

    subject_field = "item"

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="events")

    class Meta(Event.Meta):
        verbose_name = "服务条目事件 service item event"
