"""Trusted deals (可信交易): RFQ with lots → sealed bids → award → contract with milestones → delivery,
acceptance and payment states → disputes → ratings.

Who may *see* a row is the queryset's ``restrict(user)``; which *fields* of a bid a user may read before the
deadline is decided in one place, :mod:`ronghe.platform.deals.sealing`. Every change goes through
:mod:`ronghe.platform.deals.services` and lands on the audit chain.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.models import Event, RestrictedQuerySet, TimeStampedModel
from ronghe.platform.core.storage import private_storage


def ocid_prefix() -> str:
    """The OCDS ocid prefix (``RONGHE_OCID_PREFIX``; register a real one with the Open Contracting Partnership)."""
    return getattr(settings, "RONGHE_OCID_PREFIX", "ocds-rh0000")


def _party_orgs(user: Any) -> list[int]:
    from ronghe.platform.core.permissions import org_ids

    return org_ids(user) if getattr(user, "is_authenticated", False) else []


# --- RFQ and lots --------------------------------------------------------------------------------------------


class RFQState(models.TextChoices):
    BIDDING = "bidding", _("投标中")
    OPENED = "opened", _("已开标")
    AWARDED = "awarded", _("已定标")
    UNSUCCESSFUL = "unsuccessful", _("流标")
    CANCELLED = "cancelled", _("已取消")


class RFQQuerySet(RestrictedQuerySet):
    """An RFQ is as visible as its demand's summary (an invited-only RFQ too: only the invited may *bid*)."""

    def visible_to(self, user):
        from ronghe.platform.core.permissions import is_operator
        from ronghe.platform.demand.models import Demand
        from ronghe.platform.demand.visibility import summary_q
        if is_operator(user):
            return self
        return self.filter(Q(demand__in=Demand.objects.filter(summary_q(user)).values("pk"))
                           | Q(organization__in=_party_orgs(user)))


