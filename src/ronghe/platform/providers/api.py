"""REST API of the providers app: ``/api/providers/``, ``/api/offerings/``, ``/api/certificates/``.

Every query starts from ``restrict(user, "view")``; whether a user may change a row is ``providers.rules``
(``RulePermission``: 403 exactly where the service refuses), and every write goes through
``providers.services``. Evidence files never appear as a URL to anyone not entitled.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.api import service_errors
from ronghe.platform.core.downloads import serve_protected_file
from ronghe.platform.core.permissions import ReadOnlyForGovernment
from ronghe.platform.core.rules import RulePermission
from ronghe.platform.providers import rules as provider_rules
from ronghe.platform.providers import services
from ronghe.platform.providers.filtersets import (
    CertificateFilterSet,
    OfferingFilterSet,
    ProviderProfileFilterSet,
)
from ronghe.platform.providers.models import Certificate, Offering, ProviderProfile

_PROVIDER_ORGS = Organization.objects.filter(kind=Organization.Kind.PROVIDER)
_CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


class IndustryCodeField(serializers.PrimaryKeyRelatedField):
    """A GB/T 4754 division by its two-digit code, checked before any query (so stray bytes never reach SQL)."""

    def to_internal_value(self, data: Any) -> Industry:
        if not isinstance(data, str) or not re.fullmatch(r"\d{2}", data):
            raise serializers.ValidationError("GB/T 4754 行业大类代码须为两位数字 (a two-digit division code)")
        return super().to_internal_value(data)


def _user(serializer: serializers.Serializer) -> Any:
    return serializer.context["request"].user


class _CreateOnlyOwner:
    """The owning organization is chosen on create and fixed afterwards."""

    owner_field: str

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        if self.instance is not None:  # type: ignore[attr-defined]
            fields[self.owner_field].read_only = True
        return fields


class ProviderProfileSerializer(_CreateOnlyOwner, serializers.ModelSerializer):
    owner_field = "organization"
    organization = serializers.PrimaryKeyRelatedField(queryset=_PROVIDER_ORGS)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    province = serializers.CharField(source="organization.province", read_only=True)
    city = serializers.CharField(source="organization.city", read_only=True)
    is_synthetic = serializers.BooleanField(source="organization.is_synthetic", read_only=True)
    service_provinces = serializers.ListField(child=serializers.ChoiceField(choices=province_choices()),
                                              required=False)

    class Meta:
        model = ProviderProfile
        fields = ["id", "organization", "organization_name", "province", "city", "is_synthetic", "headline",
                  "description", "team_size", "founded_year", "service_provinces", "languages", *_CONTACT_FIELDS,
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance: ProviderProfile) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not provider_rules.can_view_contacts(_user(self), instance):  # the same predicate as the page
            for field in _CONTACT_FIELDS:
                data.pop(field, None)
        return data

    def create(self, validated_data: dict[str, Any]) -> ProviderProfile:
        org = validated_data.pop("organization")
        if ProviderProfile.objects.filter(organization=org).exists():
            raise serializers.ValidationError({"organization": "该服务商已有档案，请修改 (profile exists; update it)"})
        with service_errors():
            return services.save_profile(_user(self), org, **validated_data)

    def update(self, instance: ProviderProfile, validated_data: dict[str, Any]) -> ProviderProfile:
        with service_errors():
            return services.save_profile(_user(self), instance.organization, **validated_data)


class OfferingSerializer(_CreateOnlyOwner, serializers.ModelSerializer):
    owner_field = "provider"
    provider = serializers.PrimaryKeyRelatedField(queryset=_PROVIDER_ORGS)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    service_item = serializers.PrimaryKeyRelatedField(queryset=ServiceItem.objects.all())
    service_item_code = serializers.CharField(source="service_item.code", read_only=True)
    service_item_version = serializers.IntegerField(source="service_item.version", read_only=True)
    provinces = serializers.ListField(child=serializers.ChoiceField(choices=province_choices()), min_length=1)
    industries = IndustryCodeField(queryset=Industry.objects.all(), many=True, required=False)

    class Meta:
        model = Offering
        fields = ["id", "provider", "provider_name", "service_item", "service_item_code", "service_item_version",
                  "category", "price_min", "price_max", "price_unit", "monthly_capacity", "provinces",
                  "industries", "lead_time_days", "notes", "is_active", "created_at", "updated_at"]
        read_only_fields = ["category", "created_at", "updated_at"]

    def create(self, validated_data: dict[str, Any]) -> Offering:
        provider = validated_data.pop("provider")
        active = validated_data.pop("is_active", True)
        with service_errors():
            offering = services.add_offering(_user(self), provider, **validated_data)
            if not active:
                services.set_offering_active(_user(self), offering, active=False)
        return offering

    def update(self, instance: Offering, validated_data: dict[str, Any]) -> Offering:
        active = validated_data.pop("is_active", None)
        with service_errors():
            offering = services.update_offering(_user(self), instance, **validated_data)
            if active is not None and active != offering.is_active:
                services.set_offering_active(_user(self), offering, active=active)
        return offering


class CertificateSerializer(_CreateOnlyOwner, serializers.ModelSerializer):
    owner_field = "provider"
    provider = serializers.PrimaryKeyRelatedField(queryset=_PROVIDER_ORGS)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    is_expired = serializers.BooleanField(read_only=True)
    has_evidence = serializers.SerializerMethodField()
    evidence = serializers.FileField(write_only=True, required=False, allow_empty_file=False,
                                     help_text="PDF, PNG or JPEG; never returned as a URL")
    evidence_name = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "provider", "provider_name", "cert_type", "name", "number", "issuer", "scope",
                  "valid_from", "valid_to", "is_expired", "verified", "verified_at", "verified_by_org",
                  "rejected_at", "rejection_reason", "has_evidence", "evidence", "evidence_name", "evidence_url", "created_at", "updated_at"]
        read_only_fields = ["verified", "verified_at", "verified_by_org", "rejected_at", "created_at", "updated_at"]

    def _entitled(self, cert: Certificate) -> bool:
        return provider_rules.can_see_evidence(_user(self), cert)

    rejection_reason = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rejection_reason(self, cert: Certificate) -> str | None:
        """Why a verifier refused it: for the provider and the verifiers, like the evidence."""
        return cert.rejection_reason if cert.rejected_at and self._entitled(cert) else None

    def get_has_evidence(self, cert: Certificate) -> bool:
        return bool(cert.evidence)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_name(self, cert: Certificate) -> str | None:
        return cert.evidence_name if cert.evidence and self._entitled(cert) else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_url(self, cert: Certificate) -> str | None:
        if not (cert.evidence and self._entitled(cert)):
            return None
        return self.context["request"].build_absolute_uri(reverse("certificate-evidence", args=[cert.pk]))

    def create(self, validated_data: dict[str, Any]) -> Certificate:
        provider = validated_data.pop("provider")
        with service_errors():
            return services.add_certificate(_user(self), provider, **validated_data)

    def update(self, instance: Certificate, validated_data: dict[str, Any]) -> Certificate:
        with service_errors():
            return services.update_certificate(_user(self), instance, **validated_data)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="why the certificate is refused (shown to the provider)")


class _RestrictedViewSet(viewsets.GenericViewSet):
    """Rows are what ``restrict(user, "view")`` shows (others: 404); changing one asks the app's rule (403)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly, ReadOnlyForGovernment, RulePermission]
    rule_actions = {"update": "change", "partial_update": "change"}
    base_queryset: Any

    def get_queryset(self):
        return self.base_queryset.restrict(self.request.user, "view")


class ProviderProfileViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.ListModelMixin,
                             mixins.RetrieveModelMixin, _RestrictedViewSet):
    """Provider profiles (服务商档案): everyone reads; members of the provider organization write."""

    serializer_class = ProviderProfileSerializer
    rules = provider_rules.profile_rules
    filterset_class = ProviderProfileFilterSet
    ordering_fields = ["updated_at", "team_size", "founded_year"]
    base_queryset = ProviderProfile.objects.select_related("organization")


class OfferingViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, mixins.DestroyModelMixin, _RestrictedViewSet):
    """Offerings (服务供给). ``DELETE`` deactivates: deals and matches may still refer to the offering."""

    serializer_class = OfferingSerializer
    rules = provider_rules.offering_rules
    rule_actions = {"update": "change", "partial_update": "change", "destroy": "deactivate"}
    filterset_class = OfferingFilterSet
    ordering_fields = ["updated_at", "price_min", "price_max", "monthly_capacity", "lead_time_days"]
    base_queryset = Offering.objects.select_related("provider", "service_item").prefetch_related("industries")

    def perform_destroy(self, instance: Offering) -> None:
        services.set_offering_active(self.request.user, instance, active=False)


class CertificateViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, _RestrictedViewSet):
    """Qualifications and certificates (资质证书); ``verify`` is for certifiers, associations and the operator."""

    serializer_class = CertificateSerializer
    rules = provider_rules.certificate_rules
    # verify/reject: the service asks the same rule and says 403 (not a verifier) or 400 (expired, done already)
    filterset_class = CertificateFilterSet
    ordering_fields = ["valid_to", "updated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    base_queryset = Certificate.objects.select_related("provider")

    @extend_schema(request=None, responses={200: CertificateSerializer, 400: OpenApiResponse(description="expired"),
                                            403: OpenApiResponse(description="not a verifier")})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, ReadOnlyForGovernment])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Mark the certificate verified (核验). The provider itself can never verify its own."""
        with service_errors():
            cert = services.verify_certificate(request.user, self.get_object())
        return Response(self.get_serializer(cert).data, status=status.HTTP_200_OK)

    @extend_schema(request=RejectSerializer, responses={
        200: CertificateSerializer, 400: OpenApiResponse(description="no reason, or not pending"),
        403: OpenApiResponse(description="not a verifier")})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, ReadOnlyForGovernment])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Refuse a pending certificate (驳回) with a reason; the provider edits it to ask again."""
        with service_errors():
            cert = services.reject_certificate(request.user, self.get_object(),
                                               reason=str(request.data.get("reason", "")))
        return Response(self.get_serializer(cert).data, status=status.HTTP_200_OK)

    @extend_schema(responses={**{(200, media): OpenApiTypes.BINARY for media in sorted(services.EVIDENCE_TYPES)},
                              404: OpenApiResponse(description="no file, or not entitled")})
    @action(detail=True, methods=["get"], url_name="evidence")
    def evidence(self, request: Request, pk: str | None = None):
        """Download the evidence file: owner organization and verifiers only; every download is logged."""
        cert = self.get_object()
        return serve_protected_file(request, cert, cert.evidence, provider_rules.can_see_evidence, channel="api")


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the platform router."""
    router.register("providers", ProviderProfileViewSet, basename="providerprofile")
    router.register("offerings", OfferingViewSet, basename="offering")
    router.register("certificates", CertificateViewSet, basename="certificate")
