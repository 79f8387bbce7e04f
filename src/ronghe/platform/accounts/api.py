"""REST API of the accounts app: the public organization directory, self-service registration, profile edits.

- ``GET /api/organizations/`` and ``/{id}/``: anyone (public profile only; members are not listed).
- ``POST /api/organizations/``: a signed-in user registers an organization of a self-service kind and
  becomes its admin (``register_organization``).
- ``PUT``/``PATCH /api/organizations/{id}/``: that organization's admins and the operator (rule ``change``:
  403 exactly where ``update_organization`` refuses).
- No ``DELETE``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.routers import BaseRouter

from ronghe.platform.accounts import services
from ronghe.platform.accounts.filtersets import OrganizationFilterSet
from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.reference import provinces
from ronghe.platform.accounts.rules import organization_rules
from ronghe.platform.core.api import service_errors
from ronghe.platform.core.permissions import ReadOnlyForGovernment
from ronghe.platform.core.rules import RulePermission


class OrganizationSerializer(serializers.ModelSerializer):
    industries = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Industry.objects.all(),
        help_text="GB/T 4754-2017 division codes",
    )
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    province_name = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "name_en", "kind", "credit_code", "province", "province_name", "city",
                  "industries", "description", "website", "is_synthetic", "created_at", "updated_at"]
        read_only_fields = ["is_synthetic", "created_at", "updated_at"]
        extra_kwargs = {"credit_code": {"validators": []}}  # the service reports a taken code

    @extend_schema_field(serializers.CharField())
    def get_province_name(self, org: Organization) -> str:
        province = provinces().get(org.province)
        return province.name_zh if province else ""

    def validate_kind(self, value: str) -> str:
        if self.instance is None and value not in services.SELF_SERVICE_KINDS:
            raise serializers.ValidationError(
                "平台运营方和政府账户由运营方创建 (operator and government organizations are created by the operator)"
            )
        if self.instance is not None and value != self.instance.kind:
            raise serializers.ValidationError("组织类型不能修改 (the kind of an organization cannot change)")
        return value

    def create(self, validated_data: dict) -> Organization:
        with service_errors():
            return services.register_organization(self.context["request"].user, **validated_data)

    def update(self, instance: Organization, validated_data: dict) -> Organization:
        validated_data.pop("kind", None)
        with service_errors():
            return services.update_organization(self.context["request"].user, instance, **validated_data)


class OrganizationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The organization directory (组织名录): public profiles; admins edit their own."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, ReadOnlyForGovernment, RulePermission]
    rules = organization_rules
    rule_actions = {"update": "change", "partial_update": "change"}
    ordering_fields = ["name", "created_at", "province"]
    ordering = ["name"]

    def get_queryset(self):
        # Profiles are public, so a refused edit is a 403 (the rule), not a 404.
        return (Organization.objects.restrict(self.request.user, "view")
                .prefetch_related(Prefetch("industries", queryset=Industry.objects.only("code"))))


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the platform router."""
    router.register("organizations", OrganizationViewSet, basename="organization")
