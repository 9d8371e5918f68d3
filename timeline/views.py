"""Public HTML pages: the list of timelines, a timeline with its axis, filters and exports,
its embeddable variant, the oEmbed answer for it, and each event's permalink."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt

from timeline import access, axis, dates
from timeline.access import (
    READABLE_BY_LINK,
    events_listed_for,
    events_visible_to,
    reads_everything,
    timelines_visible_to,
)
from timeline.claims import claim_view_of, claims_line
from timeline.feeds import canonical_filter_query, timeline_subscribe_links
from timeline.filters import EventFilter
from timeline.links import (
    TABLE_EXPORTS,
    event_calendar_path,
    timeline_brief_path,
    timeline_calendar_path,
    timeline_export_path,
)
from timeline.models import Event, Timeline
from timeline.queries import axis_events, claims_prefetch, events_per_period, events_with_relations

# Events listed per page below the axis; the axis itself draws at most axis.MARK_LIMIT marks.
PAGE_SIZE = 100
# Query parameters of the page that are not filters.
PAGE_PARAMETERS = ("page", "lanes")
# The axis's lanes: the ``lanes`` parameter's values, each with its control's text and the
# names of its lanes for events with none and for the rest.
LANE_CHOICES = {
    "tag": ("By tag", ("No tag", "Other tags")),
    "actor": ("By actor", ("No actor", "Other actors")),
}
# Filters shown as checkboxes on the page (the API reads the same names as repeated parameters).
CHECKBOX_FILTERS = ("precision", "status", "stance", "claimant", "actor", "tag", "source")
EMBED_WIDTH, EMBED_HEIGHT = 800, 600


def timeline_index(request: HttpRequest) -> HttpResponse:
    """The timelines listed to the reader, with each one's count of events, date range and
    last change (over the events that reader may see), in two queries."""
    timelines = list(timelines_visible_to(request.user, listed=True).order_by("title"))
    stats: dict[int, dict[str, Any]] = {
        row["timeline"]: dict(row)
        for row in events_listed_for(request.user)
        .filter(timeline__in=[timeline.pk for timeline in timelines])
        .order_by()
        .values("timeline")
        .annotate(count=Count("pk"), lower=Min("date_lower"), upper=Max("date_upper"), changed=Max("updated_at"))
    }
    rows = []
    for timeline in timelines:
        row = stats.get(timeline.pk, {})
        rows.append(
            {
                "timeline": timeline,
                "count": row.get("count", 0),
                "range": dates.format_day_range(row["lower"], row["upper"]) if row else "",
                "changed": row.get("changed") or timeline.updated_at,
                "feed": timeline_calendar_path(timeline.slug),
                "brief": timeline_brief_path(timeline.slug),
            }
        )
    return with_reader_cache_control(request, render(request, "timeline/index.html", {"rows": rows}))


@dataclass
class PeriodGroup:
    """Events of one month (or of one year, for events dated no finer than a year or season)."""

    label: str
    count: int
    events: list[Event] = field(default_factory=list)


def group_by_period(events: list[Event], counts: dict[tuple[int, int], int]) -> list[PeriodGroup]:
    """``events`` (in date order) grouped by the period they start in, each group with the
    count of all filtered events of that period, not only those on this page."""
    groups: list[PeriodGroup] = []
    current: tuple[int, int] | None = None
    for event in events:
        month = event.date_lower.month if event.precision in ("month", "day", "minute") else 0
        period = (event.date_lower.year, month)
        if period != current:
            if event.date_lower == dates.EARLIEST:
                label = "Start not known"
            elif month:
                label = f"{dates.MONTHS[month - 1]} {period[0]}"
            else:
                label = f"{period[0]} (year or season only)"
            groups.append(PeriodGroup(label=label, count=counts.get(period, 0)))
            current = period
        groups[-1].events.append(event)
    return groups


# How long the page's aggregates are kept: they are keyed on the timeline's content time, so an
# edit is seen at once; the limit only bounds relative filters ("from=-90d") and memory.
AXIS_AGGREGATES_SECONDS = 3600


def axis_aggregates(timeline: Timeline, events: Any) -> tuple[dict[str, Any], dict[Any, tuple[int, int]]]:
    """The count, date window and counts per month of ``events`` (a filtered, access-checked
    queryset of ``timeline``), for the axis.

    They read every event shown: 0.8 s at 100,000 events, growing with the timeline. They
    are kept in the cache under the queryset's SQL (which holds the filters and the reader's
    access) and the timeline's content time, which every change of its events moves, so
    views between two changes of a timeline share one computation.
    """
    sql, params = events.order_by().query.sql_with_params()
    digest = hashlib.sha256(repr((sql, params, timeline.content_changed_at.isoformat())).encode()).hexdigest()
    key = f"timeline:axis-aggregates:{timeline.pk}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    known_lower = ~Q(date_lower=dates.EARLIEST)
    known_upper = ~Q(date_upper=dates.LATEST)
    stats = events.order_by().aggregate(
        count=Count("pk", distinct=True),
        lower=Min("date_lower", filter=known_lower),
        upper=Max("date_upper", filter=known_upper),
        lowest_upper=Min("date_upper", filter=known_upper),
        highest_lower=Max("date_lower", filter=known_lower),
    )
    per_period = events_per_period(events) if stats["count"] else {}
    cache.set(key, (stats, per_period), AXIS_AGGREGATES_SECONDS)
    return stats, per_period


def timeline_context(request: HttpRequest, timeline: Timeline) -> tuple[dict[str, Any], bool]:
    """What the page and its embed show of ``timeline`` for this request's filters: the axis
    over the filtered events, one page of them grouped by month, and the filter form.

    Bounded on any size: one aggregate, at most :data:`axis.MARK_LIMIT` marks (else counts
    per month and the key events), :data:`PAGE_SIZE` listed events. Returns the context and
    whether the filters were valid.
    """
    params = request.GET.copy()
    params.pop("timeline", None)
    page_number = _page_number(params)
    lanes = params.pop("lanes", [""])[-1]
    # Empty form fields are no filter; links to exports carry only what was chosen.
    for name in [name for name, values in params.lists() if not any(values)]:
        params.pop(name)
    filterset = EventFilter(params, queryset=events_listed_for(request.user, timeline=timeline), request=request)
    _checkbox_widgets(filterset)
    valid = filterset.is_valid()
    query = params.urlencode()
    # Links within the page keep its lanes; exports and the filter form do not need them.
    view_params = params.copy()
    if lanes:
        view_params["lanes"] = lanes
    context: dict[str, Any] = {
        "timeline": timeline,
        "filterset": filterset,
        "can_see_drafts": reads_everything(request.user, "event"),
        "parameter_errors": {
            name: messages for name, messages in filterset.errors.items() if name not in filterset.form.fields
        },
        "filters_in_words": filterset.describe() if valid else [],
        "query": query,
        "groups": [],
        "axis": None,
        "checkbox_filters": CHECKBOX_FILTERS,
        "view_query": view_params.urlencode(),
        "lanes": lanes,
        "lane_links": [
            (text, _with_params(params, lanes=value) if value else _with_params(params), value == lanes)
            for value, text in [("", "None"), *((value, text) for value, (text, _) in LANE_CHOICES.items())]
        ],
    }
    if lanes and lanes not in LANE_CHOICES:
        context["parameter_errors"]["lanes"] = [f"“{lanes}” is not a choice: use lanes=tag or lanes=actor."]
        valid = False
    if not valid:
        return context, False
    events = filterset.qs
    # The window spans the days sources state: the stored bounds of open ends (years 1 and
    # 9999) are left out, and each event's other bound still counts.
    stats, per_period = axis_aggregates(timeline, events)
    total = stats["count"]
    counts = {period: count for period, (count, _) in per_period.items()}
    if total:
        window = _axis_window(stats, filterset.form.cleaned_data.get("overlaps"))
        group_labels = LANE_CHOICES[lanes][1] if lanes else None
        if total <= axis.MARK_LIMIT:
            drawn = axis.layout(
                axis_events(events, lanes=lanes or None),
                start=window[0],
                end=window[1],
                total=total,
                group_labels=group_labels,
            )
        else:
            # Too many to draw: the key events, over counts of the others per month.
            others = {period: count - keys for period, (count, keys) in per_period.items()}
            # The first key events chosen by id before axis_events joins and groups: sliced after
            # its GROUP BY, every key event of the timeline was joined and grouped (450 ms for
            # the 20,000 key events of 1,000,000).
            first_keys = events.filter(key=True).values("pk")[: axis.MARK_LIMIT]
            keys = axis_events(events.filter(pk__in=first_keys), lanes=lanes or None)
            drawn = axis.layout(
                keys, start=window[0], end=window[1], total=total, counts=others, group_labels=group_labels
            )
        context["axis"] = drawn
        context["zoom_links"] = [
            (label, _with_params(view_params, overlaps=value)) for label, value in axis.zoom_levels(*window)
        ]
        context["zoomed"] = bool(filterset.form.cleaned_data.get("overlaps"))
        unzoomed = view_params.copy()
        unzoomed.pop("overlaps", None)
        context["zoom_out"] = "?" + unzoomed.urlencode()
        context["zoom_base"] = "?" + (unzoomed.urlencode() + "&" if unzoomed else "")
    pages = max(1, -(-total // PAGE_SIZE))
    page_number = min(page_number, pages)
    offset = (page_number - 1) * PAGE_SIZE
    scope = events_listed_for(request.user, timeline=timeline)
    claims = claims_prefetch(access.claims_visible_to(request.user, events=scope))
    listed = list(events_with_relations(events).prefetch_related(claims)[offset : offset + PAGE_SIZE]) if total else []
    for event in listed:
        attach_claim_views(event)
    context.update(
        {
            "total": total,
            "groups": group_by_period(listed, counts),
            "page_number": page_number,
            "pages": pages,
            "previous_page": _with_params(view_params, page=page_number - 1) if page_number > 1 else "",
            "next_page": _with_params(view_params, page=page_number + 1) if page_number < pages else "",
            "first_shown": offset + 1,
            "last_shown": offset + len(listed),
            "exports": timeline_export_links(timeline, request, query=query),
        }
    )
    return context, True


def _axis_window(stats: dict[str, Any], overlaps: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date]:
    """The axis's window: the ``overlaps`` period when one is chosen, else whole months around
    the days sources state (``stats``: the known bounds of the filtered events). An open end of
    ``overlaps`` ("2024-10/..") stops at the events' known bounds, never at year 9999."""
    lows = [day for day in (stats["lower"], stats["lowest_upper"]) if day is not None]
    highs = [day for day in (stats["upper"], stats["highest_lower"]) if day is not None]
    known = axis.window_for(min(lows), max(highs)) if lows and highs else None
    if overlaps is None:
        return known or axis.window_for(dt.date.today(), dt.date.today())
    lower, upper = overlaps
    if known is not None:
        lower = known[0] if lower == dates.EARLIEST else lower
        upper = known[1] if upper == dates.LATEST else upper
    if upper < lower:
        upper = lower
    return lower, upper


