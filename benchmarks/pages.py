"""Reader page benchmark: a timeline page of ``events`` events against one of 100.

Server time is the median of GETs of ``/timelines/<slug>/`` through Django's test client;
the page's size is counted in SVG marks, counted periods and listed events. Target: the
large page's server time <= 3x the small page's (the axis counts instead of drawing, the
list is paged). The in-browser time-to-interactive ratio is not measured here yet.
"""

from __future__ import annotations

from benchmarks.harness import median_time, report, seed


def run(events: int = 10_000) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    large = seed(events, slug="bench-pages-large")
    small = seed(100, slug="bench-pages-small", seed_value=2)
    client = Client()
    rows = []
    seconds = {}
    for name, timeline in (("100 events", small), (f"{events} events", large)):
        url = reverse("timeline:timeline-detail", kwargs={"slug": timeline.slug})

        def get(url: str = url) -> bytes:
            response = client.get(url)
            assert response.status_code == 200
            return response.content

        seconds[name] = median_time(get, repeat=5)
        with CaptureQueriesContext(connection) as queries:
            body = get()
        marks, bins, listed = (body.count(part) for part in (b'class="mark ', b'class="bin"', b'<li class="status-'))
        rows.append(
            (
                f"{name}: server time",
                f"{seconds[name] * 1000:.0f} ms ({len(queries)} queries, {len(body) / 1e3:.0f} kB, "
                f"{marks} marks, {bins} counted periods, {listed} listed)",
            )
        )
    ratio = seconds[f"{events} events"] / seconds["100 events"]
    rows.append(("server time ratio", f"{ratio:.1f}x (target <= 3x): {'met' if ratio <= 3 else 'MISSED'}"))
    report(f"Timeline page, {events} events against 100", rows)
