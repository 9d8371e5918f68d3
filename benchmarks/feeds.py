"""Calendar feed benchmark: naive icalendar build vs. our feed, cold, after an edit, warm and 304.

* naive: the same event query, then one ``icalendar.Calendar`` with every event
  added through icalendar's API, then ``to_ical()`` (what most projects do);
* cold: a GET with an empty cache (query, render every block, join, store);
* after an edit: a GET after the timeline's content time moved (body cache
  missed, every block cached);
* warm: a GET whose body is cached;
* 304: a GET with the ETag from before, with its query count.

Targets: cold >= 5x faster than naive, warm <= 30 ms, 304 with <= 2 queries.
"""

from __future__ import annotations

import datetime as dt
import gzip

from benchmarks.harness import median_time, report, seed


def naive_events(timeline) -> list:
    """The baseline's read: the shared ``events_with_relations`` query (model instances, prefetch)."""
    from timeline.models import Event
    from timeline.queries import events_with_relations

    return list(events_with_relations(Event.objects.published().filter(timeline=timeline).exclude(precision="year")))


def naive_calendar(timeline, events=None) -> bytes:
    """The baseline: build one icalendar.Calendar with every event, then serialise it."""
    import icalendar
    from django.conf import settings

    events = naive_events(timeline) if events is None else events
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Naive//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("X-WR-CALNAME", timeline.title)
    for event in events:
        vevent = icalendar.Event()
        vevent.add("UID", str(event.uid))
        vevent.add("DTSTAMP", event.updated_at)
        vevent.add("CREATED", event.created_at)
        vevent.add("LAST-MODIFIED", event.updated_at)
        vevent.add("SEQUENCE", event.version)
        vevent.add("DTSTART", event.date_lower)
        vevent.add("DTEND", event.date_upper + dt.timedelta(days=1))
        vevent.add("SUMMARY", event.title)
        sources = "\n".join(
            f"{n}. {c.source.title} — {c.source.publisher} — {c.source.url}"
            for n, c in enumerate(event.citations.all(), start=1)
        )
        vevent.add("DESCRIPTION", f"Date: {event.date}\n\n{event.summary}\n\n{sources}")
        if event.location:
            vevent.add("LOCATION", event.location)
        vevent.add("CATEGORIES", [tag.name for tag in event.tags.all()])
        vevent.add("URL", settings.SITE_URL + event.get_absolute_url())
        vevent.add("TRANSP", "TRANSPARENT")
        vevent.add("X-TIMELINE-EDTF", icalendar.vText(event.date))
        calendar.add_component(vevent)
    return calendar.to_ical()


def run(events: int = 10_000) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from timeline.models import Timeline

    timeline = seed(events, slug="bench-feeds")
    url = reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})
    client = Client()

    def cold() -> None:
        cache.clear()
        assert client.get(url).status_code == 200

    def after_edit() -> None:
        Timeline(pk=timeline.pk).touch()
        assert client.get(url).status_code == 200

    def warm() -> None:
        assert client.get(url).status_code == 200

    from timeline import feeds
    from timeline.exporters import ical
    from timeline.models import Event

    naive_seconds = median_time(lambda: naive_calendar(timeline), repeat=3)
    fetched = naive_events(timeline)
    naive_render_seconds = median_time(lambda: naive_calendar(timeline, fetched), repeat=3)
    queryset = Event.objects.published().filter(timeline=timeline).exclude(precision="year")
    rows_seconds = median_time(lambda: feeds.feed_events(queryset), repeat=3)
    feed_events = feeds.feed_events(queryset)
    header = ical.CalendarHeader(name=timeline.title)
    options = feeds.export_options()
    render_seconds = median_time(lambda: ical.render_calendar(feed_events, header, options), repeat=3)
    cold_seconds = median_time(cold, repeat=3)
    after_edit_seconds = median_time(after_edit, repeat=5)
    response = client.get(url)
    body = response.content
    etag = response["ETag"]
    warm_seconds = median_time(warm, repeat=11)

    def not_modified() -> None:
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304

    not_modified_seconds = median_time(not_modified, repeat=11)
    with CaptureQueriesContext(connection) as queries:
        not_modified()
    with CaptureQueriesContext(connection) as warm_queries:
        warm()
    cache.clear()
    with CaptureQueriesContext(connection) as cold_queries:
        warm()

    vevents = body.count(b"BEGIN:VEVENT")
    report(
        f"Calendar feed, {events} events ({vevents} in the subscription feed; year-precision left out)",
        [
            ("naive: query + icalendar build + to_ical", f"{naive_seconds * 1000:.0f} ms"),
            ("  of which icalendar build + to_ical", f"{naive_render_seconds * 1000:.0f} ms"),
            ("ours: export query (3 queries, no models)", f"{rows_seconds * 1000:.0f} ms"),
            ("ours: render every block, no cache", f"{render_seconds * 1000:.0f} ms"),
            ("ours, cold (empty cache)", f"{cold_seconds * 1000:.0f} ms ({len(cold_queries)} queries)"),
            ("ours, after an edit (blocks cached)", f"{after_edit_seconds * 1000:.0f} ms"),
            ("ours, warm (body cached)", f"{warm_seconds * 1000:.1f} ms ({len(warm_queries)} queries)"),
            ("304 Not Modified", f"{not_modified_seconds * 1000:.1f} ms ({len(queries)} queries)"),
            ("cold speed-up over naive", f"{naive_seconds / cold_seconds:.1f}x (target >= 5x)"),
            ("render-only speed-up over icalendar", f"{naive_render_seconds / render_seconds:.1f}x"),
            ("warm target <= 30 ms", "met" if warm_seconds <= 0.030 else "MISSED"),
            ("304 target <= 2 queries", "met" if len(queries) <= 2 else "MISSED"),
            ("feed size", f"{len(body) / 1e6:.2f} MB raw, {len(gzip.compress(body)) / 1e6:.2f} MB gzipped"),
            ("bytes per event", f"{len(body) // max(vevents, 1)}"),
        ],
    )
