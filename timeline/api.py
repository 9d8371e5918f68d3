"""The REST API under /api/v1/: viewsets, pagination, ETags and the router.

Who may read what: anonymous readers (and signed-in users without permissions)
see published events of public timelines; an unlisted timeline and its events
are readable by slug or uid but never listed; private timelines and drafts need
the model's view permission. Every write needs the Django model permission
("Editors" group), and a token that is not read-only (timeline/authentication.py).
Creates honour the ``Idempotency-Key`` header (timeline/idempotency.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.utils.urls import replace_query_param

from timeline import access, sync
from timeline.access import events_visible_to
from timeline.filters import EventFilter
from timeline.idempotency import idempotent
from timeline.models import Citation, Event, Timeline
from timeline.queries import events_with_relation_lists
from timeline.serializers import (
    ActorSerializer,
    DeletedEventsQuerySerializer,
    DeletedEventsSerializer,
    EventSerializer,
    EventWriteSerializer,
    SourceSerializer,
    TagSerializer,
    TimelineSerializer,
)

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


# --- Request bodies ---------------------------------------------------------------


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the stored data; nothing was written."
    default_code = "conflict"


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, with nesting too deep for the decoder answered 400 like any malformed JSON."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from None


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you read it. Fetch it again and reapply your change."
    default_code = "precondition_failed"


# --- ETags ---------------------------------------------------------------------------


def event_etag(event: Event) -> str:
    """A strong ETag from the event's version, which every write counts up."""
    return f'"{event.version}"'


def if_none_match_hits(request: Request, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks for GET)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return tags == ["*"] or etag in (tag.removeprefix("W/") for tag in tags)


def check_if_match(request: Request, etag: str) -> None:
    """Raise :class:`PreconditionFailed` when ``If-Match`` is given and does not name ``etag``.

    Strong comparison: a weak ETag never matches.
    """
    header = request.headers.get("If-Match")
    if not header:
        return
    tags = parse_etags(header)
    if tags != ["*"] and etag not in tags:
        raise PreconditionFailed(
            f"The event changed since you read it (it is now at ETag {etag}). Fetch it again and reapply your change."
        )


# --- Pagination --------------------------------------------------------------------