def _page_number(params: QueryDict) -> int:
    """The ``page`` parameter, removed from ``params``; 1 when missing or not a positive number."""
    text = params.pop("page", ["1"])[-1]
    return int(text) if text.isdigit() and 0 < int(text) < 10**6 else 1


def _with_params(params: QueryDict, **changes: Any) -> str:
    """``?query`` for ``params`` with ``changes`` applied (a page of 1 is left out)."""
    copy = params.copy()
    for name, value in changes.items():
        copy.pop(name, None)
        if not (name == "page" and value == 1):
            copy[name] = str(value)
    return "?" + copy.urlencode()


def _checkbox_widgets(filterset: EventFilter) -> None:
    """Checkboxes instead of multi-selects on the page: usable without Ctrl-click, by touch
    and by keyboard; the parameters sent are the same repeated names.

    Each such form field gets ``checkbox_options``: (value, label, checked) for the page to
    draw in one loop (a widget template per option costs more than the rest of the page).
    Model choices are read once, one query each.
    """
    data = filterset.data
    for name in CHECKBOX_FILTERS:
        form_field = filterset.form.fields[name]
        chosen = set(data.getlist(name)) if hasattr(data, "getlist") else set()
        options = []
        for value, label in iter(getattr(form_field, "choices", [])):
            text = str(value)
            options.append((text, label, text in chosen))
        # Read by timeline_detail.html.
        form_field.checkbox_options = options
    for name, form_field in filterset.form.fields.items():
        if form_field.help_text:
            form_field.widget.attrs["aria-describedby"] = f"help-{name}"


