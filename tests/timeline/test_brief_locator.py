"""The brief's locator map, read back from the PDF and from its drawing."""

import datetime as dt
import io
import re

import pdfplumber
import pytest

from tests.factories import EventFactory, TimelineFactory
from timeline.exporters.brief import BriefEvent, BriefInfo, brief_info_for, render_brief, render_brief_snapshots
from timeline.exporters.brief.locator import _clip, _map, located
from timeline.exporters.brief.outlines import OUTLINES_PATH, country_rings
from timeline.models import Event
from timeline.queries import event_snapshots, events_with_relations

AS_OF = dt.datetime(2025, 5, 1, 12, 30, tzinfo=dt.UTC)


def located_event(pk, *, latitude=None, longitude=None, key=False):
    day = dt.date(2025, 4, pk)
    return BriefEvent(
        pk=pk,
        title=f"Event {pk}",
        summary="Summary.",
        date=day.isoformat(),
        lower=day,
        upper=day,
        precision="day",
        status="reported",
        claimant="",
        grade="C3",
        credibility=3,
        key=key,
        location="",
        reported="",
        actors=[],
        tags=[],
        citations=[],
        url="",
        latitude=latitude,
        longitude=longitude,
    )


def pdf_text(pdf):
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return " ".join(" ".join((page.extract_text() or "") for page in document.pages).split())


def test_outlines_ship_small_and_cover_every_continent():
    rings = country_rings()
    longitudes = [lon for ring in rings for lon, _ in ring]
    latitudes = [lat for ring in rings for _, lat in ring]

    assert OUTLINES_PATH.stat().st_size < 100_000
    assert len(rings) == 287
    assert (min(longitudes), max(longitudes)) == (-180.0, 180.0)
    assert min(latitudes) < -80 and max(latitudes) > 80


def test_brief_map_counts_located_events_and_names_its_outlines():
    events = [
        located_event(1, latitude=51.73, longitude=36.19, key=True),
        located_event(2, latitude=51.75, longitude=36.2),
        located_event(3, latitude=37.57, longitude=126.98),
        located_event(4),
    ]

    text = pdf_text(render_brief_snapshots(events, {}, info=BriefInfo(title="Map", as_of=AS_OF)))

    assert "3 of 4 events (75%) have coordinates." in text
    assert "Red diamonds: key events (K numbers as in the summary)." in text
    assert "Country outlines: Natural Earth 1:110m (public domain)" in text
    assert re.search(r"Map \d+ ", text)


def test_brief_without_coordinates_says_there_is_no_map():
    text = pdf_text(render_brief_snapshots([located_event(1)], {}, info=BriefInfo(title="No map", as_of=AS_OF)))

    assert "No event in this selection has coordinates, so there is no map." in text


def test_map_draws_land_only_inside_its_frame_and_a_circle_per_place():
    from reportlab.graphics.shapes import Circle, Polygon

    events = [located_event(n, latitude=51.7, longitude=36.2) for n in range(1, 6)]
    events.append(located_event(6, latitude=37.5, longitude=127.0))

    drawing, cell_km = _map(events, [], {})
    polygons = [shape for shape in drawing.contents if isinstance(shape, Polygon)]
    circles = [shape for shape in drawing.contents if isinstance(shape, Circle)]
    main_land = [p for p in polygons if p.strokeColor is not None]
    xs = [x for p in main_land for x in p.points[0::2]]
    ys = [y for p in main_land for y in p.points[1::2]]

    assert len(circles) == 2
    assert max(c.r for c in circles) > min(c.r for c in circles)
    assert min(xs) >= -0.01 and max(xs) <= drawing.width + 0.01
    assert min(ys) >= -0.01 and max(ys) <= drawing.height + 0.01
    assert cell_km > 0


def test_clip_cuts_a_ring_to_the_box():
    square = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)]

    clipped = _clip(square, (0.0, 0.0, 10.0, 10.0))

    assert sorted(clipped) == [(0.0, 0.0), (0.0, 5.0), (5.0, 0.0), (5.0, 5.0)]


@pytest.mark.django_db
def test_brief_map_reads_coordinates_from_events():
    timeline = TimelineFactory(slug="located")
    EventFactory(timeline=timeline, published=True, latitude=51.73, longitude=36.19)
    EventFactory(timeline=timeline, published=True, latitude=None, longitude=None)
    events = events_with_relations(Event.objects.filter(timeline=timeline))

    pdf = render_brief(events, info=brief_info_for(timeline, as_of=AS_OF))

    assert "1 of 2 events (50%) have coordinates." in pdf_text(pdf)
    assert [event.latitude for event in located([*events])] == [51.73]


@pytest.mark.django_db
def test_brief_map_reads_coordinates_from_event_snapshots():
    """The pipeline's route (queries.event_snapshots, as briefs.py and the admin action
    use it) carries the coordinates to the map as the model route does."""
    timeline = TimelineFactory(slug="located-snapshots")
    EventFactory(timeline=timeline, published=True, latitude=51.73, longitude=36.19)
    EventFactory(timeline=timeline, published=True, latitude=None, longitude=None)
    snapshots = event_snapshots(Event.objects.filter(timeline=timeline))

    pdf = render_brief(snapshots, info=brief_info_for(timeline, as_of=AS_OF))

    assert "1 of 2 events (50%) have coordinates." in pdf_text(pdf)


def test_map_labels_key_events_at_one_place_once():
    from reportlab.graphics.shapes import String

    events = [located_event(n, latitude=51.7, longitude=36.2, key=True) for n in range(1, 6)]
    events.append(located_event(6, latitude=37.5, longitude=127.0, key=True))
    numbers = {event.pk: event.pk for event in events}

    drawing, _ = _map(events, events, numbers)
    labels = [shape.text for shape in drawing.contents if isinstance(shape, String) and shape.text.startswith("K")]

    assert sorted(labels) == ["K1, K2, K3 +2", "K6"]
