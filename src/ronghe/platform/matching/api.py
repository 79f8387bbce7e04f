"""The matching API (stable interfaces of issue 8).

- ``GET /api/demands/{id}/matches/?limit=20&method=fusion`` → ``[{"provider", "score", "reasons", "constraints",
  …}]``: the demand's owner organization and the operator only (404 if the demand is not visible at all, 403
  if visible but not yours);
- ``GET /api/providers/{id}/feed/?limit=20`` → ranked demands that provider may see and can serve (the
  provider's members and the operator), summaries only;
- ``POST /api/demand-lists/{id}/assign/`` ``{"per_demand": k, "apply": false, "fairness": 0.02}`` → the
  assignment with totals and fairness figures; ``"apply": true`` sends the invitations (list association or
  operator).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ronghe.platform.core.api import service_errors
from ronghe.platform.matching import services

LIMIT = OpenApiParameter("limit", int, description="1–100 (default 20)")
METHOD = OpenApiParameter("method", str, enum=["bm25", "embed", "fusion"], description="default fusion")
DEMAND_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="demand id")
PROVIDER_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="provider organization id")
LIST_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="demand list id")


class MatchSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    provider_name = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    constraints = serializers.DictField(child=serializers.CharField())
    explanation = serializers.DictField()
    offering = serializers.IntegerField(allow_null=True)


class FeedEntrySerializer(serializers.Serializer):
    demand = serializers.IntegerField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    matched_terms = serializers.ListField(child=serializers.CharField())
    factors = serializers.ListField(child=serializers.DictField())
    summary = serializers.DictField()


class AssignRequestSerializer(serializers.Serializer):
    per_demand = serializers.IntegerField(min_value=1, max_value=20, default=5)
    apply = serializers.BooleanField(default=False)
    fairness = serializers.FloatField(min_value=0, max_value=1, default=0.02)


AssignmentResponse = inline_serializer("AssignmentResult", {
    "per_demand": serializers.IntegerField(), "fairness": serializers.FloatField(),
    "totals": serializers.DictField(), "assignments": serializers.ListField(child=serializers.DictField()),
    "applied": serializers.BooleanField(), "assignment": serializers.IntegerField(required=False),
})


def _params(request: Request) -> dict:
    return {"limit": request.query_params.get("limit", 20), "method": request.query_params.get("method", "fusion")}


class DemandMatchesViewSet(viewsets.ViewSet):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[DEMAND_PK, LIMIT, METHOD], responses={200: MatchSerializer(many=True)}, tags=["matching"],
                   summary="Providers that fit a demand, ranked and explained")
    def list(self, request: Request, id: str) -> Response:
        from ronghe.platform.demand.models import Demand
        from ronghe.platform.demand.visibility import summary_q

        demand = get_object_or_404(Demand.objects.filter(summary_q(request.user)), pk=_pk(id))
        with service_errors():
            data = services.demand_matches(request.user, demand, **_params(request))
        return Response(data["matches"])


class ProviderFeedViewSet(viewsets.ViewSet):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[PROVIDER_PK, LIMIT, METHOD], responses={200: FeedEntrySerializer(many=True)},
                   tags=["matching"], summary="Demands a provider may see and can serve, ranked")
    def list(self, request: Request, id: str) -> Response:
        from ronghe.platform.accounts.models import Organization

        provider = get_object_or_404(Organization.objects.filter(kind=Organization.Kind.PROVIDER), pk=_pk(id))
        with service_errors():
            data = services.provider_feed(request.user, provider, **_params(request))
        return Response(data["feed"])


class DemandListAssignViewSet(viewsets.ViewSet):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[LIST_PK], request=AssignRequestSerializer, responses={200: AssignmentResponse},
                   tags=["matching"],
                   summary="Capacity-aware batch assignment of a demand list (preview, or apply)")
    def create(self, request: Request, id: str) -> Response:
        from ronghe.platform.demand.models import DemandList

        demand_list = get_object_or_404(DemandList.objects.restrict(request.user, "view"), pk=_pk(id))
        body = AssignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        args = {"per_demand": body.validated_data["per_demand"], "fairness": body.validated_data["fairness"]}
        with service_errors():
            if body.validated_data["apply"]:
                row = services.apply_assignment(request.user, demand_list, **args)
                return Response({**row.result, "applied": True, "assignment": row.pk})
            return Response(services.preview_assignment(request.user, demand_list, **args))


def _pk(value: str) -> int:
    from django.http import Http404

    if not value.isdigit():
        raise Http404
    return int(value)


def register(router: BaseRouter) -> None:
    router.register(r"demands/(?P<id>[^/.]+)/matches", DemandMatchesViewSet, basename="demand-matches")
    router.register(r"providers/(?P<id>[^/.]+)/feed", ProviderFeedViewSet, basename="provider-feed")
    router.register(r"demand-lists/(?P<id>[^/.]+)/assign", DemandListAssignViewSet,
                    basename="demand-list-assign")