def timeline_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A timeline's axis and events, filtered by the same parameters as the API, feed and brief.

    Invalid filter values answer 400 with the form's messages on the page.
    """
    timeline = get_object_or_404(timelines_visible_to(request.user), slug=slug)
    context, valid = timeline_context(request, timeline)
    embed_path = reverse("timeline:timeline-embed", kwargs={"slug": timeline.slug})
    embed_url = request.build_absolute_uri(embed_path) + ("?" + context["view_query"] if context["view_query"] else "")
    context["embeddable"] = timeline.visibility in READABLE_BY_LINK
    context["embed_code"] = embed_iframe(embed_url, timeline.title)
    context["oembed_url"] = (
        request.build_absolute_uri(reverse("timeline:oembed"))
        + "?"
        + urlencode({"url": request.build_absolute_uri(timeline.get_absolute_url()), "format": "json"})
    )
    response = render(request, "timeline/timeline_detail.html", context, status=200 if valid else 400)
    return with_reader_cache_control(request, response)


def embed_iframe(url: str, title: str) -> str:
    """The ``<iframe>`` code a news site pastes to embed ``url``."""
    from django.utils.html import format_html

    return str(
        format_html(
            '<iframe src="{}" title="{}" width="100%" height="{}" loading="lazy"></iframe>',
            url,
            f"Timeline: {title}",
            EMBED_HEIGHT,
        )
    )


@xframe_options_exempt
def timeline_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The axis and list alone, for iframes on other sites.

    Public and unlisted timelines may be framed by the origins of the
    ``TIMELINE_EMBED_FRAME_ANCESTORS`` setting; a private timeline's embed (for
    editors) refuses framing like every other page. Links open in the top window.
    """
    timeline = get_object_or_404(timelines_visible_to(request.user), slug=slug)
    context, valid = timeline_context(request, timeline)
    context["link_target"] = "_top"
    response = render(request, "timeline/embed.html", context, status=200 if valid else 400)
    if timeline.visibility in READABLE_BY_LINK:
        # django-csp's per-response override (what its csp_replace decorator sets), read
        # per request so the setting can change without a restart of the tests.
        response._csp_replace = {"frame-ancestors": list(settings.TIMELINE_EMBED_FRAME_ANCESTORS)}  # type: ignore[attr-defined]
    else:
        response["X-Frame-Options"] = "DENY"
    return with_reader_cache_control(request, response)


