"""REST API of a deal, with the pages' permissions (``deals.rules``) and the pages' shapes (``deals.present``).

- ``/api/rfqs/``: list and read what you may see; ``POST`` opens bidding on your published demand;
  ``POST /{id}/cancel/``; ``GET /{id}/comparison/`` (buyer, after the opening); ``POST /{id}/award/``.
- ``/api/bids/``: your own bids (and, after the opening, what you are entitled to); ``POST`` submits or revises
  your bid (JSON, or multipart with ``documents`` files); ``POST /{id}/withdraw/``.
- ``/api/contracts/``: the parties'; ``POST /{id}/edit/``, ``/sign/``, ``/cancel/``.
- ``/api/milestones/``: ``POST /{id}/fund/``, ``/submit/``, ``/accept/``, ``/reject/``, ``/release/``,
  ``/dispute/``. ``fund`` and ``release`` move money: send an ``Idempotency-Key`` header and a retry is
  answered with the first answer.
- ``/api/disputes/``: ``POST /{id}/resolve/`` (the arbitrator; moves money, so ``Idempotency-Key`` too).
- ``/api/ratings/``: ratings of completed contracts; ``POST`` rates the other side once.
- ``/api/ocds/releases/``, ``/api/ocds/records/{ocid}/``: OCDS 1.1 packages of public data (``deals.ocds``).
"""

from __future__ import annotations

import functools
import json

from django.db import IntegrityError, transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ronghe.platform.accounts.models import Organization
from ronghe.platform.core import audit
from ronghe.platform.core.parsers import GuardedJSONParser
from ronghe.platform.core.permissions import ReadOnlyForGovernment
from ronghe.platform.core.rules import RulePermission
from ronghe.platform.deals import ocds, present, services
from ronghe.platform.deals.models import (
    RFQ,
    Bid,
    Contract,
    Dispute,
    IdempotentResponse,
    Lot,
    Milestone,
    Rating,
    Visibility,
)
from ronghe.platform.deals.rules import bid_rules, contract_rules, dispute_rules, milestone_rules, rfq_rules
from ronghe.platform.demand.models import Demand

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="any unique string (≤128 chars); a retry with the same key gets the first answer, and moves no money")


def idempotent(view_method):
    """Repeat the first answer to a retry with the same ``Idempotency-Key`` (per user), even a parallel one.

    The key's row is inserted first, inside the write's transaction: a parallel request with the same key waits
    on the unique index until the first commits, then reads its answer. A refused write rolls the row back too,
    so its retry runs again (and is refused again).
    """

    @functools.wraps(view_method)
    def wrapper(self, request: Request, *args, **kwargs):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 128:
            raise serializers.ValidationError({"Idempotency-Key": ["至多 128 个字符 (at most 128 characters)"]})
        try:
            with transaction.atomic():
                row = IdempotentResponse.objects.create(user=request.user, key=key, method=request.method,
                                                        path=request.path[:300], status=0)
                response = view_method(self, request, *args, **kwargs)
                row.status, row.body = response.status_code, audit.jsonable(response.data)
                row.save(update_fields=["status", "body"])
                return response
        except IntegrityError:
            first = IdempotentResponse.objects.filter(user=request.user, key=key).first()
            if first is None or first.status == 0:
                raise
            if first.path != request.path[:300] or first.method != request.method:
                raise serializers.ValidationError({"Idempotency-Key": [
                    "该键已用于另一请求 (this key was used for another request)"]}) from None
            replay = Response(first.body, status=first.status)
            replay["Idempotent-Replayed"] = "true"
            return replay

    return wrapper


def _documents(request: Request) -> list[services.DocumentInput]:
    visibility = request.data.get("visibility") or Visibility.PARTIES
    reason = request.data.get("visibility_reason") or ""
    return [services.DocumentInput(f, str(visibility), str(reason)) for f in request.FILES.getlist("documents")]


