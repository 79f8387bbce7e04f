"""Django admin for the operator: browse and inspect; edits still go through the services where it matters."""

from django.contrib import admin

from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile


@admin.register(ProviderProfile)
class ProviderProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "headline", "team_size", "founded_year", "updated_at"]
    search_fields = ["organization__name", "headline"]
    raw_id_fields = ["organization"]


class OfferingProvinceInline(admin.TabularInline):
    model = OfferingProvince
    extra = 0


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["provider", "service_item", "price_min", "price_max", "price_unit", "monthly_capacity",
                    "is_active"]
    list_filter = ["is_active", "price_unit", "category"]
    search_fields = ["provider__name", "service_item__code", "service_item__name_zh"]
    raw_id_fields = ["provider", "service_item"]
    readonly_fields = ["category", "provinces"]
    inlines = [OfferingProvinceInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["provider", "cert_type", "number", "issuer", "valid_to", "verified", "verified_by_org"]
    list_filter = ["cert_type", "verified"]
    search_fields = ["provider__name", "number", "issuer"]
    raw_id_fields = ["provider"]
    exclude = ["evidence"]  # private storage, no URL: download through the providers page instead
    readonly_fields = ["verified", "verified_by", "verified_by_org", "verified_at", "evidence_name",
                       "evidence_sha256"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["provider", "title", "year", "is_public"]
    search_fields = ["provider__name", "title"]
    raw_id_fields = ["provider", "service_item"]
