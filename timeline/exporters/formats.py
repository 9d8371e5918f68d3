"""The shipped export formats, registered with :mod:`timeline.export`: each declares its
media type and fingerprint and renders an :class:`~timeline.export.ExportSnapshot`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache

from timeline.export import Exporter, ExportSnapshot, register
from timeline.exporters import ical


@register
class CalendarExporter(Exporter):
    """iCalendar (RFC 5545): a feed, or a download of one event."""

    identifier = "ics"
    media_type = "text/calendar; charset=utf-8"
    extension = "ics"

    def __init__(self) -> None:
        # Read per request, never at import.
        self.options = ical.ExportOptions(
            site_url=settings.SITE_URL,
            description_max=settings.TIMELINE_FEED_DESCRIPTION_MAX,
            refresh=dt.timedelta(hours=settings.TIMELINE_FEED_REFRESH_HOURS),
        )

    def fingerprint(self) -> str:
        return f"{ical.BLOCK_FORMAT}|{self.options.fingerprint}|{self.options.refresh.total_seconds()}"

    def render(self, snapshot: ExportSnapshot) -> bytes:
        words = snapshot.filter_words
        name = snapshot.title + (f" ({' · '.join(words)})" if words else "")
        header = ical.CalendarHeader(name=name, description=snapshot.description.strip())
        return ical.render_calendar(list(snapshot.events), header, self.options, cache=cache)


@register
class BriefExporter(Exporter):
    """The PDF brief (reportlab, imported only when a brief is rendered)."""

    identifier = "pdf"
    media_type = "application/pdf"
    extension = "pdf"

    def __init__(self) -> None:
        self.site_url = settings.SITE_URL
        self.max_events = settings.TIMELINE_BRIEF_MAX_EVENTS

    def fingerprint(self) -> str:
        from timeline.exporters.brief import brief_cache_fingerprint

        return f"{brief_cache_fingerprint()}|{self.site_url}"

    def render(self, snapshot: ExportSnapshot) -> bytes:
        from timeline.exporters.brief import BriefInfo, render_brief

        info = BriefInfo(
            title=snapshot.title,
            description=snapshot.description,
            marking=snapshot.marking,
            as_of=snapshot.as_of,
            filter_words=snapshot.filter_words,
            data_version=snapshot.data_version,
            site_url=self.site_url,
            bottom_line=snapshot.bottom_line,
            key_judgements=snapshot.key_judgements,
        )
        return render_brief(snapshot.events, info=info)
