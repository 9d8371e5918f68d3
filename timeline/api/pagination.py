"""Pagination: keyset cursors over the event filter's ordering, numbered pages for reference data."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from timeline.models import Event


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


# Sort keys that are annotations rather than fields, and their types.
ANNOTATED_KEYS = {"search_rank": float}


def _key_value(name: str, value: Any) -> Any:
    if name in ANNOTATED_KEYS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(name)
        return ANNOTATED_KEYS[name](value)
    return cast(Field[Any, Any], Event._meta.get_field(name)).to_python(value)


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

    def paginate_queryset(  # type: ignore[override]  # takes the event queryset only, never a list
        self, queryset: QuerySet[Event], request: Request, view: Any = None
    ) -> list[Event]:
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
            key = [_key_value(name.lstrip("-"), value) for name, value in zip(ordering, values, strict=True)]
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