class _Base(viewsets.GenericViewSet):
    filter_backends: list = []  # no filtering or ordering: nothing a sealed field could be sorted by
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, ReadOnlyForGovernment, RulePermission]
    parser_classes = [GuardedJSONParser, MultiPartParser, FormParser]
    presenter = staticmethod(lambda obj, user: {})

    def _out(self, obj, code: int = status.HTTP_200_OK) -> Response:
        obj = type(obj).objects.get(pk=obj.pk)
        return Response(audit.jsonable(self.presenter(obj, self.request.user)), status=code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([audit.jsonable(self.presenter(o, request.user)) for o in page])

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._out(self.get_object())


# --- RFQs ----------------------------------------------------------------------------------------------------


class RFQCreateSerializer(serializers.Serializer):
    demand = serializers.IntegerField(min_value=1, max_value=2**31)
    bid_deadline = serializers.DateTimeField()
    access = serializers.ChoiceField(choices=RFQ.Access.choices, default=RFQ.Access.OPEN)
    invited = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31), default=list)
    show_bid_count = serializers.BooleanField(default=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AwardSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=1, max_value=2**31)
    bid = serializers.IntegerField(min_value=1, max_value=2**31)
    reason = serializers.CharField(max_length=2000)


class RFQViewSet(_Base):
    """询价/招标 (RFQs)."""

    rules = rfq_rules
    rule_actions = {"cancel": "cancel", "award": "award", "comparison": "compare"}
    presenter = staticmethod(present.rfq)

    def get_queryset(self):
        return RFQ.objects.restrict(self.request.user).select_related("organization").order_by("-id")

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="rfqs_list")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=RFQCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        data = RFQCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        demand = Demand.objects.restrict(request.user).filter(pk=v["demand"]).first()
        if demand is None:
            raise serializers.ValidationError({"demand": ["没有这个需求 (no such demand)"]})
        invited = list(Organization.objects.filter(pk__in=v["invited"]))
        rfq = services.open_rfq(request.user, demand, bid_deadline=v["bid_deadline"], access=v["access"],
                                invited=invited, show_bid_count=v["show_bid_count"], title=v.get("title", ""))
        return self._out(rfq, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._out(services.cancel_rfq(request.user, self.get_object()))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated, RulePermission])
    def comparison(self, request: Request, pk: str | None = None) -> Response:
        rfq = self.get_object()
        rfq_rules.require(request.user, "compare", rfq)
        return Response(audit.jsonable({"rfq": rfq.pk, "bids": present.comparison(rfq, request.user)}))

    @extend_schema(request=AwardSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def award(self, request: Request, pk: str | None = None) -> Response:
        rfq = self.get_object()
        data = AwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = Lot.objects.filter(rfq=rfq, pk=data.validated_data["lot"]).first()
        if lot is None:
            raise serializers.ValidationError({"lot": ["标段不属于该招标 (no such lot)"]})
        services.award_lot(request.user, lot, bid=data.validated_data["bid"], reason=data.validated_data["reason"])
        return self._out(rfq)


# --- bids ----------------------------------------------------------------------------------------------------


class BidSubmitSerializer(serializers.Serializer):
    rfq = serializers.IntegerField(min_value=1, max_value=2**31)
    prices = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0),
                                   help_text='{"<lot id>": "123456.00", …}')
    plan = serializers.CharField(max_length=10000)
    team = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    provider = serializers.IntegerField(required=False, min_value=1, max_value=2**31)


