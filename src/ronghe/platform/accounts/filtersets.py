"""One FilterSet for the organization directory page and ``/api/organizations/``."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.reference import province_choices


class OrganizationFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("名称"))
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label=_("类型"))
    province = django_filters.ChoiceFilter(choices=province_choices(), label=_("省份"))
    industry = django_filters.ModelChoiceFilter(
        field_name="industries", queryset=Industry.objects.all(), label=_("行业"),
    )

    class Meta:
        model = Organization
        fields = ["search", "kind", "province", "industry"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value))
