"""The shipped export formats, registered with :mod:`timeline.export`: each declares its
media type and fingerprint and renders an :class:`~timeline.export.ExportSnapshot`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

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


class EventsExporter(Exporter):
    """A format whose writer needs only the events: ``writer`` names the function
    (``events -> bytes``), imported when the first file of the format is rendered."""

    writer = ""

    def render(self, snapshot: ExportSnapshot) -> bytes:
        return import_string(self.writer)(snapshot.events)


@register
class CsvExporter(EventsExporter):
    """The events as CSV in the columns the importers read back (``exporters/table.py``)."""

    identifier, media_type, extension = "csv", "text/csv; charset=utf-8", "csv"
    writer = "timeline.exporters.table.render_csv"


@register
class XlsxExporter(EventsExporter):
    """The same table as an Excel workbook."""

    identifier, extension = "xlsx", "xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    writer = "timeline.exporters.table.render_xlsx"


@register
class TimelineJSExporter(Exporter):
    """TimelineJS3 JSON, for newsrooms' embeds (``exporters/timelinejs.py``)."""

    identifier = "timelinejs"
    media_type = "application/json"
    extension = "json"

    def render(self, snapshot: ExportSnapshot) -> bytes:
        from timeline.exporters.timelinejs import render_timelinejs

        return render_timelinejs(title=snapshot.title, description=snapshot.description, events=snapshot.events)

    def filename(self, slug: str, snapshot_words: Sequence[str] = ()) -> str:
        return f"{slug}{'-filtered' if snapshot_words else ''}.timelinejs.json"


@register
class GeoJSONExporter(EventsExporter):
    """Located events as GeoJSON (``exporters/geojson.py``)."""

    identifier, media_type, extension = "geojson", "application/geo+json", "geojson"
    writer = "timeline.exporters.geojson.render_geojson"
