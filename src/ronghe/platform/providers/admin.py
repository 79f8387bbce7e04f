"""Django admin for the operator: read-only windows on the providers' tables; the only writes are actions that
call the services (verify a certificate, deactivate an offering), recorded on the audit chain like any other."""

from django.contrib import admin

from ronghe.platform.core.admin import ReadOnlyAdmin, ReadOnlyInline, service_action
from ronghe.platform.providers import services
from ronghe.platform.providers.models import (
    Case,
    Certificate,
    Offering,
    OfferingProvince,
    ProviderEvent,
    ProviderProfile,
)


@admin.register(ProviderProfile)
class ProviderProfileAdmin(ReadOnlyAdmin):
    list_display = ["organization", "headline", "team_size", "founded_year", "updated_at"]
    search_fields = ["organization__name", "headline"]
    raw_id_fields = ["organization"]


class OfferingProvinceInline(ReadOnlyInline):
    model = OfferingProvince


@admin.register(Offering)
class OfferingAdmin(ReadOnlyAdmin):
    list_display = ["provider", "service_item", "price_min", "price_max", "price_unit", "monthly_capacity",
                    "is_active"]
    list_filter = ["is_active", "price_unit", "category"]
    search_fields = ["provider__name", "service_item__code", "service_item__name_zh"]
    raw_id_fields = ["provider", "service_item"]
    inlines = [OfferingProvinceInline]
    actions = [service_action(services.deactivate_offering, "停用所选服务 (deactivate)",
                              "已停用 {n} 项服务 (deactivated {n})")]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["provider", "cert_type", "number", "issuer", "valid_to", "verified", "verified_by_org",
                    "rejected_at"]
    list_filter = ["cert_type", "verified"]
    search_fields = ["provider__name", "number", "issuer"]
    raw_id_fields = ["provider"]
    exclude = ["evidence"]  # private storage, no URL: download through the providers page instead
    actions = [service_action(services.verify_certificate, "核验所选证书 (verify)",
                              "已核验 {n} 份证书 (verified {n})")]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["provider", "title", "year", "is_public"]
    search_fields = ["provider__name", "title"]
    raw_id_fields = ["provider", "service_item"]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "provider", "kind", "user", "data", "note"]
    list_filter = ["kind"]
    search_fields = ["provider__name"]
    raw_id_fields = ["provider"]