class BidViewSet(_Base):
    """投标 (bids): sealed until the opening — nobody but the bidder sees one, or counts them."""

    rules = bid_rules
    rule_actions = {"withdraw": "withdraw"}
    presenter = staticmethod(present.bid)

    def get_queryset(self):
        return Bid.objects.restrict(self.request.user).select_related("rfq", "provider", "current").order_by("id")

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="bids_list")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=BidSubmitSerializer, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        raw = request.data
        if hasattr(raw, "getlist") and isinstance(raw.get("prices"), str):  # multipart: prices as a JSON string
            raw = {k: raw.get(k) for k in raw}
            try:
                raw["prices"] = json.loads(raw["prices"])
            except ValueError:
                raise serializers.ValidationError({"prices": ["须为 JSON 对象 (a JSON object)"]}) from None
        data = BidSubmitSerializer(data=raw)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rfq = RFQ.objects.restrict(request.user).filter(pk=v["rfq"]).first()
        if rfq is None:
            raise serializers.ValidationError({"rfq": ["没有这个招标 (no such RFQ)"]})
        provider = Organization.objects.filter(pk=v["provider"]).first() if v.get("provider") else None
        bid = services.submit_bid(request.user, rfq, prices=v["prices"], plan=v["plan"], team=v["team"],
                                  documents=_documents(request), provider=provider)
        return self._out(bid, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._out(services.withdraw_bid(request.user, self.get_object()))


# --- contracts -----------------------------------------------------------------------------------------------


class MilestoneEditSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    due_date = serializers.DateField()
    deliverables = serializers.ListField(child=serializers.CharField(max_length=500), default=list)
    acceptance_criteria = serializers.ListField(child=serializers.CharField(max_length=500), default=list)


class ContractEditSerializer(serializers.Serializer):
    terms = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    milestones = MilestoneEditSerializer(many=True, required=False)


class SignSerializer(serializers.Serializer):
    text_sha256 = serializers.CharField(max_length=80, help_text="the text_sha256 of the contract you read")


class ContractViewSet(_Base):
    """合同 (contracts): the two parties, the operator and, during a dispute, the arbitrating association."""

    rules = contract_rules
    rule_actions = {"edit": "edit", "sign": "sign", "cancel": "cancel", "documents": "attach"}
    presenter = staticmethod(present.contract)

    def get_queryset(self):
        return Contract.objects.restrict(self.request.user).select_related("rfq", "buyer", "provider").order_by("-id")

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="contracts_list")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=ContractEditSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        data = ContractEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rows = ([services.MilestoneInput(**m) for m in v["milestones"]] if "milestones" in v else None)
        return self._out(services.update_contract(request.user, contract, milestones=rows, terms=v.get("terms")))

    @extend_schema(request=SignSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(services.sign_contract(request.user, contract, text_sha256=data.validated_data["text_sha256"]))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._out(services.cancel_contract(request.user, self.get_object()))

    @extend_schema(request={"multipart/form-data": OpenApiTypes.OBJECT}, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request: Request, pk: str | None = None) -> Response:
        """Add annexes (multipart ``documents`` files, ``visibility``, ``visibility_reason``)."""
        contract = self.get_object()
        stored = services.attach_contract_documents(request.user, contract, documents=_documents(request))
        return Response(audit.jsonable([present.document(d, request.user) for d in stored]),
                        status=status.HTTP_201_CREATED)


# --- milestones ----------------------------------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MilestoneViewSet(_Base):
    """履约节点 (milestones): delivery, acceptance and the 「模拟支付」 payment states."""

    rules = milestone_rules
    rule_actions = {"fund": "fund", "submit": "submit", "accept": "accept", "reject": "reject",
                    "release": "release", "dispute": "dispute"}
    presenter = staticmethod(present.milestone)

    def get_queryset(self):
        return (Milestone.objects.filter(contract__in=Contract.objects.restrict(self.request.user))
                .select_related("contract__rfq").order_by("id"))

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="milestones_list")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, parameters=[IDEMPOTENCY_HEADER])
    @action(detail=True, methods=["post"])
    @idempotent
    def fund(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        services.fund_milestone(request.user, milestone)
        return self._out(milestone)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, parameters=[IDEMPOTENCY_HEADER])
    @action(detail=True, methods=["post"])
    @idempotent
    def release(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        services.release_payment(request.user, milestone)
        return self._out(milestone)

    @extend_schema(request={"multipart/form-data": OpenApiTypes.OBJECT}, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        services.submit_milestone(request.user, milestone, note=str(request.data.get("note") or "")[:2000],
                                  documents=_documents(request))
        return self._out(milestone)

    @extend_schema(request=ReasonSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.accept_milestone(request.user, milestone, reason=data.validated_data["reason"])
        return self._out(milestone)

    @extend_schema(request=ReasonSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reject_milestone(request.user, milestone, reason=data.validated_data["reason"])
        return self._out(milestone)

    @extend_schema(request=ReasonSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], parser_classes=[GuardedJSONParser, MultiPartParser, FormParser])
    def dispute(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.raise_dispute(request.user, milestone, reason=data.validated_data["reason"],
                                         evidence=_documents(request))
        return Response(audit.jsonable(present.dispute(dispute, request.user)), status=status.HTTP_201_CREATED)


# --- disputes ------------------------------------------------------------------------------------------------


class ResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Dispute.Outcome.choices)
    decision = serializers.CharField(max_length=5000)


class DisputeViewSet(_Base):
    """争议 (disputes): the parties, the operator and the named association."""

    rules = dispute_rules
    rule_actions = {"resolve": "resolve"}
    presenter = staticmethod(present.dispute)

    def get_queryset(self):
        return (Dispute.objects.filter(milestone__contract__in=Contract.objects.restrict(self.request.user))
                .select_related("milestone", "raised_by").order_by("-id"))

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="disputes_list")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=ResolveSerializer, responses=OpenApiTypes.OBJECT, parameters=[IDEMPOTENCY_HEADER])
    @action(detail=True, methods=["post"])
    @idempotent
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        dispute = self.get_object()
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.resolve_dispute(request.user, dispute, **data.validated_data)
        return self._out(dispute)


# --- ratings -------------------------------------------------------------------------------------------------


class RatingSerializer(serializers.Serializer):
    contract = serializers.IntegerField(min_value=1, max_value=2**31)
    quality = serializers.IntegerField(min_value=1, max_value=5)
    timeliness = serializers.IntegerField(min_value=1, max_value=5)
    communication = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RatingViewSet(mixins.CreateModelMixin, _Base):
    """评价 (ratings): public once given; one per side of a completed contract."""

    presenter = staticmethod(lambda obj, user: present.rating(obj))

    def get_queryset(self):
        return Rating.objects.select_related("contract").order_by("-id")

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="ratings_list")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=RatingSerializer, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        data = RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        contract = Contract.objects.restrict(request.user).filter(pk=v.pop("contract")).first()
        if contract is None:
            raise Http404
        return self._out(services.rate_contract(request.user, contract, **v), status.HTTP_201_CREATED)


