"""Writing events: nested citations, versions, history, ETags and atomicity."""

import pytest
from django.core.cache import cache

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EditorFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    UserFactory,
)
from tests.timeline.api_helpers import client_for, event_url, events_url
from timeline.models import Citation, Event, EventTombstone


@pytest.mark.django_db
def test_event_create_writes_relations_and_citations_in_order():
    editor = EditorFactory()
    TimelineFactory(slug="dprk")
    gur, kpa = ActorFactory(name="GUR"), ActorFactory(name="KPA")
    TagFactory(slug="troops")
    first, second = SourceFactory(title="First"), SourceFactory(title="Second")
    body = {
        "timeline": "dprk",
        "title": "DPRK troops reported in Kursk",
        "date": "c. October 2024",
        "claimant": gur.pk,
        "credibility": 2,
        "actors": [kpa.pk],
        "tags": ["troops"],
        "citations": [
            {"source": second.pk, "quote": "first quote", "locator": "p. 1"},
            {"source": first.pk, "quote": "second quote"},
        ],
        "published": True,
    }

    response = client_for(editor).post(events_url(), body, format="json")

    event = Event.objects.get()
    assert (response.status_code, response["ETag"], response["Location"]) == (
        201,
        '"1"',
        f"http://testserver/api/v1/events/{event.uid}/",
    )
    assert (event.date, event.precision, event.approximate, event.claimant, event.version) == (
        "2024-10~",
        "month",
        True,
        gur,
        1,
    )
    assert [actor.name for actor in event.actors.all()] == ["KPA"]
    assert [tag.slug for tag in event.tags.all()] == ["troops"]
    assert [(c.source.title, c.quote, c.locator, c.position) for c in event.citations.all()] == [
        ("Second", "first quote", "p. 1", 0),
        ("First", "second quote", "", 1),
    ]
    assert (event.created_by, event.updated_by, event.history.filter(history_type="+").get().history_user) == (
        editor,
        editor,
        editor,
    )
    assert response.json()["citations"][0]["source"]["title"] == "Second"


@pytest.mark.django_db
def test_event_put_accepts_what_get_returned():
    editor = EditorFactory()
    event = EventFactory(actors=[ActorFactory()], tags=[TagFactory()], claimant=ActorFactory())
    CitationFactory(event=event)
    client = client_for(editor)
    representation = client.get(event_url(event)).json()
    representation["title"] = "Renamed"

    response = client.put(event_url(event), representation, format="json", HTTP_IF_MATCH='"1"')

    body = response.json()
    assert (response.status_code, response["ETag"], body["title"], body["version"]) == (200, '"2"', "Renamed", 2)
    assert {key: body[key] for key in ("actors", "tags", "citations", "claimant")} == {
        key: representation[key] for key in ("actors", "tags", "citations", "claimant")
    }


@pytest.mark.django_db
def test_event_patch_bumps_version_and_records_history_user():
    editor = EditorFactory()
    event = EventFactory(title="Before")

    response = client_for(editor).patch(event_url(event), {"title": "After"}, format="json")

    event.refresh_from_db()
    latest = event.history.first()
    assert (response.status_code, event.title, event.version, event.updated_by) == (200, "After", 2, editor)
    assert (latest.title, latest.history_user) == ("After", editor)


@pytest.mark.django_db
def test_event_patch_keeps_relations_not_mentioned():
    event = EventFactory(tags=[TagFactory(slug="kept")])
    CitationFactory(event=event, quote="kept")

    client_for(EditorFactory()).patch(event_url(event), {"summary": "New summary"}, format="json")

    assert ([t.slug for t in event.tags.all()], [c.quote for c in event.citations.all()]) == (["kept"], ["kept"])


@pytest.mark.django_db
def test_event_get_with_current_etag_is_304():
    event = EventFactory()
    client = client_for()
    etag = client.get(event_url(event))["ETag"]

    response = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    assert (response.status_code, response["ETag"], response.content) == (304, etag, b"")


@pytest.mark.django_db
def test_event_get_with_current_etag_is_304_after_one_query(django_assert_num_queries):
    event = EventFactory()
    client = client_for()
    etag = client.get(event_url(event))["ETag"]
    # The ETag kept for anonymous revalidation (timeline/revalidation.py) has expired.
    cache.clear()

    # 1: the event's version, as the reader may see it; no relations are read
    with django_assert_num_queries(1):
        response = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


@pytest.mark.django_db
def test_event_get_with_current_etag_of_a_token_reader_is_304_after_one_query(django_assert_num_queries):
    event = EventFactory()
    client = client_for(UserFactory())
    etag = client.get(event_url(event))["ETag"]

    # A signed-in reader never takes the kept ETag: 1 the token; 2-3 the user's and the groups'
    # permissions (may they read drafts?); 4 the event's version
    with django_assert_num_queries(4):
        response = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


