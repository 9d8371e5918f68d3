"""Calendar feeds over HTTP: a thin layer around :mod:`timeline.exporters.ical`.

* ``/timelines/<slug>/calendar.ics``: public and unlisted timelines, published
  events only, narrowed by any :class:`~timeline.filters.EventFilter` parameter;
  ``include_year=1`` adds year-precision events, ``download=1`` makes it an
  attachment (downloads always include year-precision events).
* ``/feeds/<token>/calendar.ics``: the private capability feed of one timeline
  (any visibility); a token that is not current answers 410 Gone.
* ``/events/<uid>.ics``: one published event of a public or unlisted timeline,
  as a download.

ETag and Last-Modified come from the timeline's change times (one query), so a
304 never renders anything (If-Modified-Since alone only once the second of the
last change is over: see :func:`validator_time`); a 200 serves the whole body
from this process's :class:`RecentBodies` or the cache when the same filter was
rendered for the same timeline state, and otherwise joins cached VEVENT blocks
(rendered ahead on commit: :mod:`timeline.feed_blocks`). POST and other unsafe
methods answer 405 (the views are exempt from CSRF checks: they only read). Only that render is throttled (scope ``feed_render``):
a client over the limit gets 429 with ``Retry-After``, while 304s and cached
bodies are always served.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotModified, QueryDict
from django.http.response import HttpResponseBase, HttpResponseGone, HttpResponseNotFound
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, http_date, parse_etags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_safe

from timeline import access
from timeline.exporters import ical
from timeline.feed_validators import GENERATION_KEY, current_generation
from timeline.filters import EventFilter, window_anchor
from timeline.models import Event, Precision, Timeline
from timeline.queries import events_for_export
from timeline.services import feed_token_digest
from timeline.throttles import FEED_RENDER_THROTTLES, throttled_response

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Query parameters of the feed itself; everything else goes to EventFilter.
FEED_PARAMETERS = ("include_year", "download")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class FeedState:
    """What a feed request resolves to before anything is rendered."""

    etag: str
    last_modified: dt.datetime | None
    render: Callable[[], bytes]
    filename: str = ""
    # Where render() stores the body; "" when the body is not stored whole.
    cache_key: str = ""
    # Run before rendering a 200, never for a 304: a refusal (400) for parameters that do not
    # validate. A client holds this ETag only from a 200 for the same address and data, so a
    # 304 can skip building the filter.
    refusal: Callable[[], HttpResponse | None] = lambda: None


class RecentBodies:
    """The feed bodies this process served last, by their cache key, up to ``limit`` bytes.

    A body's key is derived from its ETag (timeline state, parameters, block format),
    so a kept body is never stale. Reading an 11 MB body back from the shared cache
    costs an unpickled copy (3-6 ms measured on the 10,000-event benchmark feed, more
    over the network to Redis), which the 10 ms warm target cannot afford.
    """

    def __init__(self, limit: int = 64 * 1024 * 1024) -> None:
        self.limit = limit
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.limit:
            return
        with self._lock:
            old = self._bodies.pop(key, None)
            self._size += len(body) - (len(old) if old is not None else 0)
            self._bodies[key] = body
            while self._size > self.limit:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped)


recent_bodies = RecentBodies()


def export_options() -> ical.ExportOptions:
    """The exporter's options from settings (read per request, never at import)."""
    return ical.ExportOptions(
        site_url=settings.SITE_URL,
        description_max=settings.TIMELINE_FEED_DESCRIPTION_MAX,
        refresh=dt.timedelta(hours=settings.TIMELINE_FEED_REFRESH_HOURS),
    )


def _digest(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]


def _plain(response_class: type[HttpResponse], message: str) -> HttpResponse:
    return response_class(message + "\n", content_type="text/plain; charset=utf-8")


def _flag(params: QueryDict, name: str) -> bool:
    value = params.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}: “{value}” is not a yes/no value; use 1 or 0.")


def _timeline_state(request: HttpRequest, timeline: Timeline) -> FeedState | HttpResponse:
    return timeline_feed_state(timeline, request.GET)