# --- OCDS ----------------------------------------------------------------------------------------------------


class OcdsReleaseViewSet(viewsets.ViewSet):
    """An OCDS 1.1 release package of every deal's public data (``?since=YYYY-MM-DD``)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[OpenApiParameter("since", OpenApiTypes.DATE, required=False)],
                   responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        since = ocds.parse_since(request.query_params.get("since"))
        return Response(ocds.release_package(since=since, uri=request.build_absolute_uri()))


class OcdsRecordViewSet(viewsets.ViewSet):
    """The OCDS 1.1 record package of one deal, by its ocid."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "ocid"
    lookup_value_regex = "[A-Za-z0-9-]+"

    @extend_schema(parameters=[OpenApiParameter("ocid", str, OpenApiParameter.PATH)], responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, ocid: str | None = None) -> Response:
        package = ocds.record_package(ocid or "", uri=request.build_absolute_uri())
        if package is None:
            raise Http404
        return Response(package)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the platform router."""
    router.register("rfqs", RFQViewSet, basename="rfqs")
    router.register("bids", BidViewSet, basename="bids")
    router.register("contracts", ContractViewSet, basename="contracts")
    router.register("milestones", MilestoneViewSet, basename="milestones")
    router.register("disputes", DisputeViewSet, basename="disputes")
    router.register("ratings", RatingViewSet, basename="ratings")
    router.register("ocds/releases", OcdsReleaseViewSet, basename="ocds-releases")
    router.register("ocds/records", OcdsRecordViewSet, basename="ocds-records")
