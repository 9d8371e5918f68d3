"""Reading events through the API: representation, query counts, pagination."""

import base64
import json

import pytest

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, TagFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, event_url, events_url, uids
from timeline.models import Claim
from timeline.queries import events_with_relation_lists, events_with_relations
from timeline.serializers import EventSerializer


@pytest.mark.django_db
def test_event_detail_shows_dates_relations_citations_and_links():
    timeline = TimelineFactory(slug="dprk")
    gur = ActorFactory(name="GUR", native_name="ГУР")
    event = EventFactory(
        timeline=timeline,
        title="DPRK troops reported in Kursk",
        date="2024-10/2025-04~",
        reported="2025-04-28",
        location="Kursk region",
        latitude=51.7,
        longitude=36.2,
        status="claimed",
        claimant=gur,
        credibility=2,
        key=True,
        actors=[gur],
        tags=[TagFactory(slug="troops", name="Troops")],
    )
    source = SourceFactory(title="Interview", publisher="RBC", reliability="C", url="https://rbc.example.org/1")
    CitationFactory(event=event, source=source, quote="since October", locator="para. 4")

    response = client_for().get(event_url(event))

    body = response.json()
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert {key: body[key] for key in ("timeline", "date", "date_display", "date_lower", "date_upper")} == {
        "timeline": "dprk",
        "date": "2024-10/2025-04~",
        "date_display": "October 2024 – c. April 2025",
        "date_lower": "2024-10-01",
        "date_upper": "2025-04-30",
    }
    assert (body["precision"], body["approximate"], body["uncertain"]) == ("month", True, False)
    assert (body["reported"], body["reported_display"]) == ("2025-04-28", "28 April 2025")
    assert (body["latitude"], body["longitude"], body["status"], body["credibility"]) == (51.7, 36.2, "claimed", 2)
    assert (body["reliability"], body["grade"], body["key"], body["version"]) == ("C", "C2", True, 1)
    assert body["claimant"] == {"id": gur.pk, "name": "GUR", "native_name": "ГУР", "kind": "organisation"}
    assert body["actors"] == [body["claimant"]]
    assert body["tags"] == [{"slug": "troops", "name": "Troops"}]
    assert body["citations"] == [
        {
            "source": {
                "id": source.pk,
                "title": "Interview",
                "publisher": "RBC",
                "url": "https://rbc.example.org/1",
                "published": "2025-06",
                "reliability": "C",
            },
            "quote": "since October",
            "locator": "para. 4",
        }
    ]
    assert body["links"] == {
        "self": f"http://testserver/api/v1/events/{event.uid}/",
        "html": f"http://testserver/events/{event.uid}/",
        "calendar": f"http://testserver/events/{event.uid}.ics",
    }


