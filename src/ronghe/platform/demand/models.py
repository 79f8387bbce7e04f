"""Industry demand lists (行业需求清单) and manufacturers' own demands (需求), with their confidentiality.

Who may see which field of a demand is decided in ONE place, :mod:`ronghe.platform.demand.visibility`;
the querysets here only decide which *rows* exist for a user (summary visibility), never which fields.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.core.models import Event, RestrictedQuerySet, TimeStampedModel
from ronghe.platform.core.storage import private_storage

# --- demand lists -------------------------------------------------------------------------------------------


class DemandListQuerySet(RestrictedQuerySet):
    """Published and closed lists are public; drafts only for their association (and operators)."""

    def visible_to(self, user):
        from ronghe.platform.core.permissions import is_operator, org_ids
        if is_operator(user):
            return self
        mine = org_ids(user)
        return self.exclude(state=DemandList.State.DRAFT) | self.filter(organization__in=mine)


class DemandList(TimeStampedModel):
    """A named list of standardized service items an association proposes for an industry and region."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已关闭")

    name = models.CharField(_("清单名称"), max_length=200)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="demand_lists", verbose_name=_("发布协会")
    )
    industry = models.ForeignKey(
        "accounts.Industry", on_delete=models.PROTECT, related_name="demand_lists", verbose_name=_("行业")
    )
    province = models.CharField(_("省份"), max_length=2, choices=province_choices(), db_index=True)
    city = models.CharField(_("城市"), max_length=64, blank=True)
    pain_points = models.TextField(_("共性痛点"))
    items = models.ManyToManyField(
        "catalog.ServiceItem", related_name="demand_lists", verbose_name=_("服务条目")
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = DemandListQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "需求清单 demand list"

    def __str__(self) -> str:
        return self.name


class DemandListEntry(TimeStampedModel):
    """A manufacturer's declaration that it needs one item of a list (报名)."""

    demand_list = models.ForeignKey(DemandList, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+")
    manufacturer = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    notes = models.CharField(_("备注"), max_length=500, blank=True)
    joined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["demand_list", "item", "manufacturer"], name="one_entry_per_item"),
        ]
        verbose_name = "清单报名 demand list entry"


# --- demands ------------------------------------------------------------------------------------------------


class Confidentiality(models.TextChoices):
    """Who sees a demand's details; its summary is visible to everyone unless ``private``."""

    PUBLIC = "public", _("公开：所有人可见全部内容")
    REGISTERED = "registered", _("注册服务商可见详情")
    NDA = "nda", _("仅签署保密协议的受邀服务商可见详情")
    PRIVATE = "private", _("仅本企业可见")


class DemandState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    BIDDING = "bidding", _("招标中")
    AWARDED = "awarded", _("已定标")
    CONTRACTED = "contracted", _("已签约")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


class DemandQuerySet(RestrictedQuerySet):
    """Rows a user may know exist; the fields each one may see are decided by ``visibility``."""

    def visible_to(self, user):
        from ronghe.platform.demand.visibility import summary_q
        return self.filter(summary_q(user))

    def for_listing(self) -> DemandQuerySet:
        """What ``visibility.summarize`` reads, in a fixed number of queries (no GROUP BY on large tables)."""
        attachments = (DemandAttachment.objects.filter(demand=models.OuterRef("pk")).order_by()
                       .values("demand").annotate(n=models.Count("*")).values("n"))
        return (self.select_related("industry", "organization")
                .prefetch_related(models.Prefetch(
                    "lines", queryset=DemandLine.objects.select_related("item__category")))
                .annotate(attachment_count=Coalesce(models.Subquery(attachments), 0))
                .order_by("-created_at", "-id"))


class Demand(TimeStampedModel):
    """A manufacturer's demand for one or more standardized service items."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="demands", verbose_name=_("需求方")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("公开摘要"), blank=True, help_text=_("任何可见该需求的人都能看到，请勿填写保密信息"))
    industry = models.ForeignKey(
        "accounts.Industry", on_delete=models.PROTECT, related_name="demands", verbose_name=_("所属制造业行业")
    )
    province = models.CharField(_("省份"), max_length=2, choices=province_choices(), db_index=True)
    city = models.CharField(_("城市"), max_length=64, blank=True)
    budget_min = models.DecimalField(_("预算下限（元）"), max_digits=14, decimal_places=2)
    budget_max = models.DecimalField(_("预算上限（元）"), max_digits=14, decimal_places=2)
    budget_band = models.CharField(_("预算区间"), max_length=8, db_index=True, editable=False)
    deadline = models.DateField(_("截止日期"), db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    confidentiality = models.CharField(
        _("保密级别"), max_length=12, choices=Confidentiality.choices, default=Confidentiality.REGISTERED,
        db_index=True,
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=DemandState.choices, default=DemandState.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "需求 demand"
        indexes = [models.Index(fields=["state", "confidentiality"], name="demand_state_conf")]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget_min__lte=models.F("budget_max")),
                                   name="demand_budget_min_le_max"),
        ]

    def __str__(self) -> str:
        return self.title


class DemandLine(models.Model):
    """One service item wanted; ``scope`` and ``quantity`` are confidential, the item itself is summary."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="demand_lines",
                             verbose_name=_("服务条目"))
    scope = models.TextField(_("具体范围与技术要求"))
    quantity = models.PositiveIntegerField(_("数量"), default=1)

    class Meta:
        ordering = ["id"]
        verbose_name = "需求明细 demand line"


def _attachment_path(instance: DemandAttachment, filename: str) -> str:
    # never the uploaded name on disk: the name itself may be confidential
    return f"demands/{instance.demand_id}/{instance.token}"


class DemandAttachment(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=80, help_text="sha256:<hex> of the stored bytes")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "需求附件 demand attachment"


class DemandInvitation(models.Model):
    """The owner invites a provider organization; it sees details once one of its people accepts the NDA."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="invitations")
    provider = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="demand_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    nda_version = models.CharField(max_length=16, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["demand", "provider"], name="one_invitation_per_provider")]
        verbose_name = "需求邀请 demand invitation"

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


class DemandEvent(Event):
    """The demand's business timeline: every state change and grant of access, in order."""

    subject_field = "demand"
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")

    class Meta(Event.Meta):
        verbose_name = "需求事件 demand event"


class DemandListEvent(Event):
    """The demand list's timeline: drafted, edited, published, closed, joined, left."""

    subject_field = "demand_list"
    demand_list = models.ForeignKey(DemandList, on_delete=models.CASCADE, related_name="events")

    class Meta(Event.Meta):
        verbose_name = "需求清单事件 demand list event"