def timeline_feed_state(timeline: Timeline, params: QueryDict) -> FeedState | HttpResponse:
    """The feed of ``timeline`` for the query ``params``, before anything is rendered (a 400
    response for a malformed yes/no parameter)."""
    try:
        download = _flag(params, "download")
        include_year = download or _flag(params, "include_year")
    except ValueError as exc:
        return _plain(HttpResponseBadRequest, str(exc))
    data = params.copy()
    for name in FEED_PARAMETERS:
        data.pop(name, None)
    built: list[EventFilter] = []

    def event_filter() -> EventFilter:
        if not built:
            events = access.published_events_of(timeline)
            if not include_year:
                # A year-long bar on every day of the year is noise in a subscribed calendar.
                events = events.exclude(precision=Precision.YEAR)
            built.append(EventFilter(data=data, queryset=events))
        return built[0]

    def refusal() -> HttpResponse | None:
        filterset = event_filter()
        if filterset.is_valid():
            return None
        lines = [f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()]
        return _plain(HttpResponseBadRequest, "Invalid feed parameters.\n" + "\n".join(lines))

    options = export_options()
    # content_changed_at also moves when a cited source, a claimant or a tag is edited (signals.py).
    times = [timeline.content_changed_at, timeline.updated_at]
    query = urlencode(sorted((key, value) for key, values in params.lists() for value in values))
    etag = _digest(
        ical.EXPORTER_VERSION,
        "timeline",
        timeline.pk,
        *(moment.isoformat() if moment else "" for moment in times),
        query,
        # A window relative to today ("from=-90d") means other events tomorrow.
        window_anchor(params),
        options.fingerprint,
        options.refresh.total_seconds(),
    )

    cache_key = f"ical:feed:{etag}"

    def render() -> bytes:
        filterset = event_filter()
        words = filterset.describe()
        name = timeline.title + (f" ({' · '.join(words)})" if words else "")
        description = timeline.description
        if not include_year:
            description += "\n\nEvents dated only to a year are left out; add include_year=1 to the address."
        header = ical.CalendarHeader(name=name, description=description.strip())
        body = ical.render_calendar(feed_events(filterset.qs), header, options, cache=cache)
        cache.set(cache_key, body)
        recent_bodies.put(cache_key, body)
        return body

    return FeedState(
        etag=etag,
        last_modified=max(times),
        render=render,
        filename=f"{timeline.slug}.ics" if download else "",
        cache_key=cache_key,
        refusal=refusal,
    )


def _slug_feed_state(request: HttpRequest, slug: str) -> FeedState | HttpResponse:
    # Calendar apps poll without signing in: a feed is what an anonymous reader may see.
    timeline = access.timelines_visible_to(None).filter(slug=slug).first()
    if timeline is None:
        return _plain(HttpResponseNotFound, "No such timeline.")
    return _timeline_state(request, timeline)


def _token_feed_state(request: HttpRequest, token: str) -> FeedState | HttpResponse:
    digest = feed_token_digest(token)
    timeline = Timeline.objects.filter(feed_token_hash=digest).first()
    # The lookup matched on the digest; the constant-time comparison guards the
    # rule (never an empty hash, never a near miss) rather than the timing.
    if timeline is None or not timeline.feed_token_hash or not hmac.compare_digest(timeline.feed_token_hash, digest):
        # Unknown, rotated and revoked tokens look the same: 410 tells calendar
        # clients to stop polling, and nobody learns which tokens once existed.
        return _plain(
            HttpResponseGone,
            "This calendar address is no longer valid. Ask the timeline's editors for the current one.",
        )
    return _timeline_state(request, timeline)


def _event_download_state(request: HttpRequest, uid: Any) -> FeedState | HttpResponse:
    queryset = access.events_visible_to(None).filter(uid=uid)
    events = feed_events(queryset)
    if not events:
        return _plain(HttpResponseNotFound, "No such event.")
    event = events[0]
    options = export_options()
    etag = _digest(ical.vevent_cache_key(event, options), options.refresh.total_seconds(), "download")

    def render() -> bytes:
        header = ical.CalendarHeader(name=event.title)
        return ical.render_calendar([event], header, options, cache=cache)

    title = ical.clean_text(event.title, single_line=True).translate({ord("/"): "-", ord("\\"): "-"}).strip()
    # ETag only: the event row's time would miss edits of its sources, which the ETag (the block's
    # cache key) does see, and If-Modified-Since alone would then answer 304 wrongly.
    return FeedState(etag=etag, last_modified=None, render=render, filename=f"{title[:80] or 'event'}.ics")


# Google Calendar reportedly stops reading a feed at about 1 MB.
GOOGLE_FEED_LIMIT = 1_000_000