@pytest.mark.django_db
def test_event_detail_unknown_uid_is_404():
    response = client_for().get("/api/v1/events/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_event_list_query_count_is_constant(django_assert_num_queries, count):
    for _ in range(count):
        claimant = ActorFactory()
        event = EventFactory(actors=[ActorFactory(), claimant], tags=[TagFactory()], claimant=claimant)
        CitationFactory(event=event)
        Claim.objects.create(event=event, claimant=claimant, stance="asserts", made="2025").citations.set(
            [CitationFactory(event=event)]
        )
    client = client_for()

    # 1 events joined with timeline and claimant, 2 actors, 3 tags, 4 citations joined with sources,
    # 5 claims the reader may see joined with their claimant, 6 the claims' citation ids
    with django_assert_num_queries(6):
        response = client.get(events_url())

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
def test_event_detail_query_count(django_assert_num_queries):
    event = EventFactory(actors=[ActorFactory()], tags=[TagFactory()])
    CitationFactory(event=event)
    client = client_for()

    # 1 event joined with timeline and claimant, 2 actors, 3 tags, 4 citations joined with sources,
    # 5 claims the reader may see (none, so no query for their citations)
    with django_assert_num_queries(5):
        response = client.get(event_url(event))

    assert response.status_code == 200


@pytest.mark.django_db
def test_event_list_pages_follow_next_and_previous_links():
    events = [EventFactory(date=f"2025-0{month}") for month in range(1, 6)]
    client = client_for()

    first = client.get(events_url(), {"page_size": 2})
    second = client.get(first.json()["next"])
    third = client.get(second.json()["next"])
    back = client.get(third.json()["previous"])

    expected = [str(event.uid) for event in events]
    assert (uids(first), uids(second), uids(third)) == (expected[0:2], expected[2:4], expected[4:5])
    assert (first.json()["previous"], third.json()["next"]) == (None, None)
    assert uids(back) == expected[2:4]


@pytest.mark.django_db
def test_event_list_cursor_is_stable_while_others_insert():
    events = [EventFactory(date="2025-04") for _ in range(4)]
    client = client_for()
    first = client.get(events_url(), {"page_size": 2})

    EventFactory(date="2025-01")
    EventFactory(date="2025-04")
    second = client.get(first.json()["next"])

    assert uids(first) + uids(second)[:2] == [str(event.uid) for event in events]


@pytest.mark.django_db
def test_event_list_descending_pages_do_not_repeat():
    events = [EventFactory(date=f"2025-0{month}") for month in range(1, 5)]
    client = client_for()

    first = client.get(events_url(), {"page_size": 3, "ordering": "-date"})
    second = client.get(first.json()["next"])

    assert uids(first) + uids(second) == [str(event.uid) for event in reversed(events)]


@pytest.mark.django_db
def test_event_list_page_size_is_capped_at_500():
    EventFactory.create_batch(3)

    response = client_for().get(events_url(), {"page_size": 100000})

    assert (response.status_code, len(response.json()["results"])) == (200, 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page_size": "many"}, {"page_size": ["Give a whole number from 1 upwards."]}),
        ({"page_size": "0"}, {"page_size": ["Give a whole number from 1 upwards."]}),
        ({"cursor": "not-a-cursor"}, {"cursor": ["Invalid cursor."]}),
        (
            {"cursor": base64.urlsafe_b64encode(json.dumps({"o": ["id"], "k": [1], "b": False}).encode()).decode()},
            {"cursor": ["This cursor belongs to another ordering; start again without it."]},
        ),
    ],
)
def test_event_list_bad_paging_is_400(params, message):
    EventFactory()

    response = client_for().get(events_url(), params)

    assert (response.status_code, response.json()) == (400, message)


@pytest.mark.django_db
def test_event_list_cursor_from_another_ordering_is_400():
    EventFactory.create_batch(3)
    client = client_for()
    cursor = client.get(events_url(), {"page_size": 1}).json()["next"].split("cursor=")[1].split("&")[0]

    response = client.get(events_url(), {"page_size": 1, "ordering": "updated", "cursor": cursor})

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("with_relations", [True, False])
@pytest.mark.parametrize("loader", [events_with_relations, events_with_relation_lists])
def test_event_serializer_direct_rendering_equals_field_by_field(rf, settings, with_relations, loader):

    event = EventFactory(
        date="2025-06-17T14:30:00+03:00",
        reported="2025?",
        latitude=51,
        longitude=-0.5,
        claimant=ActorFactory() if with_relations else None,
        actors=[ActorFactory(), ActorFactory()] if with_relations else [],
        tags=[TagFactory()] if with_relations else [],
    )
    if with_relations:
        CitationFactory(event=event, source__reliability="A")
        CitationFactory(event=event, source__reliability="D")
    loaded = loader().get(pk=event.pk)
    settings.ALLOWED_HOSTS = ["timelines.example.org"]
    serializer = EventSerializer(context={"request": rf.get("/", secure=True, HTTP_HOST="timelines.example.org")})

    direct = serializer.to_representation(loaded)

    assert json.dumps(direct) == json.dumps(serializer.field_by_field_representation(loaded))
