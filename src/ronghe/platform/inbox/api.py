"""REST API of the inbox: ``/api/notifications/`` — one's own notifications only.

``GET /api/notifications/[?unread=1]`` lists them (newest first) with ``unread_count``;
``POST /{id}/read/`` marks one read; ``POST /read-all/`` marks all read; ``GET``/``PATCH /preferences/`` reads or
sets the e-mail opt-in.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ronghe.platform.core.api import service_errors
from ronghe.platform.core.rules import RulePermission
from ronghe.platform.inbox import services
from ronghe.platform.inbox.models import Notification
from ronghe.platform.inbox.rules import notification_rules


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text="what happened, in the request's language")
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "action", "text", "url", "unread", "created_at", "read_at", "organization"]
        read_only_fields = fields


class PreferenceSerializer(serializers.Serializer):
    email = serializers.BooleanField(help_text="also send each notification by e-mail (needs an e-mail address)")


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's notifications (站内消息)."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    rules = notification_rules
    rule_actions = {"read": "read"}
    filterset_class = None
    filter_backends: list = []

    def get_queryset(self):
        mine = Notification.objects.restrict(self.request.user, "view").order_by("-created_at", "-id")
        if self.request.query_params.get("unread") == "1":
            mine = mine.unread()
        return mine

    @extend_schema(parameters=[OpenApiParameter("unread", OpenApiTypes.STR, description="1: unread only")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        response.data["unread_count"] = Notification.objects.restrict(request.user, "view").unread().count()
        return response

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        with service_errors():
            notification = services.mark_notification_read(request.user, self.get_object())
        return Response(NotificationSerializer(notification, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_notifications_read(request.user, request.user)})

    @extend_schema(methods=["GET"], responses=PreferenceSerializer)
    @extend_schema(methods=["PATCH"], request=PreferenceSerializer, responses=PreferenceSerializer)
    @action(detail=False, methods=["get", "patch"], serializer_class=PreferenceSerializer)
    def preferences(self, request: Request) -> Response:
        if request.method == "PATCH":
            data = PreferenceSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            with service_errors():
                services.set_notification_preference(request.user, request.user, email=data.validated_data["email"])
        return Response({"email": services.preference_of(request.user).email})


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the platform router."""
    router.register("notifications", NotificationViewSet, basename="notifications")
