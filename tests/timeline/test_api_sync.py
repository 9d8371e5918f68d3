"""Mirroring: updated_since on the event list plus /api/v1/events/deleted/?since=."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, event_url, events_url
from timeline.models import EventTombstone
from timeline.services import events_set_published


def deleted_url() -> str:
    return reverse("api:event-deleted")


def gone(response) -> list[tuple[str, str, str]]:
    assert response.status_code == 200, response.content
    return [(row["uid"], row["timeline"], row["reason"]) for row in response.json()["results"]]


@pytest.mark.django_db
def test_deleted_lists_tombstones_since_the_given_time():
    timeline = TimelineFactory(slug="t")
    early, late = EventFactory(timeline=timeline), EventFactory(timeline=timeline)
    early.delete()
    EventTombstone.objects.filter(uid=early.uid).update(deleted_at=timezone.now() - dt.timedelta(days=2))
    since = timezone.now() - dt.timedelta(days=1)
    late.delete()

    response = client_for().get(deleted_url(), {"since": since.isoformat()})

    assert gone(response) == [(str(late.uid), "t", "deleted")]
    assert dt.datetime.fromisoformat(response.json()["as_of"]) >= since


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"since": ["This field is required."]}),
        ({"since": "last week"}, {"since": [None]}),
        ({"since": "2025-01-01T00:00:00Z", "timeline": "no-such"}, {"timeline": ["Unknown timeline “no-such”."]}),
        (
            {"since": "2025-01-01T00:00:00Z", "timelines": "t"},
            {"timelines": ["Unknown parameter. Parameters are: since, timeline."]},
        ),
    ],
)
def test_deleted_bad_query_is_400(params, errors):
    response = client_for().get(deleted_url(), params)

    body = response.json()
    assert (response.status_code, list(body)) == (400, list(errors))
    assert [m if m is not None else body[key][0] for key, messages in errors.items() for m in messages] == [
        message for messages in body.values() for message in messages
    ]


@pytest.mark.django_db
def test_deleted_shows_unpublished_events_as_withdrawn_to_anonymous_readers():
    event = EventFactory(timeline=TimelineFactory(slug="t"))
    since = timezone.now()

    events_set_published(events=[event], published=False)

    assert gone(client_for().get(deleted_url(), {"since": since.isoformat()})) == [(str(event.uid), "t", "withdrawn")]
    assert gone(client_for(EditorFactory()).get(deleted_url(), {"since": since.isoformat()})) == []


@pytest.mark.django_db
def test_deleted_hides_drafts_that_were_never_published_from_anonymous_readers():
    since = timezone.now()
    EventFactory(published=False)
    other = EventFactory(published=False)
    other.delete()

    anonymous = client_for().get(deleted_url(), {"since": since.isoformat()})
    editor = client_for(EditorFactory()).get(deleted_url(), {"since": since.isoformat()})

    assert (gone(anonymous), [row[0] for row in gone(editor)]) == ([], [str(other.uid)])


@pytest.mark.django_db
def test_deleted_hides_private_timelines_from_anonymous_readers():
    since = timezone.now()
    event = EventFactory(timeline=TimelineFactory(visibility="private"))
    event.delete()

    response = client_for().get(deleted_url(), {"since": since.isoformat()})

    assert gone(response) == []


@pytest.mark.django_db
def test_deleted_shows_events_of_a_timeline_made_private_as_withdrawn():
    timeline = TimelineFactory(slug="t")
    event = EventFactory(timeline=timeline)
    since = timezone.now()
    timeline.visibility = "private"
    timeline.save()

    response = client_for().get(deleted_url(), {"since": since.isoformat()})

    assert gone(response) == [(str(event.uid), "t", "withdrawn")]


@pytest.mark.django_db
def test_deleted_shows_event_moved_to_another_timeline_as_withdrawn_from_the_old_one():
    old, new = TimelineFactory(slug="old"), TimelineFactory(slug="new")
    event = EventFactory(timeline=old)
    since = timezone.now()

    client_for(EditorFactory()).patch(event_url(event), {"timeline": "new"}, format="json")

    response = client_for().get(deleted_url(), {"since": since.isoformat(), "timeline": "old"})
    assert gone(response) == [(str(event.uid), "old", "withdrawn")]
    assert new.events.count() == 1


@pytest.mark.django_db
def test_mirror_from_updated_since_and_deleted_matches_the_server():
    timeline = TimelineFactory(slug="t", visibility="unlisted")
    _kept, edited, deleted, unpublished = (EventFactory(timeline=timeline, title=f"e{i}") for i in range(4))
    client = client_for()
    mirror = {row["uid"]: row for row in client.get(events_url(), {"timeline": "t"}).json()["results"]}
    since = client.get(deleted_url(), {"since": timezone.now().isoformat(), "timeline": "t"}).json()["as_of"]
    editor = client_for(EditorFactory())
    editor.patch(event_url(edited), {"title": "edited"}, format="json")
    editor.delete(event_url(deleted))
    editor.patch(event_url(unpublished), {"published": False}, format="json")
    EventFactory(timeline=timeline, title="added")

    for row in client.get(deleted_url(), {"since": since, "timeline": "t"}).json()["results"]:
        mirror.pop(row["uid"], None)
    for row in client.get(events_url(), {"timeline": "t", "updated_since": since}).json()["results"]:
        mirror[row["uid"]] = row

    server = client.get(events_url(), {"timeline": "t"}).json()["results"]
    assert sorted(mirror.values(), key=lambda row: row["uid"]) == sorted(server, key=lambda row: row["uid"])
    assert sorted(row["title"] for row in server) == ["added", "e0", "edited"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_deleted_query_count_is_constant(django_assert_num_queries, count):
    since = timezone.now()
    for event in EventFactory.create_batch(count):
        event.delete()
    for event in EventFactory.create_batch(count):
        events_set_published(events=[event], published=False)
    client = client_for()

    # 1-2 the sync horizon (PostgreSQL: clear the activity snapshot, read the oldest open
    # transaction; SQLite: take and release the write lock), 3 tombstones with the timeline
    # each was last shown in, 4 the timelines changed since and no longer in view (their
    # ids, so that the next query can use its indexes), 5 withdrawn events joined with
    # timelines, with the same
    with django_assert_num_queries(5):
        response = client.get(deleted_url(), {"since": since.isoformat()})

    assert [row["reason"] for row in response.json()["results"]] == ["deleted"] * count + ["withdrawn"] * count


@pytest.mark.django_db
def test_deleted_never_names_events_created_after_their_timeline_went_private():
    timeline = TimelineFactory(slug="t")
    timeline.visibility = "private"
    timeline.save()
    since = timezone.now()
    secret = EventFactory(timeline=timeline, title="Created while private")
    secret.title = "Edited while private"
    secret.save()
    doomed = EventFactory(timeline=timeline)
    doomed.delete()

    anonymous = client_for().get(deleted_url(), {"since": since.isoformat()})
    editor = client_for(EditorFactory()).get(deleted_url(), {"since": since.isoformat()})

    assert (gone(anonymous), gone(editor)) == ([], [(str(doomed.uid), "t", "deleted")])


@pytest.mark.django_db
def test_deleted_names_a_withdrawn_event_under_the_timeline_where_the_reader_saw_it():
    public, private = TimelineFactory(slug="public"), TimelineFactory(slug="hidden-name", visibility="private")
    event = EventFactory(timeline=public)
    since = timezone.now()

    event.timeline = private
    event.save()

    response = client_for().get(deleted_url(), {"since": since.isoformat()})
    assert gone(response) == [(str(event.uid), "public", "withdrawn")]
    assert "hidden-name" not in response.content.decode()


@pytest.mark.django_db
def test_deleted_lists_tombstones_of_a_deleted_timeline():
    timeline = TimelineFactory(slug="t")
    events = EventFactory.create_batch(3, timeline=timeline)
    since = timezone.now()

    timeline.delete()

    expected = sorted((str(event.uid), "t", "deleted") for event in events)
    named = client_for().get(deleted_url(), {"since": since.isoformat(), "timeline": "t"})
    everything = client_for().get(deleted_url(), {"since": since.isoformat()})
    assert (sorted(gone(named)), sorted(gone(everything))) == (expected, expected)


@pytest.mark.django_db
def test_deleted_refuses_a_deleted_private_timeline_like_an_unknown_one():
    timeline = TimelineFactory(slug="secret-t", visibility="private")
    EventFactory(timeline=timeline)
    since = timezone.now().isoformat()
    timeline.delete()

    hidden = client_for().get(deleted_url(), {"since": since, "timeline": "secret-t"})
    unknown = client_for().get(deleted_url(), {"since": since, "timeline": "never-was"})

    assert (hidden.status_code, hidden.json()) == (400, {"timeline": ["Unknown timeline “secret-t”."]})
    assert (unknown.status_code, unknown.json()) == (400, {"timeline": ["Unknown timeline “never-was”."]})
