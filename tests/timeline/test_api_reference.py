"""Timelines, sources, actors and tags through the API."""

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, EditorFactory, EventFactory, TagFactory, TimelineFactory
from tests.timeline.api_helpers import client_for
from timeline.models import Tag


def linked_to_event(kind):
    """One published event with one of ``kind`` linked to it."""
    if kind == "timeline":
        EventFactory()
    elif kind == "source":
        CitationFactory()
    elif kind == "actor":
        EventFactory(actors=[ActorFactory()])
    else:
        EventFactory(tags=[TagFactory()])


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["timeline", "source", "actor", "tag"])
@pytest.mark.parametrize("count", [1, 3])
def test_reference_list_query_count_is_constant(django_assert_num_queries, kind, count):
    for _ in range(count):
        linked_to_event(kind)
    client = client_for()

    # 1 count for the page links, 2 the page of rows
    with django_assert_num_queries(2):
        response = client.get(reverse(f"api:{kind}-list"))

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
def test_timeline_detail_links_events_calendar_and_brief():
    TimelineFactory(slug="dprk", title="DPRK in Kursk", visibility="unlisted")

    response = client_for().get(reverse("api:timeline-detail", kwargs={"slug": "dprk"}))

    body = response.json()
    assert (body["title"], body["visibility"]) == ("DPRK in Kursk", "unlisted")
    assert body["links"] == {
        "self": "http://testserver/api/v1/timelines/dprk/",
        "events": "http://testserver/api/v1/events/?timeline=dprk",
        "calendar": "http://testserver/timelines/dprk/calendar.ics",
        "brief": "http://testserver/timelines/dprk/brief.pdf",
    }


@pytest.mark.django_db
def test_actor_list_hides_actors_of_drafts_from_anonymous_readers():
    EventFactory(actors=[ActorFactory(name="Public actor")])
    EventFactory(published=False, actors=[ActorFactory(name="Draft actor")])

    response = client_for().get(reverse("api:actor-list"))

    assert [row["name"] for row in response.json()["results"]] == ["Public actor"]


@pytest.mark.django_db
def test_tag_create_derives_slug():
    response = client_for(EditorFactory()).post(reverse("api:tag-list"), {"name": "Artillery shells"}, format="json")

    assert (response.status_code, response.json()) == (201, {"slug": "artillery-shells", "name": "Artillery shells"})
    assert Tag.objects.get().slug == "artillery-shells"


@pytest.mark.django_db
def test_timeline_create_by_editor():
    response = client_for(EditorFactory()).post(
        reverse("api:timeline-list"), {"slug": "new", "title": "New", "visibility": "private"}, format="json"
    )

    assert (response.status_code, response.json()["visibility"]) == (201, "private")


@pytest.mark.django_db
def test_timeline_update_with_token_records_history_user():
    editor = EditorFactory()
    timeline = TimelineFactory(slug="t")

    client_for(editor).patch(reverse("api:timeline-detail", kwargs={"slug": "t"}), {"title": "New"}, format="json")

    assert (timeline.history.first().title, timeline.history.first().history_user) == ("New", editor)
