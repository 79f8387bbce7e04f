"""Curator form for a service item: list fields are one entry per line, SLA rows are ``指标：目标``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ronghe.platform.catalog.models import ServiceCategory, ServiceItem

_SLA_SPLIT = re.compile(r"[:：]")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ServiceItemForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("服务类别（中类）"), queryset=ServiceCategory.objects.filter(level=2).select_related("parent"),
        to_field_name="code",
    )
    name_zh = forms.CharField(label=_("名称"), max_length=200)
    name_en = forms.CharField(label=_("英文名称"), max_length=300, required=False)
    scope = forms.CharField(label=_("服务内容与范围"), widget=forms.Textarea(attrs={"rows": 5}))
    deliverables = forms.CharField(label=_("交付物（每行一项）"), widget=forms.Textarea(attrs={"rows": 4}))
    acceptance_criteria = forms.CharField(label=_("验收标准（每行一项）"), widget=forms.Textarea(attrs={"rows": 4}))
    sla = forms.CharField(
        label=_("服务水平 SLA（每行“指标：目标”，如 响应时间：≤ 4 小时）"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    value_outputs = forms.CharField(label=_("价值产出"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kpis = forms.CharField(label=_("关键绩效指标（每行一项）"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    pricing_model = forms.ChoiceField(label=_("计价方式"), choices=ServiceItem.Pricing.choices)
    duration_days_min = forms.IntegerField(label=_("典型周期下限（天）"), min_value=1, required=False)
    duration_days_max = forms.IntegerField(label=_("典型周期上限（天）"), min_value=1, required=False)
    required_qualifications = forms.CharField(label=_("资质要求（每行一项）"), required=False,
                                              widget=forms.Textarea(attrs={"rows": 2}))
    keywords = forms.CharField(label=_("关键词（逗号分隔）"), max_length=500, required=False)
    change_note = forms.CharField(label=_("版本说明"), max_length=300, required=False)

    def clean_deliverables(self) -> list[str]:
        return _lines(self.cleaned_data["deliverables"])

    def clean_acceptance_criteria(self) -> list[str]:
        return _lines(self.cleaned_data["acceptance_criteria"])

    def clean_kpis(self) -> list[str]:
        return _lines(self.cleaned_data["kpis"])

    def clean_required_qualifications(self) -> list[str]:
        return _lines(self.cleaned_data["required_qualifications"])

    def clean_sla(self) -> list[dict[str, str]]:
        rows = []
        for n, line in enumerate(_lines(self.cleaned_data["sla"]), start=1):
            parts = _SLA_SPLIT.split(line, maxsplit=1)
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise forms.ValidationError(_("第 %(n)s 行应为“指标：目标”：%(line)s"), params={"n": n, "line": line})
            rows.append({"metric": parts[0].strip(), "target": parts[1].strip()})
        return rows

    def to_fields(self) -> dict[str, Any]:
        """Cleaned data in the shape the catalog services take."""
        data = dict(self.cleaned_data)
        data["category"] = data["category"].code
        return data

    @staticmethod
    def initial_from(item: ServiceItem) -> dict[str, Any]:
        return {
            "category": item.category.code, "name_zh": item.name_zh, "name_en": item.name_en, "scope": item.scope,
            "deliverables": "\n".join(item.deliverables), "acceptance_criteria": "\n".join(item.acceptance_criteria),
            "sla": "\n".join(f"{r['metric']}：{r['target']}" for r in item.sla),
            "value_outputs": item.value_outputs, "kpis": "\n".join(item.kpis), "pricing_model": item.pricing_model,
            "duration_days_min": item.duration_days_min, "duration_days_max": item.duration_days_max,
            "required_qualifications": "\n".join(item.required_qualifications), "keywords": item.keywords,
            "change_note": item.change_note,
        }
