"""ETags and conditional requests on events (``If-None-Match`` reads, ``If-Match`` writes)."""

from __future__ import annotations

from django.utils.http import parse_etags
from rest_framework.request import Request

from timeline.api.errors import PreconditionFailed
from timeline.models import Event


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
