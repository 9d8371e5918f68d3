"""Timelines, actors, tags and sources under /api/v1/."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from timeline import access
from timeline.api.errors import ApiViewSetMixin
from timeline.api.imports import ImportActionMixin
from timeline.api.pagination import ReferencePagination
from timeline.api.schema import CREATE_ERRORS, IDEMPOTENCY_KEY, READ_ERRORS, WRITE_ERRORS, reference_schema
from timeline.idempotency import idempotent
from timeline.models import Timeline
from timeline.serializers import (
    ActorSerializer,
    SourceSerializer,
    TagSerializer,
    TimelineSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List timelines", responses={200: TimelineSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="Read one timeline", responses={200: TimelineSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Create a timeline",
        parameters=[IDEMPOTENCY_KEY],
        responses={201: TimelineSerializer, **CREATE_ERRORS},
    ),
    update=extend_schema(summary="Replace a timeline", responses={200: TimelineSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(summary="Change a timeline", responses={200: TimelineSerializer, **WRITE_ERRORS}),
    destroy=extend_schema(summary="Delete a timeline and its events", responses={204: None, **READ_ERRORS}),
)
class TimelineViewSet(ImportActionMixin, ApiViewSetMixin, viewsets.ModelViewSet):
    """Timelines, addressed by slug. Unlisted ones are readable by slug but not listed."""

    lookup_field = "slug"
    serializer_class = TimelineSerializer
    pagination_class = ReferencePagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Timeline]:
        return access.timelines_visible_to(self.request.user, listed=self.action == "list").order_by("title", "id")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class ReferenceViewSet(ApiViewSetMixin, viewsets.ModelViewSet):
    """Actors, tags and sources. Readers without the view permission see those named on events
    of the timelines listed to them (see ``timeline.access``)."""

    pagination_class = ReferencePagination
    filter_backends: list[Any] = []
    visible_to: Any

    def get_queryset(self) -> QuerySet[Any]:
        return self.visible_to(self.request.user).order_by("pk")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


@reference_schema(ActorSerializer, "actor")
class ActorViewSet(ReferenceViewSet):
    serializer_class = ActorSerializer
    visible_to = staticmethod(access.actors_visible_to)


@reference_schema(TagSerializer, "tag")
class TagViewSet(ReferenceViewSet):
    lookup_field = "slug"
    serializer_class = TagSerializer
    visible_to = staticmethod(access.tags_visible_to)


@reference_schema(SourceSerializer, "source")
class SourceViewSet(ReferenceViewSet):
    serializer_class = SourceSerializer
    visible_to = staticmethod(access.sources_visible_to)
