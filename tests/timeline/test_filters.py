import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import EventFactory, TimelineFactory
from tests.timeline.ical_checks import parse_feed
from timeline.filters import relative_day

UNKNOWN = (
    "Unknown parameter. Filters are: timeline, overlaps, within, precision, status, claimant, stance, actor, tag, "
    "source, min_credibility, key, published, q, updated_since, ordering, from, to."
)


@pytest.fixture
def timeline(db):
    timeline = TimelineFactory(slug="dprk")
    EventFactory(timeline=timeline)
    return timeline


@pytest.mark.django_db
def test_api_refuses_unknown_parameter(client, timeline):
    response = client.get("/api/v1/events/", {"tags": "troops"}, HTTP_ACCEPT="application/json")

    assert (response.status_code, response.json()) == (400, {"tags": [UNKNOWN]})


@pytest.mark.django_db
def test_api_accepts_paging_parameters(client, timeline):
    response = client.get("/api/v1/events/", {"page_size": "1", "format": "json"})

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/timelines/dprk/calendar.ics", "/timelines/dprk/brief.pdf", "/timelines/dprk/"])
def test_exports_and_page_refuse_unknown_parameter(client, timeline, path):
    response = client.get(path, {"tags": "troops"})

    assert response.status_code == 400
    assert "Unknown parameter." in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-90d", dt.date(2025, 12, 31)),
        ("+30d", dt.date(2026, 4, 30)),
        ("-2w", dt.date(2026, 3, 17)),
        ("-1m", dt.date(2026, 2, 28)),
        ("+11m", dt.date(2027, 2, 28)),
        ("-1y", dt.date(2025, 3, 31)),
        ("today", dt.date(2026, 3, 31)),
    ],
)
def test_relative_day_counts_from_today(text, expected):
    assert relative_day(text, dt.date(2026, 3, 31)) == expected


@pytest.mark.parametrize("text", ["-99999y", "+99999y", "-90", "90d", "-9x"])
def test_relative_day_refuses_what_is_not_a_day(text):
    with pytest.raises(ValueError):
        relative_day(text, dt.date(2026, 3, 31))


def relative_timeline():
    today = timezone.now().date()
    timeline = TimelineFactory(slug="window")
    old = EventFactory(timeline=timeline, title="Old", date=(today - dt.timedelta(days=200)).isoformat())
    recent = EventFactory(timeline=timeline, title="Recent", date=(today - dt.timedelta(days=10)).isoformat())
    soon = EventFactory(timeline=timeline, title="Soon", date=(today + dt.timedelta(days=20)).isoformat())
    later = EventFactory(timeline=timeline, title="Later", date=(today + dt.timedelta(days=60)).isoformat())
    return old, recent, soon, later


@pytest.mark.django_db
def test_relative_window_narrows_feed_api_and_page_alike(client):
    _old, recent, soon, _later = relative_timeline()
    window = {"from": "-90d", "to": "+30d"}

    feed = client.get("/timelines/window/calendar.ics", window)
    api = client.get("/api/v1/events/", {**window, "timeline": "window"}, HTTP_ACCEPT="application/json")
    page = client.get("/timelines/window/", window)

    assert [str(v["UID"]) for v in parse_feed(feed.content).walk("VEVENT")] == [str(recent.uid), str(soon.uid)]
    assert [event["uid"] for event in api.json()["results"]] == [str(recent.uid), str(soon.uid)]
    assert (page.status_code, "Recent" in page.content.decode(), "Later" in page.content.decode()) == (
        200,
        True,
        False,
    )


@pytest.mark.django_db
def test_relative_window_feed_etag_differs_from_the_same_absolute_window(client):
    relative_timeline()
    today = timezone.now().date()
    absolute = {"from": (today - dt.timedelta(days=90)).isoformat(), "to": (today + dt.timedelta(days=30)).isoformat()}

    relative = client.get("/timelines/window/calendar.ics", {"from": "-90d", "to": "+30d"})
    fixed = client.get("/timelines/window/calendar.ics", absolute)

    assert relative.content.count(b"BEGIN:VEVENT") == fixed.content.count(b"BEGIN:VEVENT") == 2
    assert relative["ETag"] != fixed["ETag"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/timelines/window/calendar.ics", "/timelines/window/brief.pdf"])
def test_bad_relative_window_is_a_400_naming_the_field(client, path):
    relative_timeline()

    response = client.get(path, {"from": "-90 days"})

    assert response.status_code == 400
    assert "from" in response.content.decode()
    assert "-90d" in response.content.decode()


@pytest.mark.django_db
def test_bad_relative_window_in_the_api_is_a_field_message(client):
    relative_timeline()

    response = client.get("/api/v1/events/", {"to": "+1000000y"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["to"]