def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed (https://oembed.com) for timeline pages: ``?url=<page address>`` answers the
    rich embed's JSON. 404 for an address that is not a timeline the reader may embed,
    501 for a format other than JSON, as the specification asks."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only the JSON format is offered.", status=501, content_type="text/plain")
    path = urlsplit(request.GET.get("url", "")).path
    try:
        match = resolve(path)
    except Resolver404:
        raise Http404("Not a timeline page.") from None
    if match.url_name not in ("timeline-detail", "timeline-embed") or match.namespace != "timeline":
        raise Http404("Not a timeline page.")
    timeline = get_object_or_404(
        timelines_visible_to(request.user).filter(visibility__in=READABLE_BY_LINK), slug=match.kwargs["slug"]
    )
    embed_url = request.build_absolute_uri(reverse("timeline:timeline-embed", kwargs={"slug": timeline.slug}))
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": timeline.title,
            "provider_name": "Event timelines",
            "provider_url": request.build_absolute_uri("/"),
            "width": EMBED_WIDTH,
            "height": EMBED_HEIGHT,
            "html": embed_iframe(embed_url, timeline.title),
        }
    )


def timeline_export_links(timeline: Timeline, request: HttpRequest, *, query: str) -> dict[str, str]:
    """Where the filtered view ``query`` of ``timeline`` can be taken: calendar, brief, tables, API."""
    links = timeline_subscribe_links(timeline, request, query=query)
    suffix = "?" + query if query else ""
    links["brief"] = request.build_absolute_uri(timeline_brief_path(timeline.slug)) + suffix
    for identifier in TABLE_EXPORTS:
        links[identifier] = request.build_absolute_uri(timeline_export_path(timeline.slug, identifier)) + suffix
    api_query = urlencode({"timeline": timeline.slug}) + ("&" + query if query else "")
    links["api"] = request.build_absolute_uri(reverse("api:event-list")) + "?" + api_query
    return links


