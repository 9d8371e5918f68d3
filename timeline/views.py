"""Public HTML pages: a timeline with its filters and exports, and each event's permalink."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from timeline.access import events_listed_for, events_visible_to, reads_everything, timelines_visible_to
from timeline.feeds import timeline_subscribe_links
from timeline.filters import EventFilter
from timeline.links import event_calendar_path, timeline_brief_path
from timeline.models import Timeline
from timeline.queries import events_with_relations

TIMELINE_PAGE_LIMIT = 500


def timeline_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A timeline's events, filtered by the same parameters as the API, feed and brief.

    Invalid filter values answer 400 with the form's messages on the page.
    """
    timeline = get_object_or_404(timelines_visible_to(request.user), slug=slug)
    params = request.GET.copy()
    params.pop("timeline", None)
    # Empty form fields are no filter; links to exports carry only what was chosen.
    for name in [name for name, values in params.lists() if not any(values)]:
        params.pop(name)
    filterset = EventFilter(
        params,
        queryset=events_listed_for(request.user, timeline=timeline),
        request=request,
    )
    valid = filterset.is_valid()
    events = list(events_with_relations(filterset.qs)[: TIMELINE_PAGE_LIMIT + 1]) if valid else []
    query = params.urlencode()
    context = {
        "timeline": timeline,
        "exports": timeline_export_links(timeline, request, query=query) if valid else {},
        "can_see_drafts": reads_everything(request.user, "event"),
        "parameter_errors": {
            name: messages for name, messages in filterset.errors.items() if name not in filterset.form.fields
        },
        "filterset": filterset,
        "events": events[:TIMELINE_PAGE_LIMIT],
        "truncated": len(events) > TIMELINE_PAGE_LIMIT,
        "filters_in_words": filterset.describe() if valid else [],
    }
    response = render(request, "timeline/timeline_detail.html", context, status=200 if valid else 400)
    return with_reader_cache_control(request, response)


def timeline_export_links(timeline: Timeline, request: HttpRequest, *, query: str) -> dict[str, str]:
    """Where the filtered view ``query`` of ``timeline`` can be taken: calendar, brief, API."""
    links = timeline_subscribe_links(timeline, request, query=query)
    links["brief"] = request.build_absolute_uri(timeline_brief_path(timeline.slug)) + ("?" + query if query else "")
    api_query = urlencode({"timeline": timeline.slug}) + ("&" + query if query else "")
    links["api"] = request.build_absolute_uri(reverse("api:event-list")) + "?" + api_query
    return links


def event_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """The event's permalink, linked from feeds, briefs and the API. 404 for drafts and private events."""
    event = events_with_relations(events_visible_to(request.user)).filter(uid=uid).first()
    if event is None:
        raise Http404("No such event.")
    context = {
        "event": event,
        "calendar_url": event_calendar_path(event.uid),
        "api_url": reverse("api:event-detail", kwargs={"uid": event.uid}),
    }
    return with_reader_cache_control(request, render(request, "timeline/event_detail.html", context))


def with_reader_cache_control(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let shared caches keep a successful page for ``TIMELINE_PUBLIC_MAX_AGE`` seconds when an
    anonymous reader asked (every anonymous reader gets the same page); never a signed-in
    reader's page, which may show drafts and private timelines."""
    if response.status_code == 200 and not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=settings.TIMELINE_PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response