class RFQ(TimeStampedModel):
    """询价/招标: the owner of a published demand asks for sealed bids, one lot per demand line."""

    class Access(models.TextChoices):
        OPEN = "open", _("公开：所有有权查看详情的服务商")
        INVITED = "invited", _("仅受邀服务商")

    demand = models.ForeignKey("demand.Demand", on_delete=models.PROTECT, related_name="rfqs",
                               verbose_name=_("需求"))
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="rfqs",
                                     verbose_name=_("采购方"))
    title = models.CharField(_("标题"), max_length=200)
    access = models.CharField(_("投标范围"), max_length=8, choices=Access.choices, default=Access.OPEN)
    invited = models.ManyToManyField("accounts.Organization", blank=True, related_name="rfq_invitations",
                                     verbose_name=_("受邀服务商"))
    bid_deadline = models.DateTimeField(_("投标截止时间"), db_index=True)
    show_bid_count = models.BooleanField(_("截止前公开投标数量"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=RFQState.choices, default=RFQState.BIDDING,
                             db_index=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RFQQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "询价 RFQ"
        constraints = [models.UniqueConstraint(
            fields=["demand"], condition=Q(state__in=["bidding", "opened", "awarded"]), name="one_live_rfq_per_demand")]

    def __str__(self) -> str:
        return self.title

    @property
    def ocid(self) -> str:
        return f"{ocid_prefix()}-rfq{self.pk}"

    @property
    def is_open(self) -> bool:
        """Bids are sealed and writable: bidding, and not yet opened by the scheduler."""
        return self.state == RFQState.BIDDING


class LotState(models.TextChoices):
    ACTIVE = "active", _("待定标")
    AWARDED = "awarded", _("已定标")
    UNSUCCESSFUL = "unsuccessful", _("流标")
    CANCELLED = "cancelled", _("已取消")


class Lot(models.Model):
    """标段: one demand line put out to bid."""

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="lots")
    demand_line = models.ForeignKey("demand.DemandLine", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标段名称"), max_length=200)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    state = models.CharField(_("状态"), max_length=16, choices=LotState.choices, default=LotState.ACTIVE)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "标段 lot"

    def __str__(self) -> str:
        return self.title


# --- bids ----------------------------------------------------------------------------------------------------


class BidState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    WITHDRAWN = "withdrawn", _("已撤回")
    AWARDED = "awarded", _("中标")
    LOST = "lost", _("未中标")


class BidQuerySet(RestrictedQuerySet):
    """Before opening a bid row exists only for its bidder (nobody else may even count it); after opening also
    for the buyer, the operator and the other bidders (who still see only what ``sealing`` allows)."""

    def visible_to(self, user):
        from ronghe.platform.core.permissions import is_operator
        mine = _party_orgs(user)
        own = Q(provider__in=mine)
        opened = ~Q(rfq__state=RFQState.BIDDING) & ~Q(state=BidState.WITHDRAWN)
        if is_operator(user):
            return self.filter(own | opened)
        return self.filter(own | (opened & (Q(rfq__organization__in=mine) | Q(rfq__bids__provider__in=mine)))).distinct()


class Bid(TimeStampedModel):
    """One provider's bid on an RFQ; its content lives in versions, the last submitted one counts."""

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="bids")
    provider = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="bids",
                                 verbose_name=_("投标服务商"))
    state = models.CharField(_("状态"), max_length=12, choices=BidState.choices, default=BidState.SUBMITTED)
    current = models.ForeignKey("BidVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "投标 bid"
        constraints = [models.UniqueConstraint(fields=["rfq", "provider"], name="one_bid_per_provider")]

    def __str__(self) -> str:
        return f"bid {self.pk}"


class BidVersion(models.Model):
    """A sealed submission: prices per lot, delivery plan, team, documents. Never changed once written."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    plan = models.TextField(_("交付计划"))
    team = models.TextField(_("项目团队"), blank=True)
    sha256 = models.CharField(max_length=80, help_text="sha256:<hex> of the canonical content (on the chain)")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bid", "number"]
        constraints = [models.UniqueConstraint(fields=["bid", "number"], name="bid_version_number")]


class BidLine(models.Model):
    """The price a bid version asks for one lot."""

    version = models.ForeignKey(BidVersion, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="+")
    price = models.DecimalField(_("报价（元）"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["lot_id"]
        constraints = [models.UniqueConstraint(fields=["version", "lot"], name="one_price_per_lot")]


# --- award and contract --------------------------------------------------------------------------------------


class Award(TimeStampedModel):
    """定标: one award per lot (the database refuses a second), with the buyer's stated reason."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="award")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.TextField(_("定标理由"))
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "定标 award"


class ContractState(models.TextChoices):
    DRAFT = "draft", _("待签署")
    ACTIVE = "active", _("履约中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ContractQuerySet(RestrictedQuerySet):
    """A contract is seen by its two parties and the operator; its arbitrating association while a dispute runs
    (``rules.arbitrates``)."""

    def visible_to(self, user):
        from ronghe.platform.core.permissions import is_operator
        if is_operator(user):
            return self
        mine = _party_orgs(user)
        return self.filter(Q(buyer__in=mine) | Q(provider__in=mine) | Q(milestones__disputes__arbitrator__in=mine)
                           ).distinct()


class Contract(TimeStampedModel):
    """合同: created from an award; both sides sign the SHA-256 of the same text, then it is delivered."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    rfq = models.ForeignKey(RFQ, on_delete=models.PROTECT, related_name="contracts")
    buyer = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("合同名称"), max_length=200)
    terms = models.TextField(_("合同条款"), blank=True)
    value = models.DecimalField(_("合同金额（元）"), max_digits=14, decimal_places=2)
    state = models.CharField(_("状态"), max_length=12, choices=ContractState.choices, default=ContractState.DRAFT,
                             db_index=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "合同 contract"

    def __str__(self) -> str:
        return self.title

    @property
    def organization_id(self) -> int:  # the audit chain's "acting organization" default
        return self.buyer_id


class Signature(models.Model):
    """点击签署: who signed for which side, when, and the SHA-256 of the contract text they saw."""

    class Side(models.TextChoices):
        BUYER = "buyer", _("采购方")
        PROVIDER = "provider", _("服务商")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="signatures")
    side = models.CharField(max_length=8, choices=Side.choices)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    text_sha256 = models.CharField(max_length=80)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["contract", "side"], name="one_signature_per_side")]


class MilestoneState(models.TextChoices):
    PENDING = "pending", _("待交付")
    SUBMITTED = "submitted", _("待验收")
    ACCEPTED = "accepted", _("已验收")
    REJECTED = "rejected", _("已驳回")
    DISPUTED = "disputed", _("争议中")
    FAILED = "failed", _("未通过（已退款）")


class PaymentState(models.TextChoices):
    UNFUNDED = "unfunded", _("未托管")
    FUNDED = "funded", _("已托管")
    RELEASED = "released", _("已付款")
    REFUNDED = "refunded", _("已退款")


class Milestone(TimeStampedModel):
    """履约节点: deliverables and acceptance criteria from the service item's delivery standard, an amount."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    number = models.PositiveIntegerField()
    title = models.CharField(_("节点名称"), max_length=200)
    deliverables = models.JSONField(_("交付物"), default=list, blank=True)
    acceptance_criteria = models.JSONField(_("验收标准"), default=list, blank=True)
    due_date = models.DateField(_("计划完成日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    state = models.CharField(_("状态"), max_length=12, choices=MilestoneState.choices,
                             default=MilestoneState.PENDING, db_index=True)
    payment_state = models.CharField(_("付款状态"), max_length=12, choices=PaymentState.choices,
                                     default=PaymentState.UNFUNDED)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    auto_accepted = models.BooleanField(default=False)
    decision_reason = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = "履约节点 milestone"
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="milestone_number")]

    def __str__(self) -> str:
        return self.title

    @property
    def organization_id(self) -> int:
        return self.contract.buyer_id


class Payment(models.Model):
    """One call to the payment provider (fund, release or refund), at most one of each kind per milestone.

    ``idempotency_key`` is what the provider was called with; a retry with it is answered by this row.
    """

    class Kind(models.TextChoices):
        FUND = "fund", _("托管")
        RELEASE = "release", _("付款")
        REFUND = "refund", _("退款")

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    provider = models.CharField(max_length=32, help_text="the PaymentProvider's name, e.g. simulated")
    idempotency_key = models.CharField(max_length=128, unique=True)
    reference = models.CharField(max_length=128, help_text="the provider's transaction id")
    status = models.CharField(max_length=16)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["milestone", "kind"], name="one_payment_per_kind")]


