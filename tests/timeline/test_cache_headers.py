"""What shared caches (a CDN in front of the service) may keep, and compression of feeds and JSON."""

import gzip
import hashlib
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from tests.timeline.ical_checks import parse_feed
from timeline import feeds
from timeline.services import timeline_rotate_feed_token


def feed_url(timeline):
    return reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})


@pytest.mark.django_db
def test_public_feed_may_be_kept_by_shared_caches_also_on_304(client, settings):
    settings.TIMELINE_PUBLIC_MAX_AGE = 600
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)

    first = client.get(feed_url(timeline))
    again = client.get(feed_url(timeline), HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, first["Cache-Control"]) == (200, "public, max-age=600")
    assert (again.status_code, again["Cache-Control"]) == (304, "public, max-age=600")


@pytest.mark.django_db
def test_token_feed_stays_private(client):
    timeline = TimelineFactory(visibility="private")
    EventFactory(timeline=timeline)
    token = timeline_rotate_feed_token(timeline=timeline)

    response = client.get(reverse("timeline:token-feed", kwargs={"token": token}))

    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-cache")


@pytest.mark.django_db
def test_missing_feed_is_not_kept_by_shared_caches(client):
    response = client.get(reverse("timeline:timeline-feed", kwargs={"slug": "nope"}))

    assert (response.status_code, response["Cache-Control"]) == (404, "no-cache")


@pytest.mark.django_db
def test_timeline_page_is_public_for_anonymous_readers_and_private_for_editors(client, settings):
    settings.TIMELINE_PUBLIC_MAX_AGE = 300
    timeline = TimelineFactory()
    url = reverse("timeline:timeline-detail", kwargs={"slug": timeline.slug})

    anonymous = client.get(url)
    client.force_login(EditorFactory())
    editor = client.get(url)

    assert anonymous["Cache-Control"] == "public, max-age=300"
    assert editor["Cache-Control"] == "private, no-cache"
    assert "Cookie" in editor["Vary"]


@pytest.mark.django_db
def test_event_page_is_public_for_anonymous_readers(client, settings):
    settings.TIMELINE_PUBLIC_MAX_AGE = 300
    event = EventFactory()

    response = client.get(reverse("timeline:event-detail", kwargs={"uid": event.uid}))

    assert (response.status_code, response["Cache-Control"]) == (200, "public, max-age=300")


@pytest.mark.django_db
def test_feed_is_gzipped_when_the_client_accepts_it_and_still_answers_304(client):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Convoy crosses the border")

    response = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    calendar = parse_feed(gzip.decompress(response.content))
    assert [str(event["SUMMARY"]).endswith("Convoy crosses the border") for event in calendar.walk("VEVENT")] == [True]
    assert again.status_code == 304


@pytest.mark.django_db
def test_gzipped_feed_is_the_plain_feed_compressed_with_a_weak_etag(client):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Конвой перетнув кордон")

    plain = client.get(feed_url(timeline))
    compressed = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["ETag"] == "W/" + plain["ETag"]
    assert compressed["Content-Length"] == str(len(compressed.content))
    assert "Accept-Encoding" in plain["Vary"]
    assert "Accept-Encoding" in compressed["Vary"]


@pytest.mark.django_db
def test_gzipped_feed_is_kept_compressed_for_other_processes(client):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)
    first = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip")
    # What another process of the deployment would have: only the shared cache.
    feeds.recent_bodies.clear()

    again = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip")

    etag = first["ETag"].removeprefix('W/"').removesuffix('"')
    assert cache.get(f"export:ics:{etag}:gzip") == first.content
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_gzipped_feed_answers_304_to_its_weak_etag_after_an_edit_200(client):
    timeline = TimelineFactory()
    event = EventFactory(timeline=timeline, title="Before")
    first = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip")
    unchanged = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    event.title = "After"
    event.save()

    changed = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    summaries = [str(vevent["SUMMARY"]) for vevent in parse_feed(gzip.decompress(changed.content)).walk("VEVENT")]
    assert [summary.endswith("After") for summary in summaries] == [True]


@pytest.mark.django_db
def test_gzipped_feed_answers_304_to_its_weak_etag_in_one_query(client, django_assert_num_queries):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)
    first = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip")
    # Without the validators the address answered with (expired), the timeline is read again.
    cache.delete(f"feed-validators:{hashlib.sha256(feed_url(timeline).encode()).hexdigest()}")

    # 1: the timeline by slug (its change times give the ETag).
    with django_assert_num_queries(1):
        response = client.get(feed_url(timeline), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (response.status_code, response.content) == (304, b"")
    assert response["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_token_feed_is_gzipped_and_stays_private(client):
    timeline = TimelineFactory(visibility="private")
    EventFactory(timeline=timeline, title="Closed briefing")
    token = timeline_rotate_feed_token(timeline=timeline)

    response = client.get(reverse("timeline:token-feed", kwargs={"token": token}), HTTP_ACCEPT_ENCODING="gzip")

    assert (response["Content-Encoding"], response["Cache-Control"]) == ("gzip", "private, no-cache")
    summaries = [str(vevent["SUMMARY"]) for vevent in parse_feed(gzip.decompress(response.content)).walk("VEVENT")]
    assert [summary.endswith("Closed briefing") for summary in summaries] == [True]


@pytest.mark.django_db
def test_api_json_is_gzipped_and_html_pages_are_not(client):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)

    api = client.get(reverse("api:event-list"), HTTP_ACCEPT="application/json", HTTP_ACCEPT_ENCODING="gzip")
    page = client.get(reverse("timeline:timeline-detail", kwargs={"slug": timeline.slug}), HTTP_ACCEPT_ENCODING="gzip")

    assert api["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(api.content))["results"]) == 1
    assert page.has_header("Content-Encoding") is False
