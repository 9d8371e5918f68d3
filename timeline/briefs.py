"""PDF briefs over HTTP: ``/timelines/<slug>/brief.pdf?<any events filter>``.

A thin layer over :mod:`timeline.exporters.brief`: it reads the same
``EventFilter`` as the API and feeds, answers conditional requests from an ETag
computed without rendering, caches rendered bytes, and refuses briefs larger
than ``settings.TIMELINE_BRIEF_MAX_EVENTS`` (``manage.py brief`` has no limit).
Renders are throttled per client (scopes ``brief_render`` and ``brief_render_user``);
304s and cached PDFs are not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET

from timeline.access import events_listed_for, reads_everything, timelines_visible_to
from timeline.filters import EventFilter
from timeline.models import Event, Timeline
from timeline.queries import events_with_relations
from timeline.throttles import BRIEF_RENDER_THROTTLES, throttled_response

CACHE_PREFIX = "brief-pdf"


@dataclass(frozen=True)
class BriefRequest:
    """A validated brief: which timeline, which events, and the words for the cover."""

    timeline: Timeline
    events: QuerySet[Event]
    filter_words: list[str]
    etag: str
    as_of: dt.datetime

    @property
    def data_version(self) -> str:
        return self.etag[:12]


class InvalidBriefFilter(ValueError):
    """The filter parameters are invalid; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
        self.errors = errors


def brief_request(
    *, timeline: Timeline, params: QueryDict, base: QuerySet[Event], scope: str, request: Any = None
) -> BriefRequest:
    """Validate ``params`` with ``EventFilter`` against ``base`` (the events the reader may see
    in ``timeline``) and compute the ETag. ``scope`` names what ``base`` is ("published"/"all").
    The ETag follows ``timeline.content_changed_at``, which also moves when a cited
    source, an actor or a tag is edited (signals.py).

    Raises :class:`InvalidBriefFilter`. Runs no query unless a filter value needs one.
    """
    params = params.copy()
    params.pop("timeline", None)  # the path names the timeline
    event_filter = EventFilter(params, queryset=base, request=request)
    if not event_filter.is_valid():
        raise InvalidBriefFilter({field: [str(m) for m in messages] for field, messages in event_filter.errors.items()})
    from timeline.exporters.brief import brief_cache_fingerprint

    as_of = timeline.content_changed_at
    canonical = {
        "timeline": [
            timeline.pk,
            timeline.slug,
            timeline.title,
            timeline.description,
            timeline.marking,
            timeline.bottom_line,
            timeline.key_judgements,
        ],
        "changed": as_of.isoformat(),
        "filter": sorted((key, sorted(params.getlist(key))) for key in params),
        "scope": scope,
        "site": settings.SITE_URL,
        "renderer": brief_cache_fingerprint(),
    }
    etag = hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()[:40]
    return BriefRequest(
        timeline=timeline,
        events=event_filter.qs,
        filter_words=event_filter.describe(),
        etag=etag,
        as_of=as_of,
    )


def render_brief_for(brief: BriefRequest, events: Iterable[Event] | None = None) -> bytes:
    """Render ``brief`` (its own events with relations unless ``events`` are given)."""
    from timeline.exporters.brief import brief_info_for, render_brief

    info = brief_info_for(
        brief.timeline,
        filter_words=brief.filter_words,
        as_of=brief.as_of,
        data_version=brief.data_version,
        site_url=settings.SITE_URL,
    )
    return render_brief(events if events is not None else events_with_relations(brief.events), info=info)


def brief_filename(timeline: Timeline, brief: BriefRequest) -> str:
    suffix = "-filtered" if brief.filter_words else ""
    return f"{timeline.slug}-brief-{brief.as_of:%Y%m%d}{suffix}.pdf"


def too_many_events_message(count: int, limit: int, slug: str) -> str:
    return (
        f"This brief would hold {count:,} events; the web limit is {limit:,} "
        "(settings.TIMELINE_BRIEF_MAX_EVENTS). Narrow the filter, or ask an operator to run "
        f"`python manage.py brief {slug} [the same filters as --options] -o brief.pdf`, which has no limit."
    )


def pdf_response(pdf: bytes, *, filename: str, etag: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = f'"{etag}"'
    # Editors and readers may get different briefs at one address: revalidate every time.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie, Authorization"
    return response


@require_GET
def timeline_brief(request: HttpRequest, slug: str) -> HttpResponse:
    """The PDF brief of a timeline's events, filtered like the events API.

    404 for timelines the reader may not see; readers without the view
    permission get published events only. 400 with field messages for an
    invalid filter, 304 when the ETag matches, 413 above the configured size,
    429 (plain text, ``Retry-After``) when the brief must be rendered and the
    client is over its render rate.
    """
    timeline = timelines_visible_to(request.user).filter(slug=slug).first()
    if timeline is None:
        raise Http404("No such timeline.")
    sees_all = reads_everything(request.user, "event")
    base = events_listed_for(request.user, timeline=timeline)
    try:
        brief = brief_request(
            timeline=timeline, params=request.GET, base=base, scope="all" if sees_all else "published", request=request
        )
    except InvalidBriefFilter as exc:
        return JsonResponse({"errors": exc.errors}, status=400)

    not_modified = get_conditional_response(request, etag=f'"{brief.etag}"')
    if not_modified is not None:
        not_modified["ETag"] = f'"{brief.etag}"'
        return not_modified
    filename = brief_filename(timeline, brief)
    cache_key = f"{CACHE_PREFIX}:{brief.etag}"
    pdf = cache.get(cache_key)
    if pdf is None:
        limit = settings.TIMELINE_BRIEF_MAX_EVENTS
        count = brief.events.count()
        if count > limit:
            return HttpResponse(
                too_many_events_message(count, limit, timeline.slug),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        refused = throttled_response(
            request, BRIEF_RENDER_THROTTLES, message="Too many PDF briefs were rendered for this client."
        )
        if refused is not None:
            return refused
        pdf = render_brief_for(brief)
        cache.set(cache_key, pdf)
    return pdf_response(pdf, filename=filename, etag=brief.etag)
