"""Who the client is (TRUSTED_PROXY_COUNT) and the rate limits of the API, briefs and feeds."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, events_url
from timeline.throttles import client_address


def set_rates(settings, **rates):
    """Change throttle rates the way an operator's environment would (DRF reloads its settings)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def brief_url(timeline, query=""):
    return reverse("timeline:timeline-brief", kwargs={"slug": timeline.slug}) + query


def feed_url(timeline, query=""):
    return reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug}) + query


def test_client_address_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert client_address(request) == "198.51.100.9"


def test_client_address_behind_one_proxy_is_the_right_most_forwarded_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",  # client-written, proxy-appended
    )

    assert client_address(request) == "203.0.113.7"


def test_client_address_behind_two_proxies_skips_the_inner_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.0.0.2")

    assert client_address(request) == "203.0.113.7"


def test_client_address_behind_a_proxy_without_the_header_is_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")

    assert client_address(request) == "10.0.0.2"


@pytest.mark.django_db
def test_api_rotating_forwarded_for_does_not_escape_the_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    set_rates(settings, anon="3/minute")
    client = client_for()

    responses = [client.get(events_url(), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(5)]

    assert [response.status_code for response in responses] == [200, 200, 200, 429, 429]
    assert int(responses[3]["Retry-After"]) in range(1, 61)
    assert responses[3].json()["detail"].startswith("Request was throttled.")


@pytest.mark.django_db
def test_api_behind_one_proxy_counts_the_proxy_appended_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    set_rates(settings, anon="2/minute")
    client = client_for()

    # The client rotates what it writes; the proxy appends the same real address every time.
    same_client = [
        client.get(events_url(), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code for n in range(3)
    ]
    other_client = client.get(events_url(), HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.8").status_code

    assert (same_client, other_client) == ([200, 200, 429], 200)


@pytest.mark.django_db
def test_brief_renders_are_throttled_at_the_configured_rate(client, settings):
    set_rates(settings, brief_render="2/minute")
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, key=True)

    responses = [client.get(brief_url(timeline, query)) for query in ("", "?key=true", "?key=false")]

    assert [response.status_code for response in responses] == [200, 200, 429]
    refused = responses[2]
    assert int(refused["Retry-After"]) in range(1, 61)
    assert refused["Content-Type"] == "text/plain; charset=utf-8"
    assert refused.content.decode().startswith("Too many PDF briefs were rendered for this client. Try again in ")


@pytest.mark.django_db
def test_brief_not_modified_and_cached_pdfs_are_not_throttled(client, settings):
    set_rates(settings, brief_render="1/minute")
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)
    first = client.get(brief_url(timeline))

    cached = client.get(brief_url(timeline))
    not_modified = client.get(brief_url(timeline), HTTP_IF_NONE_MATCH=first["ETag"])
    new_render = client.get(brief_url(timeline, "?key=true"))

    assert [r.status_code for r in (first, cached, not_modified, new_render)] == [200, 200, 304, 429]


@pytest.mark.django_db
def test_brief_renders_of_a_signed_in_user_count_against_the_user_rate(client, settings):
    set_rates(settings, brief_render="1/minute", brief_render_user="2/minute")
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, key=True)
    client.force_login(EditorFactory())

    statuses = [client.get(brief_url(timeline, query)).status_code for query in ("", "?key=true", "?key=false")]

    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_feed_renders_are_throttled_at_the_configured_rate(client, settings):
    set_rates(settings, feed_render="2/minute")
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, key=True)

    responses = [client.get(feed_url(timeline, query)) for query in ("", "?key=true", "?key=false")]

    assert [response.status_code for response in responses] == [200, 200, 429]
    refused = responses[2]
    assert int(refused["Retry-After"]) in range(1, 61)
    assert refused.content.decode().startswith("Too many calendar feeds were rendered for this client. Try again in ")
    assert (refused.has_header("ETag"), refused.has_header("Last-Modified")) == (False, False)


@pytest.mark.django_db
def test_feed_not_modified_and_cached_bodies_are_not_throttled(client, settings):
    set_rates(settings, feed_render="1/minute")
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)
    first = client.get(feed_url(timeline))

    cached = client.get(feed_url(timeline))
    not_modified = client.get(feed_url(timeline), HTTP_IF_NONE_MATCH=first["ETag"])
    new_render = client.get(feed_url(timeline, "?key=true"))

    assert [r.status_code for r in (first, cached, not_modified, new_render)] == [200, 200, 304, 429]
    assert cached.content == first.content


@pytest.mark.django_db
def test_feed_renders_rotating_forwarded_for_do_not_escape_the_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    set_rates(settings, feed_render="2/minute")
    timeline = TimelineFactory()

    statuses = [
        client.get(feed_url(timeline, f"?q=word{n}"), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_event_downloads_count_as_feed_renders_but_their_not_modified_answers_do_not(client, settings):
    set_rates(settings, feed_render="1/minute")
    event = EventFactory()
    url = reverse("timeline:event-ics", kwargs={"uid": event.uid})
    first = client.get(url)

    not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    second = client.get(url)

    assert [r.status_code for r in (first, not_modified, second)] == [200, 304, 429]
