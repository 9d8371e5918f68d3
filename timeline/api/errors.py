"""The API's error answers and its JSON parser: every exception a view raises becomes one of these."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.cache import patch_vary_headers
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from timeline.models import Citation, Event


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

    parser_classes: Any = [BoundedJSONParser]
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
