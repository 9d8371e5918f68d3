"""The event list runs every request through timeline.filters.EventFilter."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EditorFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from tests.timeline.api_helpers import client_for, events_url
from timeline.models import Event


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


@pytest.fixture
def spread():
    """A month, an interval around it, a day inside it and a day after it."""
    timeline = TimelineFactory()
    return {
        "month": EventFactory(timeline=timeline, title="month", date="2025-04"),
        "interval": EventFactory(timeline=timeline, title="interval", date="2025-03/2025-05"),
        "day": EventFactory(timeline=timeline, title="day", date="2025-04-15"),
        "later": EventFactory(timeline=timeline, title="later", date="2025-06-01"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"overlaps": "2025-04-10/2025-04-20"}, ["interval", "month", "day"]),
        ({"within": "2025-04-10/2025-04-20"}, ["day"]),
        ({"overlaps": "2025-04"}, ["interval", "month", "day"]),
        ({"within": "2025-04"}, ["month", "day"]),
        ({"overlaps": "2025-05-31"}, ["interval"]),
        ({"within": "2025-03/2025-05"}, ["interval", "month", "day"]),
        ({"within": "2025"}, ["interval", "month", "day", "later"]),
        ({"overlaps": "2025-06-01", "within": "2025-06"}, ["later"]),
        ({"overlaps": "June 2025"}, ["later"]),
        ({"overlaps": "2025-05-20/.."}, ["interval", "later"]),
        ({"within": "since May 2025"}, ["later"]),
        ({"overlaps": "until 31 March 2025"}, ["interval"]),
    ],
)
def test_event_list_overlaps_and_within_use_bounds(spread, params, expected):
    response = client_for().get(events_url(), params)

    assert titles(response) == expected


@pytest.mark.django_db
def test_event_list_filters_by_timeline_slug():
    EventFactory(title="elsewhere")
    EventFactory(title="here", timeline=TimelineFactory(slug="here"))

    response = client_for().get(events_url(), {"timeline": "here"})

    assert titles(response) == ["here"]


@pytest.mark.django_db
def test_event_list_filters_by_precision_any_of(spread):
    response = client_for().get(events_url() + "?precision=day&precision=year")

    assert titles(response) == ["day", "later"]


@pytest.mark.django_db
def test_event_list_filters_by_status_any_of():
    EventFactory(title="claimed", status="claimed")
    EventFactory(title="denied", status="denied")
    EventFactory(title="confirmed", status="confirmed")

    response = client_for().get(events_url() + "?status=claimed&status=denied")

    assert sorted(titles(response)) == ["claimed", "denied"]


@pytest.mark.django_db
def test_event_list_filters_by_claimant():
    gur = ActorFactory(name="GUR")
    EventFactory(title="claimed by GUR", claimant=gur)
    EventFactory(title="claimed by others", claimant=ActorFactory())

    response = client_for().get(events_url(), {"claimant": gur.pk})

    assert titles(response) == ["claimed by GUR"]


@pytest.mark.django_db
def test_event_list_filters_by_actor_once_per_event():
    kpa, ru = ActorFactory(name="KPA"), ActorFactory(name="Russia")
    EventFactory(title="both", actors=[kpa, ru])
    EventFactory(title="russia", actors=[ru])
    EventFactory(title="none")

    response = client_for().get(events_url() + f"?actor={kpa.pk}&actor={ru.pk}")

    assert sorted(titles(response)) == ["both", "russia"]


@pytest.mark.django_db
def test_event_list_filters_by_several_tags_any_of():
    troops, shells, drones = TagFactory(slug="troops"), TagFactory(slug="shells"), TagFactory(slug="drones")
    EventFactory(title="troops and shells", tags=[troops, shells])
    EventFactory(title="shells", tags=[shells])
    EventFactory(title="drones", tags=[drones])

    response = client_for().get(events_url() + "?tag=troops&tag=shells")

    assert sorted(titles(response)) == ["shells", "troops and shells"]


@pytest.mark.django_db
def test_event_list_filters_by_cited_source():
    source = SourceFactory()
    CitationFactory(event=EventFactory(title="cites it"), source=source)
    CitationFactory(event=EventFactory(title="cites another"))

    response = client_for().get(events_url(), {"source": source.pk})

    assert titles(response) == ["cites it"]


@pytest.mark.django_db
def test_event_list_filters_by_minimum_credibility():
    for credibility in (1, 2, 3, 6):
        EventFactory(title=f"c{credibility}", credibility=credibility)

    response = client_for().get(events_url(), {"min_credibility": 2})

    assert sorted(titles(response)) == ["c1", "c2"]


@pytest.mark.django_db
def test_event_list_filters_by_key():
    EventFactory(title="key", key=True)
    EventFactory(title="routine", key=False)

    response = client_for().get(events_url(), {"key": "true"})

    assert titles(response) == ["key"]


@pytest.mark.django_db
def test_event_list_published_filter_shows_drafts_to_editors_only():
    EventFactory(title="draft", published=False)
    EventFactory(title="published")

    editor = client_for(EditorFactory()).get(events_url(), {"published": "false"})
    anonymous = client_for().get(events_url(), {"published": "false"})

    assert (titles(editor), titles(anonymous)) == (["draft"], [])


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["kursk", "Budanov", "casualties", "Буданов"])
def test_event_list_q_searches_title_summary_location_and_actor_names(query):
    budanov = ActorFactory(name="Kyrylo Budanov", native_name="Буданов")
    EventFactory(title="Statement", location="Kursk region", summary="About casualties.", actors=[budanov])
    EventFactory(title="Unrelated", location="Kyiv", summary="Nothing.")

    response = client_for().get(events_url(), {"q": query})

    assert titles(response) == ["Statement"]


@pytest.mark.django_db
def test_event_list_updated_since_shows_later_changes():
    old = EventFactory(title="old")
    Event.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    EventFactory(title="new")

    response = client_for().get(events_url(), {"updated_since": (timezone.now() - dt.timedelta(days=1)).isoformat()})

    assert titles(response) == ["new"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("date", ["first", "second", "third"]),
        ("-date", ["third", "second", "first"]),
        ("updated", ["second", "third", "first"]),
    ],
)
def test_event_list_orders_by_date_or_update_time(ordering, expected):
    first = EventFactory(title="first", date="2025-01")
    EventFactory(title="second", date="2025-02")
    EventFactory(title="third", date="2025-03")
    first.save()

    response = client_for().get(events_url(), {"ordering": ordering})

    assert titles(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"overlaps": "2025-13"},
            "overlaps",
            "“2025-13”: month 13 is out of range; use 01–12 (or 21–41 for a season).",
        ),
        ({"within": "someday"}, "within", None),
        ({"timeline": "no-such-timeline"}, "timeline", None),
        ({"min_credibility": "9"}, "min_credibility", None),
        ({"status": "rumoured"}, "status", None),
        ({"precision": "week"}, "precision", None),
        ({"tag": "no-such-tag"}, "tag", None),
        ({"actor": "abc"}, "actor", None),
        ({"actor": "99999999999999999999"}, "actor", None),
        ({"claimant": "99999999999999999999"}, "claimant", None),
        ({"source": "-1"}, "source", None),
        ({"within": "2025-02-30"}, "within", None),
        ({"q": "x" * 201}, "q", None),
        ({"key": "maybe"}, "key", None),
        ({"updated_since": "yesterday"}, "updated_since", None),
        ({"ordering": "title"}, "ordering", None),
    ],
)
def test_event_list_invalid_filter_is_400_with_message(params, field, message):
    EventFactory()

    response = client_for().get(events_url(), params)

    body = response.json()
    assert (response.status_code, list(body)) == (400, [field])
    assert len(body[field]) == 1
    if message is not None:
        assert body[field] == [message]
