"""Event pages for the subscribers of a private feed: the feed's event links open them (200),
and every other key, filter, event or revoked token answers exactly like a missing event."""

import uuid
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.factories import EventFactory, TagFactory, TimelineFactory
from tests.timeline.ical_checks import parse_feed
from timeline.services import timeline_revoke_feed_token, timeline_rotate_feed_token

pytestmark = pytest.mark.django_db


def event_links(client, token, query=""):
    """{uid: the path and query of its link} in the private feed, as a calendar app reads them."""
    response = client.get(reverse("timeline:token-feed", kwargs={"token": token}) + query)
    assert response.status_code == 200
    links = {}
    for vevent in parse_feed(response.content).walk("VEVENT"):
        url = urlsplit(str(vevent["URL"]))
        links[str(vevent["UID"])] = url.path + ("?" + url.query if url.query else "")
    return links, response.content


def missing_event(client):
    """The answer for an event that does not exist, at its public address."""
    return client.get(reverse("timeline:event-detail", kwargs={"uid": uuid.uuid4()}))


def assert_like_missing(response, client):
    missing = missing_event(client)
    assert (response.status_code, response.content) == (missing.status_code, missing.content)


@pytest.fixture
def private():
    timeline = TimelineFactory(visibility="private", title="Sealed channel")
    return timeline


def test_private_feed_event_link_opens_the_event_for_its_subscriber(client, private):
    event = EventFactory(timeline=private, title="Convoy seen at Rason", summary="Forty trucks.")
    token = timeline_rotate_feed_token(timeline=private)
    links, body = event_links(client, token)

    response = client.get(links[str(event.uid)])

    assert response.status_code == 200
    assert token.encode() not in body
    assert links[str(event.uid)].startswith("/feeds/")
    assert "Convoy seen at Rason" in response.content.decode()
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The page links to nothing its reader cannot open: no timeline page, feed, brief or JSON.
    assert reverse("timeline:timeline-detail", kwargs={"slug": private.slug}).encode() not in response.content
    assert b"brief.pdf" not in response.content
    # Anyone else still gets the public address's 404.
    assert_like_missing(client.get(event.get_absolute_url()), client)


def test_private_feed_event_link_is_404_for_other_events_keys_and_drafts(client, private):
    event = EventFactory(timeline=private)
    draft = EventFactory(timeline=private, published=False)
    elsewhere = EventFactory(timeline=TimelineFactory(visibility="private"))
    timeline_rotate_feed_token(timeline=elsewhere.timeline)
    token = timeline_rotate_feed_token(timeline=private)
    link = event_links(client, token)[0][str(event.uid)]
    key = link.split("/")[2]

    def with_key(uid, key=key):
        return reverse("timeline:feed-event", kwargs={"key": key, "uid": uid})

    answers = [
        client.get(with_key(draft.uid)),
        client.get(with_key(elsewhere.uid)),
        client.get(with_key(uuid.uuid4())),
        client.get(with_key(event.uid, key=key[:-1] + ("0" if key[-1] != "0" else "1"))),
        client.get(with_key(event.uid, key=token)),
    ]

    for answer in answers:
        assert_like_missing(answer, client)


def test_private_feed_event_link_stops_working_when_the_token_is_rotated_or_revoked(client, private):
    event = EventFactory(timeline=private)
    first = timeline_rotate_feed_token(timeline=private)
    old_link = event_links(client, first)[0][str(event.uid)]

    second = timeline_rotate_feed_token(timeline=private)
    new_link = event_links(client, second)[0][str(event.uid)]
    after_rotation = client.get(old_link)
    still = client.get(new_link)
    timeline_revoke_feed_token(timeline=private)
    after_revocation = client.get(new_link)

    assert new_link != old_link
    assert still.status_code == 200
    assert_like_missing(after_rotation, client)
    assert_like_missing(after_revocation, client)


def test_private_feed_event_link_is_scoped_to_the_feed_filter(client, private):
    munitions = TagFactory(name="Munitions", slug="munitions")
    shells = EventFactory(timeline=private, title="Shell deliveries")
    shells.tags.add(munitions)
    other = EventFactory(timeline=private, title="Talks in Moscow")
    token = timeline_rotate_feed_token(timeline=private)
    links, _ = event_links(client, token, "?tag=munitions")
    link = links[str(shells.uid)]
    path = link.split("?")[0]

    shown = client.get(link)
    other_with_key = client.get(path.replace(str(shells.uid), str(other.uid)) + "?tag=munitions")
    widened = client.get(path)

    assert list(links) == [str(shells.uid)]
    assert link.endswith("?tag=munitions")
    assert shown.status_code == 200
    assert_like_missing(other_with_key, client)
    assert_like_missing(widened, client)


def test_private_feed_event_link_when_the_timeline_turns_public_becomes_the_public_page(client, private):
    event = EventFactory(timeline=private)
    token = timeline_rotate_feed_token(timeline=private)
    private.visibility = "public"
    private.save()

    links, _ = event_links(client, token)

    assert links[str(event.uid)] == event.get_absolute_url()
