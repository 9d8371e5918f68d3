"""Who may read and write what: anonymous / editor / other user x public / unlisted / private."""

import pytest
from django.urls import reverse

from tests.factories import (
    CitationFactory,
    EditorFactory,
    EventFactory,
    SourceFactory,
    TimelineFactory,
    UserFactory,
)
from tests.timeline.api_helpers import client_for, event_url, events_url, uids

READERS = ["anonymous", "editor", "other"]
VISIBILITIES = ["public", "unlisted", "private"]


def user_for(reader):
    if reader == "editor":
        return EditorFactory()
    if reader == "other":
        return UserFactory()
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reader", "visibility", "listed"),
    [
        ("anonymous", "public", True),
        ("anonymous", "unlisted", False),
        ("anonymous", "private", False),
        ("other", "public", True),
        ("other", "unlisted", False),
        ("other", "private", False),
        ("editor", "public", True),
        ("editor", "unlisted", True),
        ("editor", "private", True),
    ],
)
def test_event_list_shows_only_listed_timelines(reader, visibility, listed):
    event = EventFactory(timeline=TimelineFactory(visibility=visibility))

    response = client_for(user_for(reader)).get(events_url())

    assert (response.status_code, uids(response)) == (200, [str(event.uid)] if listed else [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reader", "visibility", "status_code"),
    [
        ("anonymous", "public", 200),
        ("anonymous", "unlisted", 200),
        ("anonymous", "private", 404),
        ("other", "public", 200),
        ("other", "unlisted", 200),
        ("other", "private", 404),
        ("editor", "public", 200),
        ("editor", "unlisted", 200),
        ("editor", "private", 200),
    ],
)
def test_event_detail_follows_timeline_visibility(reader, visibility, status_code):
    event = EventFactory(timeline=TimelineFactory(visibility=visibility))

    response = client_for(user_for(reader)).get(event_url(event))

    assert response.status_code == status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reader", "visibility", "status_code"),
    [
        ("anonymous", "public", 401),
        ("anonymous", "unlisted", 401),
        ("anonymous", "private", 401),
        ("other", "public", 403),
        ("other", "unlisted", 403),
        # An event the writer may not read answers like a missing one, for writes too.
        ("other", "private", 404),
        ("editor", "public", 200),
        ("editor", "unlisted", 200),
        ("editor", "private", 200),
    ],
)
def test_event_write_needs_model_permissions(reader, visibility, status_code):
    event = EventFactory(title="Before", timeline=TimelineFactory(visibility=visibility))

    response = client_for(user_for(reader)).patch(event_url(event), {"title": "After"}, format="json")

    event.refresh_from_db()
    assert (response.status_code, event.title) == (status_code, "After" if status_code == 200 else "Before")


@pytest.mark.django_db
@pytest.mark.parametrize(("reader", "status_code"), [("anonymous", 401), ("other", 403), ("editor", 201)])
def test_event_create_needs_model_permissions(reader, status_code):
    timeline = TimelineFactory(slug="dprk")

    response = client_for(user_for(reader)).post(
        events_url(), {"timeline": "dprk", "title": "New", "date": "2025-04"}, format="json"
    )

    assert (response.status_code, timeline.events.count()) == (status_code, 1 if status_code == 201 else 0)


@pytest.mark.django_db
@pytest.mark.parametrize(("reader", "status_code"), [("anonymous", 401), ("other", 403), ("editor", 204)])
def test_event_delete_needs_model_permissions(reader, status_code):
    event = EventFactory()

    response = client_for(user_for(reader)).delete(event_url(event))

    assert response.status_code == status_code


@pytest.mark.django_db
def test_anonymous_write_is_told_to_use_a_token():
    event = EventFactory()

    response = client_for().patch(event_url(event), {"title": "After"}, format="json")

    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")


@pytest.mark.django_db
@pytest.mark.parametrize(("reader", "status_code"), [("anonymous", 404), ("other", 404), ("editor", 200)])
def test_event_drafts_need_view_permission(reader, status_code):
    draft = EventFactory(published=False)

    response = client_for(user_for(reader)).get(event_url(draft))

    assert response.status_code == status_code


@pytest.mark.django_db
def test_event_list_shows_unlisted_timeline_when_named():
    event = EventFactory(timeline=TimelineFactory(slug="quiet", visibility="unlisted"))
    EventFactory()

    response = client_for().get(events_url(), {"timeline": "quiet"})

    assert uids(response) == [str(event.uid)]


@pytest.mark.django_db
def test_event_list_answers_private_timeline_like_an_unknown_one():
    EventFactory(timeline=TimelineFactory(slug="secret", visibility="private"))

    private = client_for().get(events_url(), {"timeline": "secret"})
    unknown = client_for().get(events_url(), {"timeline": "no-such-timeline"})

    assert (private.status_code, unknown.status_code) == (400, 400)
    assert private.json()["timeline"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert unknown.json()["timeline"] == private.json()["timeline"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reader", "visibility", "listed", "detail_status"),
    [
        ("anonymous", "public", True, 200),
        ("anonymous", "unlisted", False, 200),
        ("anonymous", "private", False, 404),
        ("other", "public", True, 200),
        ("other", "unlisted", False, 200),
        ("other", "private", False, 404),
        ("editor", "public", True, 200),
        ("editor", "unlisted", True, 200),
        ("editor", "private", True, 200),
    ],
)
def test_timeline_list_and_detail_follow_visibility(reader, visibility, listed, detail_status):
    timeline = TimelineFactory(slug="t", visibility=visibility)
    client = client_for(user_for(reader))

    listing = client.get(reverse("api:timeline-list"))
    detail = client.get(reverse("api:timeline-detail", kwargs={"slug": timeline.slug}))

    assert [row["slug"] for row in listing.json()["results"]] == (["t"] if listed else [])
    assert detail.status_code == detail_status


@pytest.mark.django_db
@pytest.mark.parametrize(("reader", "status_code"), [("anonymous", 401), ("other", 403), ("editor", 200)])
def test_timeline_write_needs_model_permissions(reader, status_code):
    TimelineFactory(slug="t", title="Before")

    response = client_for(user_for(reader)).patch(
        reverse("api:timeline-detail", kwargs={"slug": "t"}), {"title": "After"}, format="json"
    )

    assert response.status_code == status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reader", "titles"), [("anonymous", ["Public report"]), ("editor", ["Private report", "Public report"])]
)
def test_source_list_hides_sources_cited_only_by_private_events(reader, titles):
    CitationFactory(event=EventFactory(), source=SourceFactory(title="Public report"))
    private = EventFactory(timeline=TimelineFactory(visibility="private"))
    CitationFactory(event=private, source=SourceFactory(title="Private report"))

    response = client_for(user_for(reader)).get(reverse("api:source-list"))

    assert sorted(row["title"] for row in response.json()["results"]) == titles
