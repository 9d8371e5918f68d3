"""The feed links and token actions, on an admin site wired as timeline/admin.py should be."""

import re

import pytest
from django.contrib.messages import get_messages

from tests.factories import EventFactory, TimelineFactory, UserFactory
from tests.timeline.ical_checks import parse_feed

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.timeline.admin_feeds_urls")]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_change_page_shows_subscribe_links(admin_client, settings):
    settings.SITE_URL = "https://timelines.example.org"
    timeline = TimelineFactory(slug="kursk")

    response = admin_client.get(f"/admin/timeline/timeline/{timeline.pk}/change/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="webcal://timelines.example.org/timelines/kursk/calendar.ics"' in body
    assert 'href="https://timelines.example.org/timelines/kursk/calendar.ics"' in body
    assert "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Ftimelines.example.org" in body
    assert 'href="https://timelines.example.org/timelines/kursk/calendar.ics?download=1"' in body
    assert "No private feed address." in body


def test_change_page_of_a_private_timeline_shows_no_public_links(admin_client):
    timeline = TimelineFactory(visibility="private")

    response = admin_client.get(f"/admin/timeline/timeline/{timeline.pk}/change/")

    body = response.content.decode()
    assert "calendar.ics" not in body
    assert "Private timeline: readers subscribe through the private feed address only." in body


def test_rotate_action_shows_the_new_address_once_and_it_works(admin_client):
    timeline = TimelineFactory(visibility="private")
    event = EventFactory(timeline=timeline)

    response = admin_client.post(
        "/admin/timeline/timeline/", {"action": "rotate_feed_token", "_selected_action": [timeline.pk]}
    )

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert len(messages) == 1
    url = re.search(r"<code>https?://testserver(/feeds/[^/]+/calendar.ics)</code>", messages[0])[1]
    feed = admin_client.get(url)
    assert [str(v["UID"]) for v in parse_feed(feed.content).walk("VEVENT")] == [str(event.uid)]
    shown = admin_client.get(f"/admin/timeline/timeline/{timeline.pk}/change/").content.decode()
    again = admin_client.get(f"/admin/timeline/timeline/{timeline.pk}/change/").content.decode()
    assert url in shown
    assert url not in again
    assert "Private feed address active since" in again


def test_revoke_action_retires_the_address(admin_client):
    timeline = TimelineFactory(visibility="private")
    admin_client.post("/admin/timeline/timeline/", {"action": "rotate_feed_token", "_selected_action": [timeline.pk]})

    response = admin_client.post(
        "/admin/timeline/timeline/", {"action": "revoke_feed_token", "_selected_action": [timeline.pk]}, follow=True
    )

    timeline.refresh_from_db()
    assert timeline.feed_token_hash == ""
    assert "Revoked the private feed address of 1 timeline(s)" in response.content.decode()


def test_change_page_warns_when_the_public_feed_passes_one_megabyte(admin_client, settings):
    settings.TIMELINE_FEED_DESCRIPTION_MAX = 200_000
    big = TimelineFactory(slug="big")
    for number in range(6):
        EventFactory(timeline=big, date=f"2025-04-{number + 1:02d}", summary=f"Report {number}: " + "ж" * 100_000)
    small = TimelineFactory(slug="small")
    EventFactory(timeline=small)

    warned = admin_client.get(f"/admin/timeline/timeline/{big.pk}/change/").content.decode()
    quiet = admin_client.get(f"/admin/timeline/timeline/{small.pk}/change/").content.decode()
    feed = admin_client.get("/timelines/big/calendar.ics")

    assert re.findall(r"This feed is ([\d.]+) MB", warned) == [f"{len(feed.content) / 1e6:.1f}"]
    assert len(feed.content) > 1_000_000
    assert "?from=-90d&amp;to=+30d" in warned
    assert "This feed is" not in quiet