def page_size_from(request: Request, name: str, default: int, cap: int) -> int:
    """The page size the request asks for in the query parameter ``name``: ``default`` when absent,
    at most ``cap``; raises a 400 ``ValidationError`` for anything but a whole number from 1 up."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # str.isdigit() also accepts digits int() refuses ("²"); more digits than the
    # cap has mean the cap (int() refuses very long numbers too).
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        raise exceptions.ValidationError({name: ["Give a whole number from 1 upwards."]})
    if len(digits) > len(str(cap)):
        return cap
    return min(int(digits), cap)


class EventCursorPagination(BasePagination):
    """Keyset ("cursor") pagination over the filter's full ordering.

    The cursor holds the sort key of the last row seen, so pages stay stable
    while others insert, edit or delete events. ``page_size`` is capped at
    ``max_page_size``; a malformed cursor or page size is a 400.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    default_page_size = 100
    max_page_size = 500
    display_page_controls = False

    def paginate_queryset(self, queryset: QuerySet[Event], request: Request, view: Any = None) -> list[Event]:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.ordering = [str(field) for field in queryset.query.order_by]
        cursor = self.decode_cursor(request)
        backwards = bool(cursor and cursor["backwards"])
        if cursor is not None:
            queryset = queryset.filter(self.after(cursor["key"], backwards=backwards))
        if backwards:
            queryset = queryset.reverse()
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.next_key = self.key_of(rows[-1]) if rows and (more or backwards) else None
        self.previous_key = self.key_of(rows[0]) if rows and cursor is not None and (more or not backwards) else None
        return rows

    def get_page_size(self, request: Request) -> int:
        return page_size_from(request, self.page_size_query_param, self.default_page_size, self.max_page_size)

    def decode_cursor(self, request: Request) -> dict[str, Any] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        invalid = exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            ordering, values, backwards = data["o"], data["k"], data["b"]
        except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error):
            raise invalid from None
        if ordering != self.ordering or not isinstance(values, list) or len(values) != len(ordering):
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["This cursor belongs to another ordering; start again without it."]}
            )
        try:
            key = [
                Event._meta.get_field(name.lstrip("-")).to_python(value)
                for name, value in zip(ordering, values, strict=True)
            ]
        except (DjangoValidationError, TypeError):
            raise invalid from None
        if any(value is None for value in key):
            raise invalid
        return {"key": key, "backwards": bool(backwards)}

    def after(self, key: list[Any], *, backwards: bool) -> Q:
        """Rows that sort after ``key`` (before it when going backwards)."""
        condition = Q()
        for index, name in enumerate(self.ordering):
            descending = name.startswith("-") != backwards
            field = name.lstrip("-")
            equal = {other.lstrip("-"): key[i] for i, other in enumerate(self.ordering[:index])}
            condition |= Q(**equal, **{f"{field}__{'lt' if descending else 'gt'}": key[index]})
        return condition

    def key_of(self, event: Event) -> list[Any]:
        values = []
        for name in self.ordering:
            value = getattr(event, name.lstrip("-"))
            values.append(value.isoformat() if isinstance(value, dt.date) else value)
        return values

    def link(self, key: list[Any] | None, *, backwards: bool) -> str | None:
        if key is None:
            return None
        payload = json.dumps({"o": self.ordering, "k": key, "b": backwards}, separators=(",", ":"))
        cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self.link(self.next_key, backwards=False),
                "previous": self.link(self.previous_key, backwards=True),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Events per page (default {self.default_page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


class ReferencePagination(PageNumberPagination):
    """Numbered pages. A malformed ``page_size`` or an empty ``page`` is a 400 (DRF would
    quietly use the default); a page past the last one, or not a number, is DRF's 404."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        return page_size_from(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        if request.query_params.get(self.page_query_param) == "":
            raise exceptions.ValidationError({self.page_query_param: ["Give a page number from 1 upwards."]})
        return super().get_page_number(request, paginator)


# --- Schema helpers ------------------------------------------------------------------

ERROR_DETAIL = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='`{"detail": "…"}`: not signed in (401), not allowed (403), or no such object (404).',
)
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Invalid input: `{"<field>": ["message", …]}` for each bad field (unknown fields included), '
    'or `{"detail": "…"}` for malformed JSON.',
)
CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='`{"detail": "…"}`: the write collides with stored data (a name or slug another request '
    "stored at the same moment, or an object still used by events); nothing was written.",
)
READ_ERRORS = {400: FIELD_ERRORS, 401: ERROR_DETAIL, 403: ERROR_DETAIL, 404: ERROR_DETAIL, 429: ERROR_DETAIL}
WRITE_ERRORS = {
    **READ_ERRORS,
    409: CONFLICT,
    413: OpenApiResponse(OpenApiTypes.OBJECT, description="The body is larger than the configured limit."),
    415: OpenApiResponse(OpenApiTypes.OBJECT, description="The body is not `application/json`."),
}
CREATE_ERRORS = {
    **WRITE_ERRORS,
    409: OpenApiResponse(
        OpenApiTypes.OBJECT, description="A request with the same `Idempotency-Key` is still in progress; retry."
    ),
    422: OpenApiResponse(OpenApiTypes.OBJECT, description="The `Idempotency-Key` was used for a different request."),
}
CONDITIONAL_WRITE_ERRORS = {
    **WRITE_ERRORS,
    412: OpenApiResponse(OpenApiTypes.OBJECT, description="`If-Match` names an older version of the event."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read; the write is refused (412) if the event changed since.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="An ETag you hold; answered with 304 and no body if the event is unchanged.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A key of your choosing (at most 255 characters) that makes a retry safe: a repeat of the same "
    "request with the same key within `TIMELINE_IDEMPOTENCY_TTL_HOURS` (24 by default) replays the first "
    "answer (marked `Idempotent-Replayed: true`) and creates nothing; the same key with a different request "
    "is refused (422).",
)
ETAG_HEADER = OpenApiResponse(EventSerializer, description="The event; its `ETag` header carries the version.")


def events_using(protected: ProtectedError) -> int:
    """How many events hold on to what a :class:`ProtectedError` refused to delete."""
    events = set()
    for obj in protected.protected_objects:
        if isinstance(obj, Event):
            events.add(obj.pk)
        elif isinstance(obj, Citation):
            events.add(obj.event_id)
    return len(events)


class ApiViewSetMixin:
    """The API's common ground: JSON bodies only, no NUL in a URL lookup, and the one place
    where exceptions become answers.

    Raised while handling a request, and answered:

    - ``RequestDataTooBig`` → 413;
    - ``ProtectedError`` (deleting an actor or source events still use) → 409 naming how many events;
    - ``IntegrityError`` (a unique name or slug stored, or a referenced row deleted, by a
      concurrent request after this one was validated) → 409; every write runs in one
      statement or transaction, so nothing was written.
    """

    parser_classes = [BoundedJSONParser]
    # DRF's default lookup pattern, less NUL, which PostgreSQL refuses in a query: such a path is a 404.
    lookup_value_regex = r"[^/.\x00]+"

    def handle_exception(self, exc: Exception) -> Response:
        # Django refuses the oversized body while DRF parses it; left alone that is a 400 HTML page.
        if isinstance(exc, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            exc = RequestTooLarge(f"The request body is larger than the limit of {limit} bytes.")
        elif isinstance(exc, ProtectedError):
            count = events_using(exc)
            noun = self.get_serializer_class().Meta.model._meta.verbose_name  # type: ignore[attr-defined]
            exc = Conflict(
                f"This {noun} is still used by {count} event{'' if count == 1 else 's'} "
                "(as claimant or cited source); change or delete those events first. Nothing was deleted."
            )
        elif isinstance(exc, IntegrityError):
            exc = Conflict(
                "The write conflicts with a change another request made at the same moment (such as the "
                "same name or slug); nothing was written. Read the current data and try again."
            )
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        # What a reader sees depends on who they are (drafts, private timelines).
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


# --- Events ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description="Events you may read, filtered like the calendar feeds and briefs, in cursor pages. "
        "Unlisted timelines' events appear only when the `timeline` filter names them.",
        parameters=[
            OpenApiParameter(
                "overlaps", OpenApiTypes.STR, description=EventFilter.base_filters["overlaps"].extra["help_text"]
            ),
            OpenApiParameter(
                "within", OpenApiTypes.STR, description=EventFilter.base_filters["within"].extra["help_text"]
            ),
            # Like every filter, an empty value is no filter; the schema says so.
            OpenApiParameter(
                "updated_since",
                {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]},
                description=EventFilter.base_filters["updated_since"].extra["help_text"],
            ),
        ],
        responses={200: EventSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read one event",
        parameters=[IF_NONE_MATCH],
        responses={
            200: ETAG_HEADER,
            304: OpenApiResponse(description="Unchanged since the ETag you hold."),
            **READ_ERRORS,
        },
    ),
    create=extend_schema(
        summary="Create an event",
        request=EventWriteSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ETAG_HEADER, **CREATE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an event",
        request=EventWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: ETAG_HEADER, **CONDITIONAL_WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an event",
        request=EventWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: ETAG_HEADER, **CONDITIONAL_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete an event",
        parameters=[IF_MATCH],
        responses={204: None, **{code: CONDITIONAL_WRITE_ERRORS[code] for code in (401, 403, 404, 412, 429)}},
    ),
)
class EventViewSet(ApiViewSetMixin, viewsets.ModelViewSet):
    """Events, addressed by uid."""

    lookup_field = "uid"
    lookup_value_regex = UUID_PATTERN
    filterset_class = EventFilter
    pagination_class = EventCursorPagination

    def get_queryset(self) -> QuerySet[Event]:
        user = self.request.user
        events = events_visible_to(user)
        if self.action == "list" and not self.request.query_params.get("timeline"):
            # Unlisted timelines' events are listed only when the request names the timeline
            # (the filter then narrows to it, and refuses a slug the reader may not see).
            events = access.events_listed_for(user)
        return events_with_relation_lists(events)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.request is not None and self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return EventWriteSerializer
        return EventSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The list's filters do not apply to one event addressed by uid.
        event = get_object_or_404(self.get_queryset(), uid=self.kwargs["uid"])
        self.check_object_permissions(request, event)
        etag = event_etag(event)
        if if_none_match_hits(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(EventSerializer(event, context=self.get_serializer_context()).data, headers={"ETag": etag})

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EventWriteSerializer(data=request.data, context=self.get_serializer_context())
        with transaction.atomic():
            serializer.is_valid(raise_exception=True)
            event = serializer.save(created_by=request.user, updated_by=request.user, history_user=request.user)
        response = self.event_response(event, status.HTTP_201_CREATED)
        response["Location"] = response.data["links"]["self"]
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        with transaction.atomic():
            event = self.get_locked_event()
            check_if_match(request, event_etag(event))
            serializer = EventWriteSerializer(
                event, data=data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            event = serializer.save(updated_by=request.user, history_user=request.user)
        return self.event_response(event, status.HTTP_200_OK)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            event = self.get_locked_event()
            check_if_match(request, event_etag(event))
            event._history_user = request.user  # type: ignore[attr-defined]
            event.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_locked_event(self) -> Event:
        """The addressed event, row-locked until the surrounding transaction ends; 404 when not readable."""
        event = get_object_or_404(
            events_visible_to(self.request.user).select_for_update(of=("self",)), uid=self.kwargs["uid"]
        )
        self.check_object_permissions(self.request, event)
        return event

    def event_response(self, event: Event, status_code: int) -> Response:
        fresh = events_with_relation_lists(Event.objects.filter(pk=event.pk)).get()
        data = EventSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": event_etag(fresh)})

    @extend_schema(
        summary="Deleted and withdrawn events",
        description="Uids of events that left your view at or after `since`: deleted ones (tombstones) and, "
        "for readers who cannot see drafts, events unpublished, moved or made private. Together with "
        "`updated_since` on the event list, this lets a client mirror a timeline exactly.",
        parameters=[DeletedEventsQuerySerializer],
        responses={200: DeletedEventsSerializer, 400: FIELD_ERRORS, 429: ERROR_DETAIL},
    )
    @action(detail=False, methods=["get"], url_path="deleted", filter_backends=[], pagination_class=None)
    def deleted(self, request: Request) -> Response:
        query = DeletedEventsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # The horizon comes first: what it covers must be read after it.
        as_of = sync.changes_horizon()
        try:
            scope = sync.sync_scope(request.user, query.validated_data.get("timeline"))
        except sync.UnknownTimeline as exc:
            raise exceptions.ValidationError({"timeline": [f"Unknown timeline “{exc}”."]}) from None
        results = sync.deleted_events(user=request.user, scope=scope, since=query.validated_data["since"])
        return Response(DeletedEventsSerializer({"as_of": as_of, "results": results}).data)


# --- Timelines and reference data ----------------------------------------------------


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
class TimelineViewSet(ApiViewSetMixin, viewsets.ModelViewSet):
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


def reference_schema(serializer: type[serializers.Serializer], noun: str) -> Any:
    return extend_schema_view(
        list=extend_schema(summary=f"List {noun}s", responses={200: serializer(many=True), **READ_ERRORS}),
        retrieve=extend_schema(summary=f"Read one {noun}", responses={200: serializer, **READ_ERRORS}),
        create=extend_schema(
            summary=f"Create a {noun}", parameters=[IDEMPOTENCY_KEY], responses={201: serializer, **CREATE_ERRORS}
        ),
        update=extend_schema(summary=f"Replace a {noun}", responses={200: serializer, **WRITE_ERRORS}),
        partial_update=extend_schema(summary=f"Change a {noun}", responses={200: serializer, **WRITE_ERRORS}),
        destroy=extend_schema(summary=f"Delete a {noun}", responses={204: None, **READ_ERRORS, 409: CONFLICT}),
    )


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


router = DefaultRouter()
router.register("timelines", TimelineViewSet, basename="timeline")
router.register("events", EventViewSet, basename="event")
router.register("sources", SourceViewSet, basename="source")
router.register("actors", ActorViewSet, basename="actor")
router.register("tags", TagViewSet, basename="tag")

# What the API documentation pages need beyond the site's CSP (config/settings.py), as a browser showed:
# Swagger UI draws its icons as data: images.
swagger_ui_csp = csp_update({"img-src": ["data:"]})
# ReDoc injects <style> elements: those made by Redoc.init carry this response's nonce
# (timeline/static/timeline/redoc-init.js); the two its bundle adds while loading, before any
# nonce can reach it, are allowed by their hashes (an empty one and the bundle's base CSS). A new
# drf-spectacular-sidecar may change the second: the browser test then names the new hash.
REDOC_BUNDLE_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]
# ReDoc also draws icons as data: images and runs its search in a worker made from a blob: URL.
# Its sidebar always asks for its vendor's logo from a third-party host: that stays refused.
redoc_csp = csp_update(
    {"style-src": [NONCE, *REDOC_BUNDLE_STYLE_HASHES], "img-src": ["data:"], "worker-src": ["blob:"]}
)

# Included by config/urls.py under /api/v1/ with the "api" namespace.
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from ?script=, so the page needs no inline script.
    path(
        "schema/swagger-ui/",
        swagger_ui_csp(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="timeline/api/swagger_ui.html")
        ),
        name="swagger-ui",
    ),
    path(
        "schema/redoc/",
        redoc_csp(SpectacularRedocView.as_view(url_name="api:schema", template_name="timeline/api/redoc.html")),
        name="redoc",
    ),
    *router.urls,
]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 (``handler404``): JSON like every other API answer under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 (``handler500``): JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
