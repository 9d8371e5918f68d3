"""Anonymous revalidation of one API event (``GET /api/v1/events/<uid>/`` with
``If-None-Match``) answered 304 from one cache read, before DRF runs.

Why a middleware of its own rather than the viewset's ``retrieve``: by the time DRF calls
``retrieve`` it has authenticated, negotiated, checked permissions and counted the API
throttle (two more cache round trips), and the version query is one database round trip.
``make bench BENCH_ARGS=serve`` measured that path at 211 req/s with 1 gunicorn worker
(p50 18 ms) against 795 req/s for the trivial view, 0.27x; issue 11 asks for 0.5x.

How it stays right:

* Only requests with no credentials take the fast path (no ``Authorization`` header, no
  session cookie), with no query string and an ``Accept`` that JSON satisfies. Everyone
  else goes through DRF and the access policy as before.
* The middleware keeps, per event uid, the ETag it last saw an anonymous reader get
  (200 or 304), tagged with the feed-validator generation read *before* the view ran
  (:mod:`timeline.feed_validators`). Every write that can change what an anonymous reader
  gets (an event saved, its version bumped, deleted, a timeline's visibility changed, a
  source, actor or tag edited) starts a new generation (``Timeline.touch`` and
  ``signals.timeline_changed``), so a kept ETag stops matching at once. A 404 is never
  kept, so an event hidden from anonymous readers never gets a fast 304.
* A fast 304 carries the headers DRF's 304 carries (``ETag``, ``Vary``, ``Allow``); the
  outer middleware add the security headers and the request id as for any answer.
* A fast 304 is not counted by the API throttle: it costs less than the throttle's own
  bookkeeping (a read and a write).
* The price: an anonymous read that is not a fast 304 makes up to two more cache round trips
  (the generation, when not read already, and keeping the ETag), and a kept ETag lives
  ``TIMELINE_FEED_VALIDATORS_SECONDS``, after which one revalidation goes through DRF again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import parse_etags

from timeline.feed_validators import GENERATION_KEY, current_generation

VALIDATORS_PREFIX = "event-validators"
EVENT_PATH = re.compile(
    r"^/api/v1/events/(?P<uid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/$", re.IGNORECASE
)
# What DRF's answer for one event carries besides the security headers (its 304 as well).
VARY = "Accept, Authorization, Cookie"
ALLOW = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
JSON_ACCEPTS = ("", "*/*", "application/json", "application/*")


def _accepts_json(accept: str) -> bool:
    """Whether every listed type in ``Accept`` is one DRF would answer with JSON (no header: yes)."""
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return all(kind in JSON_ACCEPTS for kind in types)


def anonymous_event_uid(request: HttpRequest) -> str | None:
    """The event uid when ``request`` is an anonymous, plain JSON read of one API event, else ``None``."""
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return None
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if not _accepts_json(request.META.get("HTTP_ACCEPT", "")):
        return None
    match = EVENT_PATH.match(request.path_info)
    return match["uid"].lower() if match else None


def validators_key(uid: str) -> str:
    return f"{VALIDATORS_PREFIX}:{uid}"


def held_etags(request: HttpRequest) -> list[str]:
    """The ETags in ``If-None-Match`` without their weak prefix (RFC 9110: weak comparison for GET)."""
    return [tag.removeprefix("W/") for tag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))]


class EventRevalidationMiddleware:
    """Answer an anonymous ``If-None-Match`` for a kept, current event ETag with 304.

    Place it after the middleware whose headers every answer carries (security, CSP,
    X-Frame-Options) and before the ones that only matter to views.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        uid = anonymous_event_uid(request)
        if uid is None:
            return self.get_response(request)
        key = validators_key(uid)
        generation: Any = None
        if "HTTP_IF_NONE_MATCH" in request.META:
            kept = cache.get_many([key, GENERATION_KEY])
            generation = kept.get(GENERATION_KEY)
            validators = kept.get(key)
            if generation is not None and validators is not None and validators[0] == generation:
                etag = validators[1]
                if etag.removeprefix("W/") in held_etags(request):
                    return self.not_modified(etag)
        if generation is None:
            generation = current_generation()
        response = self.get_response(request)
        if response.status_code in (200, 304) and response.has_header("ETag"):
            # The generation read before the view ran: a write meanwhile has started a new one,
            # so what this answer saw can never be kept as current.
            cache.set(
                key,
                (generation, response["ETag"].removeprefix("W/")),
                timeout=settings.TIMELINE_FEED_VALIDATORS_SECONDS,
            )
        return response

    @staticmethod
    def not_modified(etag: str) -> HttpResponse:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        response["Vary"] = VARY
        response["Allow"] = ALLOW
        return response
