"""Revalidation of a slug feed or of one API event read anonymously: a 304 from one cache read
before sessions, auth and the views, and never a stale one or one the reader may not have."""

import uuid

import pytest
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from timeline.models import Event
from timeline.revalidation import EVENT_PATH, FEED_PATH


def event_url(event):
    return reverse("api:event-detail", kwargs={"uid": event.uid})


def feed_url(timeline):
    return reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})


def test_fast_paths_match_the_routes_they_answer_for():
    uid = uuid.uuid4()

    event = reverse("api:event-detail", kwargs={"uid": uid})
    feed = reverse("timeline:timeline-feed", kwargs={"slug": "a-timeline_2"})
    token_feed = reverse("timeline:token-feed", kwargs={"token": "a-token"})

    assert EVENT_PATH.match(event)["uid"] == str(uid)
    assert FEED_PATH.match(feed) is not None
    assert (FEED_PATH.match(token_feed), EVENT_PATH.match(event + "history/")) == (None, None)


@pytest.mark.django_db
def test_anonymous_revalidation_of_a_kept_etag_asks_no_database(client, django_assert_num_queries):
    event = EventFactory()
    first = client.get(event_url(event), HTTP_ACCEPT="application/json")

    with django_assert_num_queries(0):
        again = client.get(event_url(event), HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert (again.status_code, again["ETag"], again.content) == (304, first["ETag"], b"")
    # As DRF's own 304 (gzip adds Accept-Encoding to bodies only).
    assert (again["Vary"], again["Allow"]) == ("Accept, Authorization, Cookie", first["Allow"])
    assert (again["X-Frame-Options"], again["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert again["X-Request-ID"] != first["X-Request-ID"]


@pytest.mark.django_db
def test_anonymous_revalidation_with_a_weak_or_listed_etag_matches(client, django_assert_num_queries):
    event = EventFactory()
    etag = client.get(event_url(event))["ETag"]

    with django_assert_num_queries(0):
        again = client.get(event_url(event), HTTP_IF_NONE_MATCH=f'"other", W/{etag}')

    assert (again.status_code, again["ETag"]) == (304, etag)


@pytest.mark.django_db
def test_edited_event_answers_200_with_its_new_version_to_the_old_etag(client):
    event = EventFactory(title="Before")
    old = client.get(event_url(event))["ETag"]
    client.get(event_url(event), HTTP_IF_NONE_MATCH=old)

    event.title = "After"
    event.save()
    response = client.get(event_url(event), HTTP_IF_NONE_MATCH=old)

    assert (response.status_code, response.json()["title"]) == (200, "After")
    assert response["ETag"] == f'"{event.version}"' != old


@pytest.mark.django_db
def test_unpublished_event_answers_404_to_the_etag_its_reader_holds(client):
    event = EventFactory()
    etag = client.get(event_url(event))["ETag"]
    client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    event.published = False
    event.save()
    response = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)
    unknown = client.get(reverse("api:event-detail", kwargs={"uid": uuid.uuid4()}))

    assert (response.status_code, response.json()) == (404, unknown.json())


@pytest.mark.django_db
def test_timeline_made_private_hides_its_events_from_a_held_etag(client):
    timeline = TimelineFactory()
    event = EventFactory(timeline=timeline)
    etag = client.get(event_url(event))["ETag"]

    timeline.visibility = "private"
    timeline.save()
    response = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 404


@pytest.mark.django_db
def test_deleted_event_answers_404_to_a_held_etag(client):
    event = EventFactory()
    etag = client.get(event_url(event))["ETag"]

    Event.objects.filter(pk=event.pk).delete()
    response = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 404


@pytest.mark.django_db
def test_draft_is_never_answered_304_to_an_anonymous_guess(client):
    draft = EventFactory(published=False)

    first = client.get(event_url(draft), HTTP_IF_NONE_MATCH=f'"{draft.version}"')
    again = client.get(event_url(draft), HTTP_IF_NONE_MATCH=f'"{draft.version}"')

    assert (first.status_code, again.status_code) == (404, 404)


@pytest.mark.django_db
def test_signed_in_editor_revalidates_through_the_access_policy(client, django_assert_max_num_queries):
    draft = EventFactory(published=False)
    client.force_login(EditorFactory())
    etag = client.get(event_url(draft))["ETag"]

    again = client.get(event_url(draft), HTTP_IF_NONE_MATCH=etag)
    client.logout()
    anonymous = client.get(event_url(draft), HTTP_IF_NONE_MATCH=etag)

    assert (again.status_code, anonymous.status_code) == (304, 404)


@pytest.mark.django_db
def test_browsable_api_request_is_not_answered_from_the_kept_etag(client, django_assert_max_num_queries):
    event = EventFactory()
    etag = client.get(event_url(event))["ETag"]

    with django_assert_max_num_queries(10) as captured:
        response = client.get(event_url(event), HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert len(captured.captured_queries) >= 1


@pytest.mark.django_db
def test_feed_revalidation_of_a_kept_etag_runs_no_session_auth_or_database(client, django_assert_num_queries):
    timeline = EventFactory().timeline
    first = client.get(feed_url(timeline))
    client.cookies["sessionid"] = "not-a-session"

    with django_assert_num_queries(0):
        again = client.get(feed_url(timeline), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert (again.status_code, again.content) == (304, b"")
    assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    assert again["Cache-Control"] == first["Cache-Control"] == "public, max-age=300"
    assert (again["X-Frame-Options"], again["X-Content-Type-Options"]) == ("DENY", "nosniff")
    # Nothing a session, CSRF or the messages middleware would have added.
    assert (again.cookies, again.has_header("Vary")) == ({}, False)


@pytest.mark.django_db
def test_feed_revalidation_under_an_unknown_host_is_refused(client, settings):
    timeline = EventFactory().timeline
    etag = client.get(feed_url(timeline))["ETag"]
    settings.ALLOWED_HOSTS = ["testserver"]

    response = client.get(feed_url(timeline), HTTP_IF_NONE_MATCH=etag, HTTP_HOST="elsewhere.example")

    assert response.status_code == 400


@pytest.mark.django_db
def test_feed_of_a_timeline_made_private_answers_404_to_a_held_etag(client):
    timeline = EventFactory().timeline
    etag = client.get(feed_url(timeline))["ETag"]
    client.get(feed_url(timeline), HTTP_IF_NONE_MATCH=etag)

    timeline.visibility = "private"
    timeline.save()
    response = client.get(feed_url(timeline), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 404


@pytest.mark.django_db
def test_private_event_read_by_an_editor_is_never_answered_304_to_an_anonymous_reader(client):
    event = EventFactory(timeline=TimelineFactory(visibility="private"))
    client.force_login(EditorFactory())
    etag = client.get(event_url(event))["ETag"]
    again = client.get(event_url(event), HTTP_IF_NONE_MATCH=etag)
    client.logout()

    anonymous = [client.get(event_url(event), HTTP_IF_NONE_MATCH=etag).status_code for _ in range(2)]

    assert (again.status_code, anonymous) == (304, [404, 404])
