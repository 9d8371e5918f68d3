"""Revalidations answered 304 from one cache read, before sessions, CSRF, auth and the views run:
a public calendar feed polled by slug (``GET /timelines/<slug>/calendar.ics``) and an anonymous
read of one API event (``GET /api/v1/events/<uid>/``), each with ``If-None-Match``.

Why a middleware near the top rather than the views: most requests to these addresses are polls
that name the ETag they already hold. Under the view, each passed the session, CSRF, auth,
messages and CSP middleware, URL resolution, and for an event DRF's authentication, content
negotiation and the API throttle (two more cache round trips) and a version query.
``make bench BENCH_ARGS=serve`` measured those 304s at 0.9–1.1 ms of server CPU each against
0.6–0.7 ms for a redirect through every middleware (the trivial view); issue 11 asks for at
least half its req/s. Answered here, they cost 0.47–0.57 ms against its 0.58–0.62 ms.

How it stays right:

* Per address (the feed's full path with its query; the event's uid) the middleware keeps the
  ETag that address last answered with (200 or 304), tagged with the feed-validator generation
  read *before* the view ran (:mod:`timeline.feed_validators`). Every write that can change what
  these addresses answer (an event saved, its version bumped, deleted, a timeline's settings or
  visibility changed, a source, actor or tag edited) starts a new generation
  (``Timeline.touch`` and ``signals.timeline_changed``), so a kept ETag stops matching at once.
  A 404 (or any other status) is never kept, so an address a reader may not see never gets a
  fast 304.
* A feed by slug is the same for every reader (what an anonymous reader may see), so any
  request may use it. An event only takes the fast path without credentials (no
  ``Authorization`` header, no session cookie), with no query string and an ``Accept`` that JSON
  satisfies; everyone else goes through DRF and the access policy as before.
* The ``Host`` is checked as for any request (an unknown one is answered 400, never 304).
* A fast 304 carries the headers of the view's 304 (``ETag``, and ``Last-Modified`` and
  ``Cache-Control`` for a feed, ``Vary`` and ``Allow`` for an event) and ``X-Frame-Options``;
  the outer middleware add the security headers and the request id as for any answer. It
  carries no ``Content-Security-Policy``: a 304 only updates the stored answer's headers
  (RFC 9111 §4.3.4), and the stored 200 keeps its own.
* A fast 304 is not counted by the API throttle: it costs less than the throttle's own
  bookkeeping (a read and a write).
* The price: a request to these addresses that is not a fast 304 makes up to two more cache
  round trips (the generation, when not read already, and keeping the ETag), and a kept ETag
  lives ``TIMELINE_FEED_VALIDATORS_SECONDS``, after which one revalidation reaches the view.
  With a cache per process (no ``REDIS_URL``) other processes learn of a change only when
  their kept ETags expire.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase

from timeline.export import etag_matches
from timeline.feed_validators import GENERATION_KEY, current_generation

# The routes of timeline/urls.py and timeline/api/urls.py (a test checks them against reverse()).
EVENT_PATH = re.compile(
    r"^/api/v1/events/(?P<uid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/$", re.IGNORECASE
)
FEED_PATH = re.compile(r"^/timelines/[-a-zA-Z0-9_]+/calendar\.ics$")
# What DRF's answer for one event carries besides the security headers (its 304 as well).
VARY = "Accept, Authorization, Cookie"
ALLOW = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
JSON_ACCEPTS = ("", "*/*", "application/json", "application/*")


class Kept(NamedTuple):
    """Where an address's validators are kept and how its 304 looks."""

    key: str
    feed: bool


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
    """Where the ETag an anonymous reader of event ``uid`` last got is kept."""
    return f"event-validators:{uid}"


def feed_validators_key(full_path: str) -> str:
    """Where the validators of the feed at ``full_path`` (path and query) are kept."""
    return f"feed-validators:{hashlib.sha256(full_path.encode()).hexdigest()}"


def kept_for(request: HttpRequest) -> Kept | None:
    """Where ``request``'s address keeps its validators, or ``None`` when it takes no fast path."""
    if request.method in ("GET", "HEAD") and FEED_PATH.match(request.path_info):
        return Kept(feed_validators_key(request.get_full_path()), feed=True)
    uid = anonymous_event_uid(request)
    return None if uid is None else Kept(validators_key(uid), feed=False)


class RevalidationMiddleware:
    """Answer ``If-None-Match`` naming a kept, current feed or event ETag with 304.

    Place it after the middleware whose headers every answer needs (request id, security) and
    before the ones that only matter to views and pages (sessions, CSRF, auth, messages, CSP).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        kept = kept_for(request)
        if kept is None:
            return self.get_response(request)
        generation: Any = None
        held = request.META.get("HTTP_IF_NONE_MATCH")
        if held:
            # Raises DisallowedHost (a 400) for a Host outside ALLOWED_HOSTS, as CommonMiddleware would.
            request.get_host()
            values = cache.get_many([kept.key, GENERATION_KEY])
            generation = values.get(GENERATION_KEY)
            validators = values.get(kept.key)
            if (
                generation is not None
                and validators is not None
                and validators[0] == generation
                and etag_matches(held, validators[1])
            ):
                return not_modified(kept, validators)
        if generation is None:
            generation = current_generation()
        response = self.get_response(request)
        if response.status_code in (200, 304) and response.has_header("ETag"):
            # The generation read before the view ran: a write meanwhile has started a new one,
            # so what this answer saw can never be kept as current. A compressed body's ETag is
            # weak (config/http.py); the view's own 304 names the strong one.
            etag = response["ETag"].removeprefix("W/")
            cache.set(
                kept.key,
                (generation, etag, response.get("Last-Modified", "")),
                timeout=settings.TIMELINE_FEED_VALIDATORS_SECONDS,
            )
        return response


def not_modified(kept: Kept, validators: tuple[str, ...]) -> HttpResponse:
    """The 304 the view would answer for ``validators`` (generation, ETag, Last-Modified)."""
    response = HttpResponseNotModified()
    response["ETag"] = validators[1]
    if kept.feed:
        if validators[2]:
            response["Last-Modified"] = validators[2]
        response["Cache-Control"] = f"public, max-age={settings.TIMELINE_PUBLIC_MAX_AGE}"
    else:
        response["Vary"] = VARY
        response["Allow"] = ALLOW
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response
