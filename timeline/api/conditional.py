"""ETags and conditional requests on events (``If-None-Match`` reads, ``If-Match`` writes),
and the event list's filter step: both through :mod:`timeline.export`, as the feeds and briefs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request

from timeline import export
from timeline.api.errors import PreconditionFailed
from timeline.models import Event


def event_etag(event: Event) -> str:
    """A strong ETag from the event's version, which every write counts up."""
    return f'"{event.version}"'


def if_none_match_hits(request: Request, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks for GET)."""
    return export.etag_matches(request.headers.get("If-None-Match"), etag)


def check_if_match(request: Request, etag: str) -> None:
    """Raise :class:`PreconditionFailed` when ``If-Match`` is given and does not name ``etag``.

    Strong comparison: a weak ETag never matches.
    """
    header = request.headers.get("If-Match")
    if header and not export.etag_matches(header, etag, weak=False):
        raise PreconditionFailed(
            f"The event changed since you read it (it is now at ETag {etag}). Fetch it again and reapply your change."
        )


class EventFilterBackend(DjangoFilterBackend):
    """django-filter's backend (its OpenAPI parameters included), validating through
    :func:`timeline.export.validated_filter`, so the list refuses exactly what the feeds
    and briefs refuse, with the same body."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Event], view: Any) -> QuerySet[Event]:
        try:
            return export.validated_filter(request.query_params, queryset=queryset, request=request).qs
        except export.FilterRefused as refused:
            raise exceptions.ValidationError(refused.errors) from None