def subscription_feed_size(timeline: Timeline) -> int:
    """The size in bytes of ``timeline``'s feed at its plain address (no parameters), rendered
    as a subscriber would get it (from the caches where possible; what is rendered here is
    then cached for the first subscriber)."""
    state = timeline_feed_state(timeline, QueryDict())
    assert isinstance(state, FeedState)
    body = recent_bodies.get(state.cache_key) or cache.get(state.cache_key)
    if body is None:
        refused = state.refusal()  # validates the (empty) filter, as the view does before rendering
        assert refused is None
        body = state.render()
    return len(body)


def feed_events(queryset: QuerySet[Event]) -> list[ical.FeedEvent]:
    """The exporter's view of ``queryset`` (three queries, see ``queries.events_for_export``)."""
    # reverse() once: at 10,000 events it would cost more than rendering the blocks.
    marker = "00000000-0000-0000-0000-000000000000"
    template = reverse("timeline:event-detail", kwargs={"uid": marker})
    return [
        ical.FeedEvent.from_row(row, path=template.replace(marker, str(row["uid"])))
        for row in events_for_export(queryset)
    ]


def recent_not_modified(
    request: HttpRequest, validators: tuple[str, str, str] | None, generation: str | None
) -> HttpResponse | None:
    """A 304 from the validators a feed address answered with in the current ``generation``
    (:mod:`timeline.feed_validators`), if ``If-None-Match`` names that ETag (weak comparison);
    else None. Spares the database on most polls: one cache round trip answers them.

    The generation is read before the database, so a change that commits meanwhile starts a
    newer one. With a cache per process (no ``REDIS_URL``) other processes learn of a change
    only when their kept validators expire, after ``TIMELINE_FEED_VALIDATORS_SECONDS``.
    """
    if validators is None or generation is None or validators[0] != generation:
        return None
    _, etag, last_modified = validators
    held = [tag.removeprefix("W/") for tag in parse_etags(request.META["HTTP_IF_NONE_MATCH"])]
    if etag.removeprefix("W/") not in held:
        return None
    response = HttpResponseNotModified()
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = last_modified
    response["Cache-Control"] = f"public, max-age={settings.TIMELINE_PUBLIC_MAX_AGE}"
    return response