def event_json_ld(event: Event, url: str) -> str:
    """schema.org ``Event`` JSON-LD for ``event``, safe to place in a ``<script>`` data block."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": event.date_lower.isoformat(),
        "endDate": event.date_upper.isoformat(),
        "description": event.summary or event.title,
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if event.location:
        data["location"] = {"@type": "Place", "name": event.location}
    # "<", ">" and "&" escaped so the text cannot end the <script> element it sits in.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def event_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """The event's permalink, linked from feeds, briefs and the API. 404 for drafts and private events."""
    event = events_with_relations(events_visible_to(request.user)).filter(uid=uid).first()
    if event is None:
        raise Http404("No such event.")
    # Claims whose claimant the reader may see in this timeline, in the order made (access policy).
    scope = events_listed_for(request.user, timeline=event.timeline)
    claims = access.claims_visible_to(request.user, events=scope).filter(event=event)
    prefetch_related_objects([event], claims_prefetch(claims))
    attach_claim_views(event)
    fuzzy = event.fuzzy_date
    context = {
        "event": event,
        "reading": fuzzy.interpretation(),
        "changes": event.version - 1,
        "calendar_url": event_calendar_path(event.uid),
        "api_url": reverse("api:event-detail", kwargs={"uid": event.uid}),
        "feed_url": timeline_calendar_path(event.timeline.slug),
        "brief_url": timeline_brief_path(event.timeline.slug),
        "json_ld": event_json_ld(event, request.build_absolute_uri(event.get_absolute_url())),
    }
    return with_reader_cache_control(request, render(request, "timeline/event_detail.html", context))


def feed_event_detail(request: HttpRequest, key: str, uid: Any) -> HttpResponse:
    """An event of a private timeline, for the subscribers of its private feed: the feed's event
    links carry ``key`` (``access.feed_event_key``) and the feed's filter as the query.

    404, exactly like a missing event, unless the key was made from the timeline's current
    token and this very filter and the event is published and passes the filter. The page
    links nowhere a subscriber cannot follow (the timeline's pages, feed and brief are
    private), and is neither cached by others, indexed, nor named in a Referer.
    """
    query = canonical_filter_query(request.GET)
    events = access.events_readable_with_feed_key(key, uid=uid, query=query)
    filterset = EventFilter(QueryDict(query), queryset=events)
    event = events_with_relations(filterset.qs).filter(uid=uid).first() if filterset.is_valid() else None
    if event is None:
        raise Http404("No such event.")
    context = {
        "event": event,
        "reading": event.fuzzy_date.interpretation(),
        "changes": event.version - 1,
        "by_capability": True,
    }
    response = render(request, "timeline/event_detail.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def attach_claim_views(event: Event) -> None:
    """Give ``event`` (with ``claim_list`` prefetched, see ``queries.claims_prefetch``) the
    ``claim_views`` and the one-line ``claims_line`` that pages show."""
    backing = {c.pk: (c.source.reliability, c.quote) for c in event.citations.all()}
    views = [claim_view_of(claim, backing) for claim in getattr(event, "claim_list", ())]
    event.claim_views = views  # type: ignore[attr-defined]
    event.claims_line = claims_line(views)  # type: ignore[attr-defined]


def with_reader_cache_control(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let shared caches keep a successful page for ``TIMELINE_PUBLIC_MAX_AGE`` seconds when an
    anonymous reader asked (every anonymous reader gets the same page); never a signed-in
    reader's page, which may show drafts and private timelines."""
    if response.status_code == 200 and not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=settings.TIMELINE_PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response