class SimulatedLedgerEntry(models.Model):
    """The simulated provider's own book (「模拟支付」): what a bank would keep on its side."""

    key = models.CharField(max_length=128, unique=True)
    operation = models.CharField(max_length=8)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)


class Dispute(TimeStampedModel):
    """争议: either side on a milestone, with evidence; the operator or an association arbitrates."""

    class State(models.TextChoices):
        OPEN = "open", _("待裁决")
        RESOLVED = "resolved", _("已裁决")

    class Outcome(models.TextChoices):
        PROVIDER = "provider", _("支持服务商：视为验收并付款")
        BUYER = "buyer", _("支持采购方：节点未通过并退款")

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    arbitrator = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="an association that may arbitrate (else the operator)")
    reason = models.TextField(_("争议理由"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    outcome = models.CharField(_("裁决结果"), max_length=10, choices=Outcome.choices, blank=True)
    decision = models.TextField(_("裁决说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "争议 dispute"
        constraints = [models.UniqueConstraint(fields=["milestone"], condition=Q(state="open"),
                                               name="one_open_dispute_per_milestone")]


class Rating(TimeStampedModel):
    """评价: each side rates the other once, only on a completed contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="ratings")
    side = models.CharField(max_length=8, choices=Signature.Side.choices, help_text="the side that rates")
    rater = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    ratee = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="ratings_received")
    quality = models.PositiveSmallIntegerField(_("质量"))
    timeliness = models.PositiveSmallIntegerField(_("及时性"))
    communication = models.PositiveSmallIntegerField(_("沟通"))
    comment = models.TextField(_("评语"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "评价 rating"
        constraints = [
            models.UniqueConstraint(fields=["contract", "side"], name="one_rating_per_side"),
            *[models.CheckConstraint(condition=Q(**{f"{f}__gte": 1, f"{f}__lte": 5}), name=f"rating_{f}_1_5")
              for f in ("quality", "timeliness", "communication")],
        ]


# --- documents -----------------------------------------------------------------------------------------------


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开")
    PARTIES = "parties", _("仅交易双方")
    BUYER_ONLY = "buyer_only", _("仅采购方（需说明理由）")


def _document_path(instance: DealDocument, filename: str) -> str:
    return f"deals/{instance.token}"


class DealDocument(models.Model):
    """A bid document, contract annex, deliverable or dispute evidence: its hash is shown to all who may know it
    exists; its content only to the entitled (``sealing.may_read_document``), through the protected download."""

    class Role(models.TextChoices):
        BID = "bid", _("投标文件")
        CONTRACT = "contract", _("合同附件")
        DELIVERABLE = "deliverable", _("交付物")
        EVIDENCE = "evidence", _("争议证据")

    role = models.CharField(max_length=12, choices=Role.choices)
    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="documents")
    bid_version = models.ForeignKey(BidVersion, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="documents")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="documents")
    dispute = models.ForeignKey(Dispute, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+",
                                     help_text="the organization that uploaded it")
    visibility = models.CharField(_("可见范围"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PARTIES)
    visibility_reason = models.CharField(_("不公开理由"), max_length=300, blank=True)
    file = models.FileField(storage=private_storage, upload_to=_document_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=80)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "交易文件 deal document"


# --- history and API idempotency ----------------------------------------------------------------------------


class DealEvent(Event):
    """The deal's business timeline (one per RFQ): opened, bid, award, signed, delivered, paid, disputed, rated.

    ``data`` never holds a sealed value (prices, plans): only ids, states and hashes.
    """

    subject_field = "rfq"
    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="events")

    class Meta(Event.Meta):
        verbose_name = "交易事件 deal event"


class IdempotentResponse(models.Model):
    """The first answer to a money-moving API write, repeated to a retry with the same ``Idempotency-Key``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_key")]
