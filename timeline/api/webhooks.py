"""Webhooks under /api/v1/webhooks/: a timeline's owners register, change and remove them and
read their delivery log. Hooks of timelines the caller does not own answer 404, like missing ones."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from timeline import access
from timeline.api.errors import ApiViewSetMixin
from timeline.api.schema import CREATE_ERRORS, READ_ERRORS, WRITE_ERRORS
from timeline.authentication import ReadOnlyTokenPermission
from timeline.models import Timeline, Webhook, WebhookDelivery
from timeline.serializers import StrictModelSerializer, TimelineRefField
from timeline.webhooks import DELIVERY_FIELDS, WebhookUrlRefused, webhook_secret_new, webhook_url_check

# How many deliveries the log endpoint returns, newest first.
DELIVERY_LOG_LENGTH = 100


class OwnedTimelineField(TimelineRefField):
    """A timeline the caller may manage (``access.timelines_where(user, "manage_roles")``);
    any other answers "Unknown timeline", exactly as a missing one."""

    def get_queryset(self) -> QuerySet[Timeline]:
        return access.timelines_where(self.context["request"].user, "manage_roles")


class WebhookSerializer(StrictModelSerializer):
    timeline = OwnedTimelineField(queryset=Timeline.objects.none())
    secret_hint = serializers.CharField(read_only=True, help_text="The secret's first characters.")

    class Meta:
        model = Webhook
        fields: tuple[str, ...] = ("id", "timeline", "url", "description", "active", "secret_hint", "created_at")
        read_only_fields: tuple[str, ...] = ("id", "secret_hint", "created_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Checked once every field is valid, so the host is resolved only for a caller who owns the timeline."""
        if self.instance is not None and "timeline" in attrs and attrs["timeline"] != self.instance.timeline:
            raise serializers.ValidationError({"timeline": ["A hook stays on its timeline; make a new one."]})
        if "url" in attrs and (self.instance is None or attrs["url"] != self.instance.url):
            try:
                webhook_url_check(attrs["url"])
            except WebhookUrlRefused as refused:
                raise serializers.ValidationError({"url": [str(refused)]}) from None
        return attrs


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret: shown in this answer only, never again."
    )

    class Meta(WebhookSerializer.Meta):
        fields = (*WebhookSerializer.Meta.fields, "secret")
        read_only_fields = (*WebhookSerializer.Meta.read_only_fields, "secret")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="published, changed, withdrawn or deleted.")
    status = serializers.CharField(read_only=True, help_text="pending, delivered, failed (gave up) or cancelled.")

    class Meta:
        model = WebhookDelivery
        fields = DELIVERY_FIELDS
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List your timelines' webhooks", responses={200: WebhookSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(summary="Read one webhook", responses={200: WebhookSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Register a webhook (the answer carries its secret, once)",
        responses={201: WebhookCreatedSerializer, **CREATE_ERRORS},
    ),
    update=extend_schema(summary="Replace a webhook", responses={200: WebhookSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(summary="Change a webhook", responses={200: WebhookSerializer, **WRITE_ERRORS}),
    destroy=extend_schema(summary="Remove a webhook and its delivery log", responses={204: None, **READ_ERRORS}),
)
class WebhookViewSet(ApiViewSetMixin, viewsets.ModelViewSet):
    """Webhooks of the timelines the caller owns (README, "Webhooks")."""

    serializer_class = WebhookSerializer
    permission_classes = [ReadOnlyTokenPermission, permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[Webhook]:
        return access.webhooks_managed_by(self.request.user).select_related("timeline").order_by("id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = WebhookSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            hook = serializer.save(created_by=request.user, secret=webhook_secret_new())
        data = WebhookCreatedSerializer(hook, context=self.get_serializer_context()).data
        data["secret"] = hook.secret
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(
        summary="A webhook's delivery log, newest first",
        responses={200: WebhookDeliverySerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        hook = self.get_object()
        log = hook.deliveries.order_by("-id")[:DELIVERY_LOG_LENGTH]
        return Response(WebhookDeliverySerializer(log, many=True).data)
