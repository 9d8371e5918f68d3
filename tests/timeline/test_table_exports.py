"""CSV, XLSX, TimelineJS and GeoJSON exports: one pipeline, one filter, one access policy."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.test import Client

from tests.factories import EventFactory, TagFactory, TimelineFactory
from tests.timeline.api_helpers import client_for
from timeline.importers import import_rows, read

pytestmark = pytest.mark.django_db

FORMATS = ["events.csv", "events.xlsx", "timelinejs.json", "events.geojson"]


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", FORMATS)
def test_each_export_follows_the_filter_and_answers_304(name):
    timeline = TimelineFactory()
    tag = TagFactory(slug="munitions")
    kept = EventFactory(timeline=timeline, title="Shells", latitude=51.7, longitude=36.2)
    kept.tags.add(tag)
    EventFactory(timeline=timeline, title="Other", latitude=50.0, longitude=30.0)
    client = Client()
    response = client.get(f"/timelines/{timeline.slug}/{name}?tag=munitions")
    assert response.status_code == 200
    assert b"Shells" in response.content if name != "events.xlsx" else True
    assert b"Other" not in response.content
    assert response["Content-Disposition"].startswith("attachment")
    again = client.get(f"/timelines/{timeline.slug}/{name}?tag=munitions", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("name", FORMATS)
def test_a_private_timeline_answers_like_a_missing_one_and_drafts_stay_out(name):
    private = TimelineFactory(visibility="private")
    EventFactory(timeline=private, title="Secret")
    hidden = Client().get(f"/timelines/{private.slug}/{name}")
    missing = Client().get(f"/timelines/no-such-timeline/{name}")
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content) == (404, missing.content)
    public = TimelineFactory()
    EventFactory(timeline=public, title="Draft title", published=False)
    assert b"Draft title" not in Client().get(f"/timelines/{public.slug}/{name}").content


@pytest.mark.parametrize("name", FORMATS)
def test_a_bad_filter_is_the_one_400_body(name):
    timeline = TimelineFactory()
    response = Client().get(f"/timelines/{timeline.slug}/{name}?min_credibility=nine")
    assert response.status_code == 400
    assert list(response.json()) == ["min_credibility"]


def test_geojson_is_rfc7946_points_with_the_event_facts():
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Located", date="c. June 2025", latitude=51.7, longitude=36.2)
    EventFactory(timeline=timeline, title="Nowhere")
    document = json.loads(Client().get(f"/timelines/{timeline.slug}/events.geojson").content)
    assert document["type"] == "FeatureCollection"
    (feature,) = document["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [36.2, 51.7]}
    properties = feature["properties"]
    assert (properties["date"], properties["date_display"], properties["approximate"]) == (
        "2025-06~",
        "c. June 2025",
        True,
    )
    assert (properties["date_lower"], properties["date_upper"], properties["precision"]) == (
        "2025-06-01",
        "2025-06-30",
        "month",
    )
    assert {"status", "claimant", "grade"} <= set(properties)


def test_timelinejs_json_is_what_timelinejs_reads():
    timeline = TimelineFactory(title="Kursk")
    EventFactory(timeline=timeline, title="Span", date="2024-10~/2025-04")
    EventFactory(timeline=timeline, title="Since", date="2024-10/..")
    document = json.loads(Client().get(f"/timelines/{timeline.slug}/timelinejs.json").content)
    assert document["title"]["text"]["headline"] == "Kursk"
    by_title = {entry["text"]["headline"]: entry for entry in document["events"]}
    assert by_title["Span"]["start_date"]["year"] == 2024 and by_title["Span"]["start_date"]["month"] == 10
    assert by_title["Span"]["end_date"] == {"year": 2025, "month": 4}
    assert by_title["Span"]["display_date"] == "c. October 2024 – April 2025"
    assert by_title["Since"]["display_date"] == "since October 2024" and "end_date" not in by_title["Since"]
    assert "grade" in by_title["Span"]["text"]["text"]


def test_xlsx_has_the_same_columns_as_csv():
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Курськ 쿠르스크")
    client = Client()
    header = csv_rows(client.get(f"/timelines/{timeline.slug}/events.csv").content)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/timelines/{timeline.slug}/events.xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == list(header[0])
    assert rows[1][list(rows[0]).index("title")] == "Курськ 쿠르스크"


def test_the_api_list_as_csv_pages_with_a_link_header_and_imports_back():
    timeline = TimelineFactory()
    for n in range(3):
        EventFactory(timeline=timeline, title=f"Event {n}", date=f"2025-0{n + 1}")
    client = client_for()
    first = client.get(f"/api/v1/events/?timeline={timeline.slug}&page_size=2&format=csv")
    assert first.status_code == 200 and first["Content-Type"].startswith("text/csv")
    assert [row["title"] for row in csv_rows(first.content)] == ["Event 0", "Event 1"]
    assert 'rel="next"' in first["Link"]
    next_url = first["Link"].split(">")[0].lstrip("<")
    second = client.get(next_url)
    assert [row["title"] for row in csv_rows(second.content)] == ["Event 2"]
    copy = TimelineFactory()
    report = import_rows(copy, read(first.content)[1])
    assert report.written and report.counts()["new"] == 2
    # An error stays the API's JSON.
    bad = client.get("/api/v1/events/?min_credibility=nine&format=csv")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
    assert "min_credibility" in bad.json()


def test_the_timeline_page_links_every_export_for_the_current_filter():
    timeline = TimelineFactory()
    EventFactory(timeline=timeline).tags.add(TagFactory(slug="munitions"))
    page = Client().get(f"/timelines/{timeline.slug}/?tag=munitions").content.decode()
    for name in FORMATS:
        assert f"/timelines/{timeline.slug}/{name}?tag=munitions" in page
