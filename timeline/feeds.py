"""Calendar feeds over HTTP: a thin layer around :mod:`timeline.exporters.ical`.

* ``/timelines/<slug>/calendar.ics``: public and unlisted timelines, published
  events only, narrowed by any :class:`~timeline.filters.EventFilter` parameter;
  ``include_year=1`` adds year-precision events, ``download=1`` makes it an
  attachment (downloads always include year-precision events).
* ``/feeds/<token>/calendar.ics``: the private capability feed of one timeline
  (any visibility); a token that is not current answers 410 Gone.
* ``/events/<uid>.ics``: one published event of a public or unlisted timeline,
  as a download.

Each is an :class:`~timeline.export.Export` served by :mod:`timeline.export` (ETag,
304, cache, throttle, the one 400 body). ETag and Last-Modified come from the
timeline's change times (one query), so a 304 never renders anything
(If-Modified-Since alone only once the second of the last change is over: see
:func:`timeline.export.validator_time`); a poll of a slug feed naming the ETag that
address last answered with is answered 304 from one cache read before the view runs
(:mod:`timeline.revalidation`). A 200 serves the whole body from this
process's kept bodies (:data:`recent_bodies`) or the cache when the same filter was
rendered for the same timeline state (compressed once and kept so for clients that take
gzip, as calendar clients do), and otherwise joins cached VEVENT blocks
(rendered ahead on commit: :mod:`timeline.feed_blocks`). POST and other unsafe
methods answer 405 (the views are exempt from CSRF checks: they only read). Only
that render is throttled (scope ``feed_render``): a client over the limit gets 429
with ``Retry-After``, while 304s and cached bodies are always served.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase, HttpResponseGone, HttpResponseNotFound
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from timeline import access, export, links
from timeline.export import Export
from timeline.exporters import ical
from timeline.exporters.formats import CalendarExporter
from timeline.filters import EventFilter, window_anchor
from timeline.models import Event, Precision, Timeline
from timeline.queries import count_up_to, event_snapshots
from timeline.services import feed_token_digest
from timeline.throttles import FEED_RENDER_THROTTLES

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Query parameters of the feed itself; everything else goes to EventFilter.
FEED_PARAMETERS = ("include_year", "download")
# Google Calendar reportedly stops reading a feed at about 1 MB.
GOOGLE_FEED_LIMIT = 1_000_000
# The feed bodies this process served last (an 11 MB body read back from the shared cache
# costs more than the 10 ms warm target allows).
recent_bodies = export.RecentBodies()


def _plain(response_class: type[HttpResponse], message: str) -> HttpResponse:
    return response_class(message + "\n", content_type="text/plain; charset=utf-8")


def canonical_filter_query(params: Any) -> str:
    """``params``' filter parameters (without the feed's own, ``FEED_PARAMETERS``, and empty
    values) as a sorted query string: one spelling per filter, for capability keys."""
    pairs = ((key, value) for key, values in params.lists() for value in values if key not in FEED_PARAMETERS)
    return urlencode(sorted((key, value) for key, value in pairs if value))


def timeline_feed_export(timeline: Timeline, params: QueryDict, *, token_links: bool = False) -> Export | HttpResponse:
    """The feed of ``timeline`` for the query ``params``, before anything is rendered (the
    one 400 response for a malformed yes/no parameter). With ``token_links`` (a private
    timeline's token feed) the event links open capability pages (``access.feed_event_key``),
    since the public event pages answer 404 to the subscribers of a private timeline."""
    try:
        download = export.flag(params, "download")
        include_year = download or export.flag(params, "include_year")
    except export.FilterRefused as refused:
        return export.refusal_response(refused)
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
            built.append(export.validated_filter(data, queryset=events))
        return built[0]

    def event_filter_check() -> None:
        event_filter()

    def size_refusal() -> HttpResponse | None:
        # After the check (the filter is valid), before the render throttle counts.
        return too_many_events_refusal(event_filter().qs)

    exporter = export.exporter_for("ics")
    # content_changed_at also moves when a cited source, a claimant or a tag is edited (signals.py).
    times = [timeline.content_changed_at, timeline.updated_at]
    link_key, event_path = "", None
    if token_links:
        filter_query = canonical_filter_query(params)
        link_key = access.feed_event_key(timeline, filter_query)
        event_path = links.feed_event_path_maker(link_key, filter_query)
    etag = export.selection_key(
        "timeline",
        timeline.pk,
        # The links' key changes with the token: a rotated token's feed is never served from the old body.
        link_key,
        *times,
        export.query_parts(params),
        # A window relative to today ("from=-90d") means other events tomorrow.
        window_anchor(params),
        exporter.fingerprint(),
    )

    def snapshot() -> export.ExportSnapshot:
        filterset = event_filter()
        description = timeline.description
        if not include_year:
            description += "\n\nEvents dated only to a year are left out; add include_year=1 to the address."
        return export.ExportSnapshot(
            events=feed_events(filterset.qs, path=event_path),
            title=timeline.title,
            description=description,
            filter_words=tuple(filterset.describe()),
        )

    return Export(
        exporter=exporter,
        etag=etag,
        snapshot=snapshot,
        last_modified=max(times),
        filename=f"{timeline.slug}.ics" if download else "",
        # A client holds this ETag only from a 200 for the same address and data, so a
        # 304 can skip building the filter.
        check=event_filter_check,
        prepare=size_refusal,
        throttles=FEED_RENDER_THROTTLES,
        throttle_message="Too many calendar feeds were rendered for this client.",
        kept=recent_bodies,
        # The same bytes for every subscriber of the address, no secret beside reflected input
        # (a token feed's capability links are known to whoever can make it reflect anything).
        compress=True,
    )


def subscription_feed_size(timeline: Timeline) -> int:
    """The size in bytes of ``timeline``'s feed at its plain address (no parameters), rendered
    as a subscriber would get it (from the caches where possible; what is rendered here is
    then cached for the first subscriber)."""
    resolved = timeline_feed_export(timeline, QueryDict())
    assert isinstance(resolved, Export)
    body = export.cached_body(resolved)
    if body is None:
        # Over TIMELINE_FEED_MAX_EVENTS subscribers get a 413 instead: nothing to render here.
        if resolved.prepare() is not None:
            return 0
        resolved.check()  # validates the (empty) filter, as serving does before rendering
        body = resolved.exporter.render(resolved.snapshot())
        export.keep_body(resolved, body)
    return len(body)


def too_many_events_refusal(events: QuerySet[Event]) -> HttpResponse | None:
    """A 413 with advice when ``events`` hold more than ``settings.TIMELINE_FEED_MAX_EVENTS``
    (counted to the limit only), else None.

    A feed is rendered whole and cached whole: an unfiltered feed of 10,000 events is
    11 MB with a 60 MB peak while rendering, and at 1,000,000 it would be about 1.1 GB,
    beyond Redis's 512 MB value limit. Briefs refuse above their own limit the same way.
    """
    limit = settings.TIMELINE_FEED_MAX_EVENTS
    if count_up_to(events, limit) <= limit:
        return None
    message = (
        f"This feed would hold more than {limit:,} events; the limit is {limit:,} "
        "(settings.TIMELINE_FEED_MAX_EVENTS). Narrow it with the API's filters: a window of dates "
        "(overlaps=2025-04, within=2024-10/2025-04), tag=, actor=, status=, min_credibility= or key=1; "
        "or subscribe to several narrower feeds."
    )
    response = _plain(HttpResponse, message)
    response.status_code = 413
    return response


def _slug_feed_export(request: HttpRequest, slug: str) -> Export | HttpResponse:
    # Calendar apps poll without signing in: a feed is what an anonymous reader may see.
    timeline = access.timelines_visible_to(None).filter(slug=slug).first()
    if timeline is None:
        return _plain(HttpResponseNotFound, "No such timeline.")
    return timeline_feed_export(timeline, request.GET)


def _token_feed_export(request: HttpRequest, token: str) -> Export | HttpResponse:
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
    return timeline_feed_export(timeline, request.GET, token_links=timeline.visibility not in access.READABLE_BY_LINK)


def _event_download_export(request: HttpRequest, uid: Any) -> Export | HttpResponse:
    events = feed_events(access.events_visible_to(None).filter(uid=uid))
    if not events:
        return _plain(HttpResponseNotFound, "No such event.")
    event = events[0]
    exporter = export.exporter_for("ics")
    assert isinstance(exporter, CalendarExporter)
    etag = export.selection_key(ical.vevent_cache_key(event, exporter.options), exporter.fingerprint(), "download")
    title = ical.clean_text(event.title, single_line=True).translate({ord("/"): "-", ord("\\"): "-"}).strip()
    # ETag only: the event row's time would miss edits of its sources, which the ETag (the block's
    # cache key) does see, and If-Modified-Since alone would then answer 304 wrongly.
    return Export(
        exporter=exporter,
        etag=etag,
        snapshot=lambda: export.ExportSnapshot(events=[event], title=event.title),
        filename=f"{title[:80] or 'event'}.ics",
        # Its one block is cached already; storing the whole body too would spare no render.
        cache_body=False,
        throttles=FEED_RENDER_THROTTLES,
        throttle_message="Too many calendar feeds were rendered for this client.",
    )


def feed_events(queryset: QuerySet[Event], *, path: Any = None) -> list[ical.FeedEvent]:
    """The exporter's view of ``queryset`` (``queries.event_snapshots``, without actors) with
    the claims any feed reader may see: those by actors named on the timelines' published
    events (``access.published_events_of``), whatever the request's filter narrows the events to."""
    published = Event.objects.filter(timeline__in=queryset.order_by().values("timeline_id"), published=True)
    return event_snapshots(queryset, actors=False, path=path, claims=access.claims_visible_to(None, events=published))


def _feed_view(resolve: Callable[..., Export | HttpResponse]) -> Callable[..., HttpResponseBase]:
    """Turn an export resolver into a GET/HEAD view served by :func:`timeline.export.serve`."""

    # A feed only reads: a POST is answered 405 by require_safe, not refused as a CSRF failure.
    @csrf_exempt
    @require_safe
    @wraps(resolve)
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        # A poll of a slug feed naming the ETag it last answered with was answered 304 before
        # this view (timeline/revalidation.py). Token feeds and event downloads are not: a token
        # may be revoked and a download follows its sources, neither of which starts a new
        # generation of the kept validators.
        resolved = resolve(request, **kwargs)
        response = export.serve(request, resolved) if isinstance(resolved, Export) else resolved
        # Also on 304s.
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


timeline_feed = _feed_view(_slug_feed_export)
timeline_feed.__doc__ = "A public or unlisted timeline's feed, narrowed by EventFilter parameters."
token_feed = _feed_view(_token_feed_export)
token_feed.__doc__ = "A timeline's private capability feed; 410 Gone for a token that is not current."
event_download = _feed_view(_event_download_export)
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
