"""One FilterSet per model for the HTML lists and the API.

The demand search never looks into confidential text unless the asking user is entitled to it
(``visibility.search_q``); there is deliberately no filter by buyer organization, which is confidential.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.models import Industry
from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.core.permissions import org_ids
from ronghe.platform.demand.models import Confidentiality, Demand, DemandLine, DemandList, DemandState
from ronghe.platform.demand.visibility import BUDGET_BANDS, search_q


def _user(filterset: django_filters.FilterSet):
    request = getattr(filterset, "request", None)
    return getattr(request, "user", None)


class DemandListFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("关键词"))
    industry = django_filters.ModelChoiceFilter(queryset=Industry.objects.filter(section="C"), label=_("行业"))
    province = django_filters.ChoiceFilter(choices=province_choices(), label=_("省份"))
    state = django_filters.ChoiceFilter(choices=DemandList.State.choices, label=_("状态"))

    class Meta:
        model = DemandList
        fields = ["search", "industry", "province", "state"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(pain_points__icontains=value))


class DemandFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("关键词"))
    industry = django_filters.ModelChoiceFilter(queryset=Industry.objects.filter(section="C"), label=_("行业"))
    province = django_filters.ChoiceFilter(choices=province_choices(), label=_("省份"))
    category = django_filters.CharFilter(method="filter_category", label=_("服务类别代码"))
    state = django_filters.ChoiceFilter(choices=DemandState.choices, label=_("状态"))
    confidentiality = django_filters.ChoiceFilter(choices=Confidentiality.choices, label=_("保密级别"))
    budget_band = django_filters.ChoiceFilter(
        choices=[(code, label) for code, _upper, label in BUDGET_BANDS], label=_("预算区间")
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("仅本企业"))

    class Meta:
        model = Demand
        fields = ["search", "industry", "province", "category", "state", "confidentiality", "budget_band", "mine"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(search_q(_user(self), value))

    def filter_category(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # NBS codes nest by prefix (大类 02 → 中类 021), so a prefix selects a category with all below it
        lines = DemandLine.objects.filter(item__category__code__startswith=value, demand=OuterRef("pk"))
        return queryset.filter(Exists(lines))

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        mine = org_ids(_user(self)) if getattr(_user(self), "is_authenticated", False) else []
        return queryset.filter(organization__in=mine) if value else queryset.exclude(organization__in=mine)
