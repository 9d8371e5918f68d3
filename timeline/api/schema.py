"""OpenAPI pieces shared by the viewsets: error bodies, conditional and idempotency headers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from timeline.serializers import (
    EventSerializer,
)

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
