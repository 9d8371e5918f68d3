"""Public HTML pages: the canonical, human-readable address of an event."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from timeline.queries import events_visible_to, events_with_relations


def event_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """The event's permalink, linked from feeds, briefs and the API. 404 for drafts and private events."""
    event = events_with_relations(events_visible_to(request.user)).filter(uid=uid).first()
    if event is None:
        raise Http404("No such event.")
    return render(request, "timeline/event_detail.html", {"event": event})
