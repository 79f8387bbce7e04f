"""What the matching app stores: text embeddings (each distinct text once), the index generation, demands'
extra qualification requirements, and batch assignments with their invitations.

The ranking itself is not stored: it is recomputed from the live rows on every request, so a result can
never be older than the data it explains. The qualification registry lives in ``catalog`` (items and
certificates refer to it by code, and catalog is below providers).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.models import Event, RestrictedQuerySet, TimeStampedModel


class TextEmbedding(models.Model):
    """One vector per (kind, text hash, model): identical offering texts are embedded once, by the worker."""

    key = models.CharField(max_length=48, help_text="'p:' or 'q:' + SHA-1 of the text")
    model = models.CharField(max_length=64)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField(help_text="float32, little-endian")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "model"], name="one_embedding_per_text_model")]
        verbose_name = "文本向量 text embedding"


class IndexState(models.Model):
    """A single row: its ``generation`` moves on every change the index must see; serving processes compare."""

    generation = models.PositiveBigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "匹配索引状态 index state"


class IndexChange(models.Model):
    """What moved the generation to ``generation``: one provider, one demand, or (neither named) anything —
    so a serving process re-reads only the rows that changed since the index it holds."""

    generation = models.PositiveBigIntegerField(db_index=True)
    provider_id = models.BigIntegerField(null=True, blank=True)
    demand_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "匹配索引变更 index change"


class DemandRequirement(models.Model):
    """A qualification a demand requires beyond its items' (「报告必须带CNAS标志」), by registry code."""

    demand = models.ForeignKey("demand.Demand", on_delete=models.CASCADE, related_name="required_qualifications")
    code = models.CharField(_("资质代码"), max_length=48)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["demand", "code"], name="one_requirement_per_code")]
        verbose_name = "需求资质要求 demand requirement"


class AssignmentQuerySet(RestrictedQuerySet):
    owner_field = "organization"


class Assignment(TimeStampedModel):
    """A batch assignment over a demand list: computed as a preview, applied only when confirmed."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("预览")
        APPLIED = "applied", _("已发送")

    demand_list = models.ForeignKey("demand.DemandList", on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+",
                                     help_text="the organization that ran it (the list's association or the operator)")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    per_demand = models.PositiveSmallIntegerField()
    fairness = models.FloatField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PREVIEW)
    result = models.JSONField(default=dict)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "批量分派 assignment"


class ListInvitation(models.Model):
    """An invitation the batch sent: a provider proposed to a manufacturer's entry in a demand list."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="invitations")
    entry = models.ForeignKey("demand.DemandListEntry", on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="list_invitations")
    score = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "provider"], name="one_list_invitation_per_pair")]
        verbose_name = "清单邀请 list invitation"


class MatchingEvent(Event):
    subject_field = "assignment"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
