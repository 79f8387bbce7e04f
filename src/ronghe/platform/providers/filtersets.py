"""One FilterSet per model, serving both the HTML lists and the API (``?province=32&industry=36``).

Filters that look into offerings are combined into one ``IN (SELECT provider_id …)`` subquery so that
"serves Jiangsu" and "delivers item X" must hold for the same offering, and so that the directory never joins
(and duplicates) 500,000 offering rows.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.reference import industries, province_choices
from ronghe.platform.catalog.models import ServiceCategory, ServiceItem
from ronghe.platform.providers.models import (
    Certificate,
    Offering,
    OfferingProvince,
    ProviderProfile,
    qualification_choices,
)

# Bounds keep absurd numbers a 400 instead of an integer overflow inside the database driver.
_ID = {"min_value": 1, "max_value": 2**63 - 1}
_COUNT = {"min_value": 0, "max_value": 2**31 - 1}
_PRICE = {"min_value": 0, "max_value": 10**12}


def industry_choices() -> list[tuple[str, str]]:
    """GB/T 4754 divisions from the shipped reference table: validated without a query."""
    return [(r["code"], f"{r['code']} {r['name_zh']}") for r in industries()]


def _published_items() -> QuerySet:
    return ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).select_related("category")


def category_and_descendants(category: ServiceCategory) -> list[int]:
    """The category and every sub-category below it (the taxonomy is at most three levels deep)."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(ServiceCategory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def serves_province(province: str) -> Q:
    return Q(pk__in=OfferingProvince.objects.filter(province=province).values("offering_id"))


class OfferingFilterSet(filters.FilterSet):
    service_item = filters.ModelChoiceFilter(queryset=_published_items(), label=_("服务条目"))
    category = filters.ModelChoiceFilter(queryset=ServiceCategory.objects.all(), method="filter_category",
                                         label=_("服务类别"))
    province = filters.ChoiceFilter(choices=province_choices(), method="filter_province", label=_("服务省份"))
    industry = filters.ChoiceFilter(choices=industry_choices, field_name="industries", label=_("服务行业"))
    price_from = filters.NumberFilter(field_name="price_max", lookup_expr="gte", **_PRICE,
                                      label=_("预算下限（元）"), help_text="offerings whose price range reaches this")
    price_to = filters.NumberFilter(field_name="price_min", lookup_expr="lte", **_PRICE,
                                    label=_("预算上限（元）"), help_text="offerings that start at or below this")
    min_capacity = filters.NumberFilter(field_name="monthly_capacity", lookup_expr="gte", **_COUNT,
                                       label=_("最低月承接能力"))
    max_lead_time = filters.NumberFilter(field_name="lead_time_days", lookup_expr="lte", **_COUNT,
                                        label=_("最长启动周期（天）"))
    provider = filters.NumberFilter(field_name="provider_id", **_ID, label=_("服务商组织 ID"))
    is_active = filters.BooleanFilter(label=_("有效"))

    class Meta:
        model = Offering
        fields = ["service_item", "category", "province", "industry", "price_from", "price_to", "min_capacity",
                  "max_lead_time", "provider", "is_active"]

    def filter_category(self, queryset: QuerySet, name: str, value: ServiceCategory | None) -> QuerySet:
        return queryset.filter(category_id__in=category_and_descendants(value)) if value else queryset

    def filter_province(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(serves_province(value)) if value else queryset


class ProviderProfileFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("关键词"))
    located_in = filters.ChoiceFilter(field_name="organization__province", choices=province_choices(),
                                      label=_("所在省份"))
    # field_name only documents the type in the OpenAPI schema; filter_queryset applies these together
    service_item = filters.ModelChoiceFilter(queryset=_published_items(), method="filter_nothing",
                                             field_name="organization__offerings__service_item", label=_("服务条目"))
    category = filters.ModelChoiceFilter(queryset=ServiceCategory.objects.all(), method="filter_nothing",
                                         field_name="organization__offerings__category", label=_("服务类别"))
    province = filters.ChoiceFilter(choices=province_choices(), method="filter_nothing", label=_("服务省份"))
    industry = filters.ChoiceFilter(choices=industry_choices, method="filter_nothing",
                                    field_name="organization__offerings__industries", label=_("服务行业"))
    certificate_type = filters.ChoiceFilter(choices=qualification_choices, method="filter_by_code",
                                            label=_("资质类型"))
    verified_only = filters.BooleanFilter(method="filter_nothing", label=_("仅显示已核验且在有效期内的资质"))

    class Meta:
        model = ProviderProfile
        fields = ["q", "located_in", "service_item", "category", "province", "industry", "certificate_type",
                  "verified_only"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(organization__name__icontains=value) | Q(headline__icontains=value))

    def filter_by_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """A qualification registry code (typed for the schema); applied in ``filter_queryset`` with the rest."""
        return queryset

    def filter_nothing(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """Offering and certificate filters are applied together in ``filter_queryset``."""
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        offering_q = Q()
        if data.get("service_item"):
            offering_q &= Q(service_item=data["service_item"])
        if data.get("category"):
            offering_q &= Q(category_id__in=category_and_descendants(data["category"]))
        if data.get("province"):
            offering_q &= serves_province(data["province"])
        if data.get("industry"):
            offering_q &= Q(industries=data["industry"])
        if offering_q:
            offerings = Offering.objects.filter(offering_q, is_active=True).values("provider_id")
            queryset = queryset.filter(organization_id__in=offerings)
        cert_type, verified_only = data.get("certificate_type"), data.get("verified_only")
        if cert_type or verified_only:
            certs = Certificate.objects.all()
            if cert_type:
                certs = certs.filter(cert_type=cert_type)
            if verified_only:
                certs = certs.filter(verified=True, valid_to__gte=timezone.localdate())
            queryset = queryset.filter(organization_id__in=certs.values("provider_id"))
        return queryset


class CertificateFilterSet(filters.FilterSet):
    provider = filters.NumberFilter(field_name="provider_id", **_ID, label=_("服务商组织 ID"))
    cert_type = filters.ChoiceFilter(choices=qualification_choices, label=_("资质类型"))
    verified = filters.BooleanFilter(label=_("已核验"))
    valid = filters.BooleanFilter(method="filter_valid", label=_("在有效期内"))

    class Meta:
        model = Certificate
        fields = ["provider", "cert_type", "verified", "valid"]

    def filter_valid(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        today = timezone.localdate()
        in_date = Q(valid_from__lte=today, valid_to__gte=today)
        return queryset.filter(in_date) if value else queryset.exclude(in_date)
