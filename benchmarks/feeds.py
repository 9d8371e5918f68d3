"""Calendar feed benchmark: naive icalendar build vs. our feed, each case in a fresh process.

The data is realistic: 10,000 events whose dates are spread over 20 years in
every precision (about half of them on a date no other event has, including
open intervals and timed moments) with distinct titles, summaries and quotes
(``harness.seed``). Every case below runs in its own subprocess, so nothing a
case computed (parsed dates, imported modules, cached blocks) helps another:

* naive: the same event query, then one ``icalendar.Calendar`` with every event
  added through icalendar's API, then ``to_ical()`` (what most projects do);
* cold: the first GET of a fresh process with an empty cache (query, parse every
  date, render every block, join, store);
* after an edit: a GET after the timeline's content time moved (body cache
  missed, every block cached);
* warm: a GET whose body is cached (median of 11 in one process);
* 304: a GET with the ETag from before, with its query count (median of 11).

Each subprocess is started three times and the median is reported. Targets:
cold at least as fast as naive (issue 9; >= 5x wanted), warm <= 10 ms, 304 in
one query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

SLUG = "bench-feeds"
CASES = ("naive", "cold", "after_edit", "warm", "not_modified")
PROCESSES = 3


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
        if event.date_upper < dt.date.max:
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
    from benchmarks.harness import report, seed
    from timeline.models import Event, Timeline

    if not Timeline.objects.filter(slug=SLUG).exists():
        seed(events, slug=SLUG)
    queryset = Event.objects.published().filter(timeline__slug=SLUG).exclude(precision="year")
    distinct_dates = queryset.values("date").distinct().count()
    results = {case: _median_of_processes(case) for case in CASES}
    naive, cold = results["naive"], results["cold"]
    rows = [
        ("naive: query + icalendar build + to_ical", f"{naive['seconds'] * 1000:.0f} ms"),
        ("ours, cold (fresh process, empty cache)", f"{cold['seconds'] * 1000:.0f} ms ({cold['queries']} queries)"),
        ("ours, after an edit (blocks cached)", f"{results['after_edit']['seconds'] * 1000:.0f} ms"),
        (
            "ours, warm (body cached)",
            f"{results['warm']['seconds'] * 1000:.1f} ms ({results['warm']['queries']} queries)",
        ),
        (
            "304 Not Modified",
            f"{results['not_modified']['seconds'] * 1000:.1f} ms ({results['not_modified']['queries']} queries)",
        ),
        ("cold speed-up over naive (target >= 1x)", f"{naive['seconds'] / cold['seconds']:.1f}x"),
        ("warm target <= 10 ms", "met" if results["warm"]["seconds"] <= 0.010 else "MISSED"),
        ("304 target 1 query", "met" if results["not_modified"]["queries"] <= 1 else "MISSED"),
        ("feed size", f"{cold['bytes'] / 1e6:.2f} MB raw, {cold['gzipped'] / 1e6:.2f} MB gzipped"),
    ]
    report(
        f"Calendar feed, {events} events ({cold['vevents']} in the subscription feed, {distinct_dates} distinct "
        f"dates; year-precision left out); median of {PROCESSES} fresh processes per case",
        rows,
    )


def _median_of_processes(case: str) -> dict[str, Any]:
    samples = []
    for _ in range(PROCESSES):
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.feeds", "--case", case],
            check=True,
            capture_output=True,
            text=True,
            # The feed render throttle would count the benchmark's own requests.
            env={**os.environ, "FEED_THROTTLE": "1000000/hour"},
        )
        samples.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    middle = statistics.median(sample["seconds"] for sample in samples)
    return next(sample for sample in samples if sample["seconds"] == middle)


def _worker(case: str) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from timeline.models import Timeline

    settings.ALLOWED_HOSTS = ["*"]
    timeline = Timeline.objects.get(slug=SLUG)
    # A shared cache (Redis) outlives processes: every case starts from an empty one.
    cache.clear()
    if case == "naive":
        started = time.perf_counter()
        body = naive_calendar(timeline)
        return {"seconds": time.perf_counter() - started, "bytes": len(body), "queries": 0}
    url = reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})
    # secure: production settings redirect plain http to https.
    client = Client(secure=True)
    if case != "cold":
        first = client.get(url)
        assert first.status_code == 200
        if case == "after_edit":
            Timeline(pk=timeline.pk).touch()
    headers = {"if-none-match": first["ETag"]} if case == "not_modified" else {}
    # Warm and 304 are repeated requests by definition: the median of 11 in this process.
    repeat = 11 if case in ("warm", "not_modified") else 1
    samples = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append(time.perf_counter() - started)
    seconds = statistics.median(samples)
    assert response.status_code == (304 if case == "not_modified" else 200)
    body = response.content
    return {
        "seconds": seconds,
        "queries": len(queries),
        "bytes": len(body),
        "gzipped": len(gzip.compress(body)) if body else 0,
        "vevents": body.count(b"BEGIN:VEVENT"),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="one feed case in a fresh process, for benchmarks.feeds.run")
    parser.add_argument("--case", choices=CASES, required=True)
    print(json.dumps(_worker(parser.parse_args().case)))