@pytest.mark.django_db
def test_event_get_with_current_etag_of_a_hidden_event_is_404():
    event = EventFactory()
    etag = client_for().get(event_url(event))["ETag"]
    event.published = False
    event.save()

    response = client_for().get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 404


@pytest.mark.django_db
def test_event_get_after_change_is_200_with_new_etag():
    event = EventFactory()
    client = client_for()
    etag = client.get(event_url(event))["ETag"]
    event.title = "Changed"
    event.save()

    response = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    assert (response.status_code, response["ETag"]) == (200, '"2"')


@pytest.mark.django_db
def test_event_patch_with_stale_if_match_is_412_and_changes_nothing():
    editor = EditorFactory()
    event = EventFactory(title="Original")
    first, second = client_for(editor), client_for(editor)
    etag = first.get(event_url(event))["ETag"]
    second.patch(event_url(event), {"title": "Second editor"}, format="json", HTTP_IF_MATCH=etag)

    response = first.patch(event_url(event), {"title": "First editor"}, format="json", HTTP_IF_MATCH=etag)

    event.refresh_from_db()
    assert (response.status_code, event.title, event.version) == (412, "Second editor", 2)
    assert response.json() == {
        "detail": 'The event changed since you read it (it is now at ETag "2"). Fetch it again and reapply your change.'
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("if_match", "status_code"), [('"1"', 200), ("*", 200), ('W/"1"', 412), ('"7"', 412)])
def test_event_patch_if_match_uses_strong_comparison(if_match, status_code):
    event = EventFactory()

    response = client_for(EditorFactory()).patch(
        event_url(event), {"title": "x"}, format="json", HTTP_IF_MATCH=if_match
    )

    assert response.status_code == status_code


@pytest.mark.django_db
def test_event_delete_with_stale_if_match_is_412_and_keeps_event():
    event = EventFactory()
    event.save()

    response = client_for(EditorFactory()).delete(event_url(event), HTTP_IF_MATCH='"1"')

    assert (response.status_code, Event.objects.count()) == (412, 1)


@pytest.mark.django_db
def test_event_delete_leaves_tombstone_and_history_user():
    editor = EditorFactory()
    event = EventFactory()

    response = client_for(editor).delete(event_url(event), HTTP_IF_MATCH='"1"')

    assert (response.status_code, list(EventTombstone.objects.values_list("uid", flat=True))) == (204, [event.uid])
    assert Event.history.filter(uid=event.uid, history_type="-").get().history_user == editor


@pytest.mark.django_db
def test_event_create_with_one_bad_citation_writes_nothing():
    TimelineFactory(slug="dprk")
    good = SourceFactory()
    body = {
        "timeline": "dprk",
        "title": "New",
        "date": "2025-04",
        "citations": [{"source": good.pk}, {"source": 999999}],
    }

    response = client_for(EditorFactory()).post(events_url(), body, format="json")

    assert (response.status_code, Event.objects.count(), Citation.objects.count()) == (400, 0, 0)
    assert response.json() == {"citations": {"1": {"source": ["Unknown source “999999”."]}}}


@pytest.mark.django_db
def test_event_update_with_bad_tag_keeps_everything():
    event = EventFactory(title="Before", tags=[TagFactory(slug="kept")])
    CitationFactory(event=event, quote="kept")

    response = client_for(EditorFactory()).patch(
        event_url(event), {"title": "After", "citations": [], "tags": ["missing"]}, format="json"
    )

    event.refresh_from_db()
    assert (response.status_code, event.title, event.version) == (400, "Before", 1)
    assert ([c.quote for c in event.citations.all()], [t.slug for t in event.tags.all()]) == (["kept"], ["kept"])


@pytest.mark.django_db
def test_event_put_of_unchanged_body_keeps_version():
    from tests.factories import ActorFactory, CitationFactory, TagFactory

    editor = EditorFactory()
    event = EventFactory(tags=[TagFactory()], actors=[ActorFactory()])
    CitationFactory(event=event)
    client = client_for(editor)
    body = client.get(event_url(event)).json()

    put = client.put(event_url(event), body, format="json")
    patch = client.patch(event_url(event), {}, format="json")

    assert (put.status_code, patch.status_code) == (200, 200)
    assert Event.objects.get(pk=event.pk).version == 1
    assert put["ETag"] == '"1"'


@pytest.mark.django_db
def test_event_patch_of_a_tag_alone_bumps_version():
    from tests.factories import TagFactory

    editor = EditorFactory()
    event = EventFactory()
    tag = TagFactory(slug="troops")

    client_for(editor).patch(event_url(event), {"tags": ["troops"]}, format="json")

    assert (Event.objects.get(pk=event.pk).version, list(event.tags.all())) == (2, [tag])