def validator_time(moment: dt.datetime | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """For content last changed at ``moment``: (the time If-Modified-Since is compared
    with, the Last-Modified to send).

    HTTP dates have one-second resolution, so a client that read the feed between two
    changes in the same second would send that second back and get a stale 304 for the
    second change. So the comparison uses ``moment`` rounded up to the whole second,
    and only once that second is over (a later change then has a later date); until
    then, no 304 is given on a date, and the Last-Modified sent is the second itself
    (rounded down), which the next comparison will not match.
    """
    if moment is None:
        return None, None
    floor = moment.replace(microsecond=0)
    ceiling = floor + dt.timedelta(seconds=1) if moment.microsecond else floor
    if ceiling <= timezone.now():
        return ceiling, ceiling
    return None, floor


def _feed_view(resolve: Callable[..., FeedState | HttpResponse]) -> Callable[..., HttpResponseBase]:
    """Turn a state resolver into a GET/HEAD view with ETag/Last-Modified and 304s."""

    def state(request: HttpRequest, **kwargs: Any) -> FeedState | HttpResponse:
        # condition() asks for the ETag, then Last-Modified, then runs the view: resolve once.
        memo = request.__dict__.setdefault("_calendar_feed_state", {})
        if "state" not in memo:
            memo["state"] = resolve(request, **kwargs)
        return memo["state"]

    def etag(request: HttpRequest, **kwargs: Any) -> str | None:
        resolved = state(request, **kwargs)
        return resolved.etag if isinstance(resolved, FeedState) else None

    def last_modified(request: HttpRequest, **kwargs: Any) -> dt.datetime | None:
        resolved = state(request, **kwargs)
        if not isinstance(resolved, FeedState):
            return None
        compared, sent = validator_time(resolved.last_modified)
        request.__dict__["_calendar_feed_last_modified"] = sent
        return compared

    @condition(etag_func=etag, last_modified_func=last_modified)
    def respond(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        resolved = state(request, **kwargs)
        if not isinstance(resolved, FeedState):
            return resolved
        # A body in the cache was rendered for these very parameters, so they are valid.
        body = recent_bodies.get(resolved.cache_key) if resolved.cache_key else None
        if body is None and resolved.cache_key:
            body = cache.get(resolved.cache_key)
            if body is not None:
                recent_bodies.put(resolved.cache_key, body)
        if body is None:
            refused = resolved.refusal()
            if refused is not None:
                return refused
            refused = throttled_response(
                request, FEED_RENDER_THROTTLES, message="Too many calendar feeds were rendered for this client."
            )
            if refused is not None:
                return refused
            body = resolved.render()
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        if resolved.filename:
            response["Content-Disposition"] = content_disposition_header(True, resolved.filename)
        return response

    # A feed only reads: a POST is answered 405 by require_safe, not refused as a CSRF failure.
    @csrf_exempt
    @require_safe
    @wraps(resolve)
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        # Slug feeds only: a token may be revoked and an event's download follows its sources,
        # neither of which starts a new generation.
        shared = "slug" in kwargs
        validators_key = f"feed-validators:{hashlib.sha256(request.get_full_path().encode()).hexdigest()}"
        if shared and "HTTP_IF_NONE_MATCH" in request.META:
            kept = cache.get_many([validators_key, GENERATION_KEY])
            known = recent_not_modified(request, kept.get(validators_key), kept.get(GENERATION_KEY))
            if known is not None:
                return known
        generation = current_generation() if shared else ""
        response = respond(request, **kwargs)
        sent = request.__dict__.get("_calendar_feed_last_modified")
        if sent is not None and not response.has_header("Last-Modified") and response.status_code in (200, 304):
            response["Last-Modified"] = http_date(sent.timestamp())
        if shared and response.status_code in (200, 304) and response.has_header("ETag"):
            validators = (generation, response["ETag"], response.get("Last-Modified", ""))
            cache.set(validators_key, validators, timeout=settings.TIMELINE_FEED_VALIDATORS_SECONDS)
        if response.status_code not in (200, 304):
            # condition() labels every answer with the feed's validators; a refusal (400, 429) has no body to label.
            for header in ("ETag", "Last-Modified"):
                if response.has_header(header):
                    del response[header]
        # Also on 304s, which condition() builds without calling respond's body.
        if "token" in kwargs:
            # A capability address: shared caches must not keep what it unlocks.
            response["Cache-Control"] = "private, no-cache"
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Referrer-Policy"] = "no-referrer"
        elif response.status_code in (200, 304):
            # The same bytes for every reader (feeds never depend on who asks), so a CDN may
            # answer subscribers' polling for a while and then revalidate with the ETag.
            response["Cache-Control"] = f"public, max-age={settings.TIMELINE_PUBLIC_MAX_AGE}"
        else:
            response["Cache-Control"] = "no-cache"
        return response

    return view


timeline_feed = _feed_view(_slug_feed_state)
timeline_feed.__doc__ = "A public or unlisted timeline's feed, narrowed by EventFilter parameters."
token_feed = _feed_view(_token_feed_state)
token_feed.__doc__ = "A timeline's private capability feed; 410 Gone for a token that is not current."
event_download = _feed_view(_event_download_state)
event_download.__doc__ = "One published event as an .ics download."


def timeline_subscribe_links(
    timeline: Timeline, request: HttpRequest | None = None, *, token: str | None = None, query: str = ""
) -> dict[str, str]:
    """Subscribe and download links for ``timeline``: keys ``webcal``, ``https``, ``google``, ``download``.

    ``query`` is an urlencoded events filter (the parameters of ``EventFilter``);
    the links then subscribe to exactly that filtered view.

    Public and unlisted timelines get their slug feed. A private timeline has
    links only when its current ``token`` is passed (it is stored hashed, so only
    the rotation that made it can show it); otherwise the result is empty.
    Absolute URLs come from ``request`` when given, else from ``SITE_URL``.
    """
    if token:
        path = reverse("timeline:token-feed", kwargs={"token": token})
    elif timeline.visibility in access.READABLE_BY_LINK:
        path = reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})
    else:
        return {}
    https = request.build_absolute_uri(path) if request is not None else settings.SITE_URL.rstrip("/") + path
    if query:
        https += "?" + query
    webcal = "webcal://" + https.split("://", 1)[1]
    return {
        "webcal": webcal,
        "https": https,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "download": https + ("&" if query else "?") + "download=1",
    }
