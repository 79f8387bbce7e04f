"""Forms of the deal pages: they parse input; the services validate the rules and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.models import Organization
from ronghe.platform.deals.models import RFQ, Dispute, Visibility
from ronghe.platform.deals.services import DocumentInput
from ronghe.platform.demand.forms import MultipleFileField


class RFQForm(forms.Form):
    bid_deadline = forms.DateTimeField(label=_("投标截止时间"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    access = forms.ChoiceField(label=_("投标范围"), choices=RFQ.Access.choices, initial=RFQ.Access.OPEN,
                               widget=forms.RadioSelect)
    invited = forms.ModelMultipleChoiceField(
        label=_("受邀服务商（仅受邀时）"), required=False,
        queryset=Organization.objects.filter(kind=Organization.Kind.PROVIDER).order_by("name"))
    show_bid_count = forms.BooleanField(label=_("截止前公开投标数量"), required=False)

    def clean_bid_deadline(self) -> Any:
        value = self.cleaned_data["bid_deadline"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class DocumentsMixin(forms.Form):
    documents = MultipleFileField(label=_("文件（PDF、图片、Word、Excel、文本）"), required=False)
    visibility = forms.ChoiceField(label=_("文件可见范围"), choices=Visibility.choices, initial=Visibility.PARTIES)
    visibility_reason = forms.CharField(label=_("不公开理由（仅采购方可见时必填）"), required=False, max_length=300)

    def document_inputs(self) -> list[DocumentInput]:
        data = self.cleaned_data
        return [DocumentInput(f, data["visibility"], data.get("visibility_reason") or "")
                for f in data.get("documents") or []]


class DocumentsOnlyForm(DocumentsMixin):
    """Contract annexes: files and who may read them."""


class BidForm(DocumentsMixin):
    """One price field per active lot (empty = no bid on that lot)."""

    plan = forms.CharField(label=_("交付计划"), widget=forms.Textarea(attrs={"rows": 4}))
    team = forms.CharField(label=_("项目团队"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, lots: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lots = lots
        for lot in lots:
            self.fields[f"price_{lot.pk}"] = forms.DecimalField(
                label=_("报价（元）：%(lot)s") % {"lot": lot.title}, required=False, min_value=0,
                max_digits=14, decimal_places=2)
        self.order_fields([f"price_{lot.pk}" for lot in lots] + ["plan", "team"])

    def prices(self) -> dict[int, Any]:
        return {lot.pk: self.cleaned_data.get(f"price_{lot.pk}") for lot in self.lots}


class AwardForm(forms.Form):
    lot = forms.IntegerField(widget=forms.HiddenInput)
    bid = forms.IntegerField(label=_("中标投标"))
    reason = forms.CharField(label=_("定标理由"), widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneEditForm(forms.Form):
    title = forms.CharField(label=_("节点名称"), max_length=200)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    due_date = forms.DateField(label=_("计划完成日期"), widget=forms.DateInput(attrs={"type": "date"}))
    acceptance = forms.CharField(label=_("验收标准（每行一条）"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))


MilestoneFormSet = forms.formset_factory(MilestoneEditForm, extra=0, can_delete=True)


class TermsForm(forms.Form):
    terms = forms.CharField(label=_("合同条款"), widget=forms.Textarea(attrs={"rows": 8}), required=False)


class DeliveryForm(DocumentsMixin):
    note = forms.CharField(label=_("交付说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisputeForm(DocumentsMixin):
    reason = forms.CharField(label=_("争议理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("裁决结果"), choices=Dispute.Outcome.choices, widget=forms.RadioSelect)
    decision = forms.CharField(label=_("裁决说明"), widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    SCORES = [(i, str(i)) for i in range(5, 0, -1)]
    quality = forms.TypedChoiceField(label=_("质量"), choices=SCORES, coerce=int)
    timeliness = forms.TypedChoiceField(label=_("及时性"), choices=SCORES, coerce=int)
    communication = forms.TypedChoiceField(label=_("沟通"), choices=SCORES, coerce=int)
    comment = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
