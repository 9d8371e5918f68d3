"""Addresses of the calendar feeds and PDF briefs, in one place.

The feeds and briefs own these routes; the API and pages link to them as plain
paths built here, so a route that moves is changed in one spot.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.urls import reverse


def event_calendar_path(uid: UUID | str) -> str:
    """The one-event iCalendar file, e.g. ``/events/<uid>.ics``."""
    return reverse("timeline:event-ics", kwargs={"uid": uid})


def timeline_calendar_path(slug: str) -> str:
    """The timeline's calendar feed, e.g. ``/timelines/<slug>/calendar.ics``."""
    return reverse("timeline:timeline-feed", kwargs={"slug": slug})


def timeline_brief_path(slug: str) -> str:
    """The timeline's PDF brief, e.g. ``/timelines/<slug>/brief.pdf``."""
    return reverse("timeline:timeline-brief", kwargs={"slug": slug})


# The table and data exports (timeline/exporters/formats.py), by exporter identifier.
TABLE_EXPORTS = ("csv", "xlsx", "timelinejs", "geojson")


def timeline_export_path(slug: str, identifier: str) -> str:
    """A timeline's export in one of :data:`TABLE_EXPORTS`, e.g. ``/timelines/<slug>/events.csv``."""
    return reverse(f"timeline:timeline-{identifier}", kwargs={"slug": slug})


def event_page_path(uid: UUID | str) -> str:
    """The event's page, e.g. ``/events/<uid>/``."""
    return reverse("timeline:event-detail", kwargs={"uid": uid})


# A uid that stands in for any other in a reversed path.
UID_MARKER = "00000000-0000-0000-0000-000000000000"


def event_page_path_maker() -> Callable[[UUID | str], str]:
    """:func:`event_page_path` reversed once: at 10,000 events, ``reverse()`` per event costs
    more than rendering their calendar blocks."""
    template = event_page_path(UID_MARKER)
    return lambda uid: template.replace(UID_MARKER, str(uid))


def feed_event_path_maker(key: str, query: str = "") -> Callable[[UUID | str], str]:
    """The event links of a private feed: ``/feeds/<key>/events/<uid>/`` (``key`` from
    ``access.feed_event_key``) followed by the feed's filter ``query``, reversed once."""
    template = reverse("timeline:feed-event", kwargs={"key": key, "uid": UID_MARKER})
    template += "?" + query if query else ""
    return lambda uid: template.replace(UID_MARKER, str(uid))
