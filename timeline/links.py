"""Addresses of the calendar feeds and PDF briefs, in one place.

The feeds and briefs own these routes; the API and pages link to them as plain
paths built here, so a route that moves is changed in one spot.
"""

from __future__ import annotations

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
