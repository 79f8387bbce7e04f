"""One FilterSet per model, shared by the catalog pages and the API (NetBox's habit)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ronghe.platform.catalog.models import ServiceCategory, ServiceItem


class ServiceCategoryFilterSet(django_filters.FilterSet):
    level = django_filters.NumberFilter(label=_("层级（1 大类，2 中类）"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级类别编码"))

    class Meta:
        model = ServiceCategory
        fields = ["level", "parent"]


class ServiceItemFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))
    category = django_filters.CharFilter(method="filter_category", label=_("类别编码（大类或中类）"))
    status = django_filters.ChoiceFilter(choices=ServiceItem.Status.choices, label=_("状态"))
    pricing_model = django_filters.ChoiceFilter(choices=ServiceItem.Pricing.choices, label=_("计价方式"))
    qualification = django_filters.CharFilter(
        field_name="qualifications_text", lookup_expr="icontains", label=_("资质要求")
    )
    code = django_filters.CharFilter(field_name="code", label=_("条目编码"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("仅当前版本"))

    class Meta:
        model = ServiceItem
        fields = ["search", "category", "status", "pricing_model", "qualification", "code", "current"]

    def filter_search(self, queryset, name, value):
        for term in value.lower().split():
            queryset = queryset.filter(Q(search_text__contains=term) | Q(category__synonyms__icontains=term))
        return queryset

    def filter_category(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_current(self, queryset, name, value):
        if value is True:
            return queryset.current()
        return queryset
