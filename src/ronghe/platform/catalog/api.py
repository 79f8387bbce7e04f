"""REST API of the catalog: categories (read-only) and versioned service items with curator actions.

Writes go through :mod:`ronghe.platform.catalog.services`; who may act is ``catalog.rules`` (``RulePermission``:
403 exactly where the service refuses the actor), the wrong state is the service's ``ValidationError`` (400 via
``core.api``). One answer stays special and is documented by ``test_api``: a published item answers 409 to an
update, because it is never edited in place (``POST …/{id}/revise/`` creates the next version).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ronghe.platform.catalog import services
from ronghe.platform.catalog.filtersets import ServiceCategoryFilterSet, ServiceItemFilterSet
from ronghe.platform.catalog.models import ServiceCategory, ServiceItem
from ronghe.platform.catalog.rules import item_rules
from ronghe.platform.core.permissions import ReadOnlyForGovernment
from ronghe.platform.core.rules import RulePermission


class PublishedItemConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = ("已发布的条目不能直接修改，请用 POST …/{id}/revise/ 创建新版本 "
                      "(a published item is never edited in place: revise it to create a new version)")
    default_code = "published_item_immutable"


class ServiceCategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    synonyms = serializers.ListField(child=serializers.CharField(), source="synonym_list", read_only=True)
    divisions = serializers.ListField(child=serializers.CharField(), source="division_list", read_only=True)

    class Meta:
        model = ServiceCategory
        fields = ["id", "code", "level", "parent", "name_zh", "name_en", "divisions", "synonyms"]


class SlaRowSerializer(serializers.Serializer):
    metric = serializers.CharField(max_length=100)
    target = serializers.CharField(max_length=100)


class ServiceItemSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=ServiceCategory.objects.filter(level=2))
    category_name = serializers.CharField(source="category.name_zh", read_only=True)
    deliverables = serializers.ListField(child=serializers.CharField(max_length=300), max_length=50)
    acceptance_criteria = serializers.ListField(child=serializers.CharField(max_length=300), max_length=50)
    sla = SlaRowSerializer(many=True, required=False)
    kpis = serializers.ListField(child=serializers.CharField(max_length=200), max_length=50, required=False)
    required_qualifications = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=30, required=False
    )
    is_current = serializers.BooleanField(read_only=True)
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = ServiceItem
        fields = [
            "id", "code", "version", "status", "is_current", "category", "category_name", "name_zh", "name_en",
            "scope", "deliverables", "acceptance_criteria", "sla", "value_outputs", "kpis", "pricing_model",
            "duration_days_min", "duration_days_max", "required_qualifications", "keywords", "change_note",
            "curated_by", "supersedes", "superseded_by", "published_at", "retired_at", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "code", "version", "status", "curated_by", "supersedes", "published_at",
                            "retired_at", "created_at", "updated_at"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, item: ServiceItem) -> int | None:
        successor = getattr(item, "superseded_by", None)
        return successor.pk if successor is not None else None


def _content(data: dict) -> dict:
    return {k: v for k, v in data.items() if k in services.CONTENT_FIELDS}


@extend_schema(tags=["catalog"])
class ServiceCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The NBS producer-services taxonomy (大类 and 中类)."""

    queryset = ServiceCategory.objects.select_related("parent")
    serializer_class = ServiceCategorySerializer
    filterset_class = ServiceCategoryFilterSet
    ordering_fields = ["code"]


@extend_schema(tags=["catalog"])
class ServiceItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Standardized service items, every version; drafts only for their curators."""

    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilterSet
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, ReadOnlyForGovernment, RulePermission]
    rules = item_rules
    rule_actions = {"update": "curate", "partial_update": "curate", "publish": "curate", "revise": "curate",
                    "retire": "curate"}  # who; the state is the service's answer (400, or 409 for an edit)
    ordering_fields = ["code", "version", "published_at"]

    def get_queryset(self):
        return (ServiceItem.objects.restrict(self.request.user, "view")
                .select_related("category", "category__parent", "superseded_by").order_by("code", "-version"))

    def perform_create(self, serializer):
        data = _content(serializer.validated_data)
        data["category"] = data["category"].code
        serializer.instance = services.create_item_draft(self.request.user, None, **data)

    @extend_schema(responses={200: ServiceItemSerializer, 409: OpenApiResponse(description="published item")})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(responses={200: ServiceItemSerializer, 409: OpenApiResponse(description="published item")})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer):
        data = _content(serializer.validated_data)
        if "category" in data:
            data["category"] = data["category"].code
        try:
            serializer.instance = services.update_item_draft(self.request.user, serializer.instance, **data)
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == services.IMMUTABLE:
                raise PublishedItemConflict() from exc
            raise

    @extend_schema(request=None, responses={200: ServiceItemSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft; if it revises an earlier version, that one stops being current."""
        item = services.publish_item(request.user, self.get_object())
        return Response(self.get_serializer(self._fresh(item)).data)

    @extend_schema(request=ServiceItemSerializer(partial=True), responses={201: ServiceItemSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Create the next version as a draft, with the posted fields changed; the published row stays."""
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = _content(serializer.validated_data)
        if "category" in changes:
            changes["category"] = changes["category"].code
        draft = services.revise_item(request.user, item, **changes)
        return Response(self.get_serializer(self._fresh(draft)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ServiceItemSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Withdraw the current version from the catalog."""
        item = services.retire_item(request.user, self.get_object())
        return Response(self.get_serializer(self._fresh(item)).data)

    def _fresh(self, item: ServiceItem) -> ServiceItem:
        return ServiceItem.objects.select_related("category", "superseded_by").get(pk=item.pk)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the platform router."""
    router.register("catalog/categories", ServiceCategoryViewSet, basename="catalog-category")
    router.register("catalog/items", ServiceItemViewSet, basename="catalog-item")
