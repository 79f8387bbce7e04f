"""REST API of the demand app.

- ``/api/demand-lists/``: anyone lists and reads published lists (with aggregated demand on retrieve);
  associations and the operator create, edit drafts, ``POST /{id}/publish/`` and ``/close/``; manufacturers
  ``POST /{id}/join/``.
- ``/api/demands/``: lists carry summaries only, for everyone; ``GET /{id}/`` adds ``details`` when the user is
  entitled (``visibility``) and logs the access. The owner manufacturer creates and edits drafts, and
  ``POST /{id}/publish/``, ``/close/``, ``/cancel/``, ``/invite/``, ``/attachments/``; an invited provider
  ``POST /{id}/accept-nda/``; ``GET /{id}/attachments/{attachment_id}/`` streams a file to the entitled only.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.documents import KINDS as DOCUMENT_KINDS
from ronghe.platform.core.permissions import ReadOnlyForGovernment, org_ids
from ronghe.platform.core.rules import RulePermission
from ronghe.platform.demand import services
from ronghe.platform.demand.aggregates import demand_list_totals
from ronghe.platform.demand.downloads import serve_attachment
from ronghe.platform.demand.filtersets import DemandFilterSet, DemandListFilterSet
from ronghe.platform.demand.models import Confidentiality, Demand, DemandList
from ronghe.platform.demand.nda import NDA_VERSION
from ronghe.platform.demand.rules import demand_list_rules, demand_rules
from ronghe.platform.demand.visibility import present

# --- demand lists -------------------------------------------------------------------------------------------


class DemandListSerializer(serializers.ModelSerializer):
    items = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED),
        help_text="ids of published service item versions",
    )
    industry = serializers.PrimaryKeyRelatedField(queryset=Industry.objects.all(), help_text="GB/T 4754 division")
    province = serializers.ChoiceField(choices=province_choices())
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False,
        help_text="the association publishing the list (default: your association)",
    )

    class Meta:
        model = DemandList
        fields = ["id", "name", "organization", "industry", "province", "city", "pain_points", "items", "state",
                  "published_at", "closed_at", "created_at", "updated_at"]
        read_only_fields = ["state", "published_at", "closed_at", "created_at", "updated_at"]

    def create(self, validated_data: dict) -> DemandList:
        user = self.context["request"].user
        organization = validated_data.pop("organization", None) or _default_org(user, "association", "operator")
        return services.create_demand_list(user, organization, **validated_data)

    def update(self, instance: DemandList, validated_data: dict) -> DemandList:
        validated_data.pop("organization", None)
        return services.update_demand_list(self.context["request"].user, instance, **validated_data)


class DemandListItemTotalSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    name_zh = serializers.CharField()
    manufacturers = serializers.IntegerField(allow_null=True, help_text="null: fewer than 3 (suppressed)")
    quantity = serializers.IntegerField(allow_null=True, help_text="null: behind fewer than 3 manufacturers")


class DemandListProvinceTotalSerializer(serializers.Serializer):
    province = serializers.CharField()
    province_name = serializers.CharField()
    manufacturers = serializers.IntegerField(allow_null=True, help_text="null: fewer than 3 (suppressed)")


class DemandListTotalsSerializer(serializers.Serializer):
    manufacturers = serializers.IntegerField(allow_null=True, help_text="null: fewer than 3 (suppressed)")
    by_item = DemandListItemTotalSerializer(many=True)
    by_province = DemandListProvinceTotalSerializer(many=True)
    suppressed_below = serializers.IntegerField(
        allow_null=True, help_text="figures behind fewer manufacturers are null; null for the list's curators")


class DemandListDetailSerializer(DemandListSerializer):
    totals = serializers.SerializerMethodField()

    class Meta(DemandListSerializer.Meta):
        fields = [*DemandListSerializer.Meta.fields, "totals"]

    @extend_schema_field(DemandListTotalsSerializer)
    def get_totals(self, obj: DemandList) -> dict[str, Any]:
        return demand_list_totals(obj, self.context["request"].user)


class JoinEntrySerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**31, help_text="id of a service item on the list")
    quantity = serializers.IntegerField(default=1, min_value=1, max_value=1_000_000)
    notes = serializers.CharField(default="", allow_blank=True, max_length=500)


class JoinSerializer(serializers.Serializer):
    manufacturer = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind="manufacturer"), required=False,
        help_text="your manufacturer organization (default: the only one you belong to)",
    )
    entries = JoinEntrySerializer(many=True, allow_empty=True)


class JoinResultSerializer(serializers.Serializer):
    joined = serializers.IntegerField()
    totals = DemandListTotalsSerializer()


class LeaveSerializer(serializers.Serializer):
    manufacturer = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.MANUFACTURER), required=False,
        help_text="default: your manufacturer")


class LeaveResultSerializer(serializers.Serializer):
    removed = serializers.IntegerField()
    totals = DemandListTotalsSerializer()


class DemandListViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Industry demand lists (行业需求清单)."""

    filterset_class = DemandListFilterSet
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, ReadOnlyForGovernment, RulePermission]
    rules = demand_list_rules
    rule_actions = {"update": "change", "partial_update": "change", "publish": "publish", "close": "close",
                    "join": "join", "leave": "leave"}
    ordering_fields = ["created_at", "published_at", "name"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return (DemandList.objects.restrict(self.request.user, "view")
                .select_related("organization", "industry").prefetch_related("items"))

    def get_serializer_class(self):
        return DemandListDetailSerializer if self.action == "retrieve" else DemandListSerializer

    @extend_schema(request=None, responses=DemandListSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        demand_list = services.publish_demand_list(request.user, self.get_object())
        return Response(DemandListSerializer(demand_list, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=DemandListSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        demand_list = services.close_demand_list(request.user, self.get_object())
        return Response(DemandListSerializer(demand_list, context=self.get_serializer_context()).data)

    @extend_schema(request=JoinSerializer, responses=JoinResultSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str | None = None) -> Response:
        demand_list = self.get_object()
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        manufacturer = data.validated_data.get("manufacturer") or _default_org(request.user, "manufacturer")
        entries = [services.EntryInput(**e) for e in data.validated_data["entries"]]
        rows = services.join_demand_list(request.user, demand_list, manufacturer=manufacturer, entries=entries)
        return Response({"joined": len(rows), "totals": demand_list_totals(demand_list, request.user)})

    @extend_schema(request=LeaveSerializer, responses=LeaveResultSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw the manufacturer's every declaration from the list."""
        demand_list = self.get_object()
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        manufacturer = data.validated_data.get("manufacturer") or _default_org(request.user, "manufacturer")
        removed = services.leave_demand_list(request.user, demand_list, manufacturer=manufacturer)
        return Response({"removed": removed, "totals": demand_list_totals(demand_list, request.user)})


# --- demands ------------------------------------------------------------------------------------------------


class DemandItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    name_zh = serializers.CharField()
    category_code = serializers.CharField()
    category_name = serializers.CharField()


class DemandLineDetailSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    item_code = serializers.CharField()
    item_version = serializers.IntegerField()
    item_name = serializers.CharField()
    scope = serializers.CharField()
    quantity = serializers.IntegerField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    download_url = serializers.CharField()


class DemandDetailsSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    organization_name = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = DemandLineDetailSerializer(many=True)
    attachments = AttachmentSerializer(many=True)


class DemandSerializer(serializers.Serializer):
    """Output of every demand endpoint: built by ``visibility.present`` and nothing else."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    industry = serializers.CharField()
    industry_name = serializers.CharField()
    province = serializers.CharField()
    province_name = serializers.CharField()
    city = serializers.CharField()
    items = DemandItemSerializer(many=True)
    budget_band = serializers.CharField()
    budget_band_label = serializers.CharField()
    deadline = serializers.DateField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    confidentiality = serializers.CharField()
    confidentiality_label = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    attachment_count = serializers.IntegerField()
    entitled = serializers.BooleanField(help_text="whether ``details`` is filled for you")
    details = DemandDetailsSerializer(allow_null=True, help_text="null unless you are entitled (and in lists)")

    def to_representation(self, instance: Demand) -> dict[str, Any]:
        request = self.context.get("request")
        with_details = bool(self.context.get("with_details"))
        shown = present(instance, getattr(request, "user", None), "api", with_details=with_details)
        return super().to_representation(shown.as_dict())


class LineInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**31, help_text="id of a published service item version")
    scope = serializers.CharField(max_length=5000)
    quantity = serializers.IntegerField(default=1, min_value=1, max_value=1_000_000)


class DemandWriteSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind="manufacturer"), required=False,
        help_text="your manufacturer organization (default: the only one you belong to)",
    )
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    industry = serializers.CharField(max_length=2, help_text="GB/T 4754 manufacturing division, 13–43")
    province = serializers.ChoiceField(choices=province_choices())
    city = serializers.CharField(required=False, allow_blank=True, max_length=64)
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    deadline = serializers.DateField()
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices, default=Confidentiality.REGISTERED)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=64)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    lines = LineInputSerializer(many=True, allow_empty=True)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.pop("organization", None)
        if "lines" in data:
            data["lines"] = [services.LineInput(**line) for line in data["lines"]]
        return data


class InviteSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.filter(kind="provider"))


class AcceptNdaSerializer(serializers.Serializer):
    nda_version = serializers.CharField(default=NDA_VERSION, help_text="the version of the NDA text you accept")


class InvitationSerializer(serializers.Serializer):
    provider = serializers.IntegerField(source="provider_id")
    invited_at = serializers.DateTimeField()
    nda_version = serializers.CharField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV")


class DemandViewSet(viewsets.GenericViewSet):
    """Manufacturers' demands (需求): summaries for all, details for the entitled."""

    filterset_class = DemandFilterSet
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, ReadOnlyForGovernment, RulePermission]
    rules = demand_rules
    rule_actions = {"update": "change", "partial_update": "change", "publish": "publish", "close": "close",
                    "cancel": "cancel", "invite": "invite", "accept_nda": "accept_nda", "attachments": "attach"}
    ordering_fields = ["created_at", "published_at", "deadline"]  # never a confidential field
    ordering = ["-created_at"]
    serializer_class = DemandSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = Demand.objects.restrict(self.request.user, "view").for_listing()
        return queryset.prefetch_related("attachments") if self.action != "list" else queryset

    def _out(self, demand: Demand, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=demand.pk)
        context = self.get_serializer_context() | {"with_details": True}
        return Response(DemandSerializer(fresh, context=context).data, status=code)

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = DemandSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._out(self.get_object())

    @extend_schema(request=DemandWriteSerializer, responses={201: DemandSerializer})
    def create(self, request: Request) -> Response:
        data = DemandWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = data.validated_data.get("organization") or _default_org(request.user, "manufacturer")
        demand = services.create_demand(request.user, organization, **data.service_kwargs())
        return self._out(demand, status.HTTP_201_CREATED)

    @extend_schema(request=DemandWriteSerializer, responses=DemandSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=DemandWriteSerializer(partial=True), responses=DemandSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        demand = self.get_object()  # RulePermission: refused before any input is parsed
        data = DemandWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        demand = services.update_demand(request.user, demand, **data.service_kwargs())
        return self._out(demand)

    def _move(self, request: Request, transition) -> Response:
        demand = transition(request.user, self.get_object())
        return self._out(demand)

    @extend_schema(request=None, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, services.publish_demand)

    @extend_schema(request=None, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, services.close_demand)

    @extend_schema(request=None, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, services.cancel_demand)

    @extend_schema(request=InviteSerializer, responses={201: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        demand = self.get_object()
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invite_provider(request.user, demand, provider=data.validated_data["provider"])
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AcceptNdaSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], url_path="accept-nda")
    def accept_nda(self, request: Request, pk: str | None = None) -> Response:
        demand = self.get_object()
        data = AcceptNdaSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.accept_nda(request.user, demand, nda_version=data.validated_data["nda_version"])
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer(many=True)})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        demand = self.get_object()
        uploads = request.FILES.getlist("file")
        stored = services.add_attachments(request.user, demand, uploads=uploads)
        shown = present(self.get_queryset().get(pk=demand.pk), request.user, "api").details or {}
        ids = {a.pk for a in stored}
        rows = [a for a in shown.get("attachments", []) if a["id"] in ids]
        return Response(AttachmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={**{(200, kind.content_type): OpenApiTypes.BINARY for kind in DOCUMENT_KINDS},
                              404: OpenApiResponse(description="not found or not entitled")})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)",
            url_name="attachment-download")
    def attachment_download(self, request: Request, pk: str | None = None, attachment_id: str | None = None):
        return serve_attachment(request, self.get_object(), int(attachment_id), channel="api")


# --- helpers ------------------------------------------------------------------------------------------------


def _default_org(user: Any, *kinds: str) -> Organization:
    """The one organization of the given kinds the user belongs to; ambiguity is a 400, none a 403."""
    ids = org_ids(user, kinds=set(kinds))
    if not ids:
        raise PermissionDenied("您不属于可执行此操作的组织 (you belong to no organization that may do this)")
    if len(ids) > 1:
        raise serializers.ValidationError({"organization": ["请指定组织 (name the organization)"]})
    return Organization.objects.get(pk=ids[0])


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the platform router."""
    router.register("demand-lists", DemandListViewSet, basename="demand-lists")
    router.register("demands", DemandViewSet, basename="demands")
