"""Calendar feeds over HTTP: what is served to whom, conditional requests, tokens, query counts."""

import datetime as dt
import hashlib
import json
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, TagFactory, TimelineFactory
from tests.timeline.exporters.injection import PAYLOADS
from tests.timeline.ical_checks import parse_feed
from timeline.exporters.ical import clean_text
from timeline.feeds import timeline_subscribe_links
from timeline.models import Claim, Event, Timeline
from timeline.services import events_set_published, timeline_revoke_feed_token, timeline_rotate_feed_token

pytestmark = pytest.mark.django_db

THUNDERBIRD_ACCEPT = "text/calendar,text/plain;q=0.8,*/*;q=0.5"
NEXTCLOUD_ACCEPT = "text/calendar, application/calendar+json, application/calendar+xml"


def feed_url(timeline, **params):
    url = reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")


def token_url(token):
    return reverse("timeline:token-feed", kwargs={"token": token})


def uids(response):
    return [str(vevent["UID"]) for vevent in parse_feed(response.content).walk("VEVENT")]


def test_timeline_feed_serves_published_events_of_a_public_timeline(client):
    timeline = TimelineFactory(title="Kursk incursion")
    shown = EventFactory(timeline=timeline, date="2025-04-17")
    EventFactory(timeline=timeline, published=False)
    EventFactory(date="2025-04-18")

    response = client.get(feed_url(timeline))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.has_header("Content-Disposition") is False
    assert uids(response) == [str(shown.uid)]
    assert str(parse_feed(response.content)["X-WR-CALNAME"]) == "Kursk incursion"


def test_timeline_feed_serves_unlisted_timelines(client):
    event = EventFactory(timeline=TimelineFactory(visibility="unlisted"))

    response = client.get(feed_url(event.timeline))

    assert uids(response) == [str(event.uid)]


def test_timeline_feed_never_serves_a_private_timeline_by_slug(client):
    event = EventFactory(timeline=TimelineFactory(visibility="private"))
    timeline_rotate_feed_token(timeline=event.timeline)

    response = client.get(feed_url(event.timeline))

    assert response.status_code == 404
    assert str(event.uid).encode() not in response.content


@pytest.mark.parametrize("accept", [None, THUNDERBIRD_ACCEPT, NEXTCLOUD_ACCEPT, "application/json"])
def test_timeline_feed_answers_every_accept_header_with_the_calendar(client, accept):
    event = EventFactory()
    headers = {"accept": accept} if accept else {}

    response = client.get(feed_url(event.timeline), headers=headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert uids(response) == [str(event.uid)]


def test_timeline_feed_answers_head_and_refuses_post(client):
    event = EventFactory()

    head = client.head(feed_url(event.timeline))
    post = client.post(feed_url(event.timeline))

    assert head.status_code == 200
    assert head.has_header("ETag") is True
    assert post.status_code == 405


def test_timeline_feed_applies_event_filters(client):
    timeline = TimelineFactory()
    munitions = TagFactory(name="Munitions", slug="munitions")
    wanted = EventFactory(timeline=timeline, credibility=2, tags=[munitions])
    EventFactory(timeline=timeline, credibility=5, tags=[munitions])
    EventFactory(timeline=timeline, credibility=1)

    response = client.get(feed_url(timeline, tag="munitions", min_credibility=3))

    calendar = parse_feed(response.content)
    assert uids(response) == [str(wanted.uid)]
    assert str(calendar["NAME"]) == f"{timeline.title} (Tag: Munitions · Credibility 1–3)"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"min_credibility": "9"}, "min_credibility", "Select a valid choice."),
        ({"overlaps": "2025-13"}, "overlaps", "“2025-13”: month 13 is out of range"),
        ({"tag": "no-such-tag"}, "tag", "Select a valid choice. no-such-tag is not one of the available choices."),
        ({"include_year": "maybe"}, "include_year", "“maybe” is not a yes/no value; use 1 or 0."),
    ],
)
def test_timeline_feed_answers_invalid_parameters_with_400(client, params, field, message):
    event = EventFactory()

    response = client.get(feed_url(event.timeline, **params))

    # The one 400 body of every export surface, DRF's shape: field -> messages.
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [field]
    assert message in " ".join(response.json()[field])
    assert response.has_header("ETag") is False


def test_timeline_feed_leaves_out_year_events_unless_asked(client):
    timeline = TimelineFactory()
    month = EventFactory(timeline=timeline, date="2025-04")
    year = EventFactory(timeline=timeline, date="2024")

    default = client.get(feed_url(timeline))
    included = client.get(feed_url(timeline, include_year=1))
    download = client.get(feed_url(timeline, download=1))

    assert uids(default) == [str(month.uid)]
    assert uids(included) == [str(year.uid), str(month.uid)]
    assert uids(download) == [str(year.uid), str(month.uid)]
    assert download["Content-Disposition"] == f'attachment; filename="{timeline.slug}.ics"'
    assert default["ETag"] != included["ETag"]


def test_timeline_feed_keeps_uid_and_counts_sequence_after_an_edit(client):
    event = EventFactory(title="Before")
    first = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    event.title = "After"
    event.date = "2025-05-02"
    event.save()
    second = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    assert str(second["UID"]) == str(first["UID"])
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (1, 2)
    assert str(second["SUMMARY"]) == f"[{event.get_status_display().lower()} · {event.grade}] After"


def test_timeline_feed_drops_deleted_event_and_changes_etag(client):
    timeline = TimelineFactory()
    kept = EventFactory(timeline=timeline)
    deleted = EventFactory(timeline=timeline)
    before = client.get(feed_url(timeline))

    Event.objects.filter(pk=deleted.pk).delete()
    after = client.get(feed_url(timeline))

    assert uids(after) == [str(kept.uid)]
    assert after["ETag"] != before["ETag"]


def test_timeline_feed_drops_unpublished_event_and_changes_etag(client):
    timeline = TimelineFactory()
    kept = EventFactory(timeline=timeline)
    hidden = EventFactory(timeline=timeline)
    before = client.get(feed_url(timeline))

    events_set_published(events=[hidden], published=False)
    after = client.get(feed_url(timeline))

    assert uids(after) == [str(kept.uid)]
    assert after["ETag"] != before["ETag"]


def test_timeline_feed_last_modified_never_moves_backwards(client):
    timeline = TimelineFactory()
    older = EventFactory(timeline=timeline)
    newest = EventFactory(timeline=timeline)
    Event.objects.filter(pk=older.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))
    before = client.get(feed_url(timeline))

    newest.delete()
    after = client.get(feed_url(timeline))

    assert dt.datetime.strptime(after["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT") >= dt.datetime.strptime(
        before["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT"
    )
    assert after["ETag"] != before["ETag"]


def test_timeline_feed_shows_an_edited_source_title(client):
    source = SourceFactory(title="First title")
    citation = CitationFactory(source=source)
    before = client.get(feed_url(citation.event.timeline))

    source.title = "Corrected title"
    source.save()
    after = client.get(feed_url(citation.event.timeline))

    description = str(parse_feed(after.content).walk("VEVENT")[0]["DESCRIPTION"])
    assert "1. Corrected title — The Example Times" in description
    assert after["ETag"] != before["ETag"]


def test_timeline_feed_shows_a_renamed_claimant_and_tag(client):
    actor = ActorFactory(name="GUR")
    tag = TagFactory(name="Drones")
    event = EventFactory(claimant=actor, status="claimed", tags=[tag])
    client.get(feed_url(event.timeline))

    actor.name = "HUR"
    actor.save()
    tag.name = "UAVs"
    tag.save()
    vevent = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    assert str(vevent["X-TIMELINE-CLAIMANT"]) == "HUR"
    assert [str(c) for c in vevent["CATEGORIES"].cats] == ["UAVs"]


def test_timeline_feed_bytes_are_stable_across_renders(client):
    event = EventFactory()
    first = client.get(feed_url(event.timeline)).content

    cache.clear()
    second = client.get(feed_url(event.timeline)).content

    assert first == second


# --- Conditional requests -------------------------------------------------------------------


def test_timeline_feed_answers_304_to_a_matching_etag_in_one_query(client, django_assert_num_queries):
    event = EventFactory()
    # Last-Modified is rounded up once the change's second is over: settle it, so both answers agree.
    settle(event.timeline)
    first = client.get(feed_url(event.timeline))
    cache.delete_many(cache_keys_of_feed_validators(feed_url(event.timeline)))

    # 1: the timeline by slug (its content_changed_at gives ETag and Last-Modified).
    with django_assert_num_queries(1):
        response = client.get(feed_url(event.timeline), headers={"if-none-match": first["ETag"]})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert response["Last-Modified"] == first["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=300"


def cache_keys_of_feed_validators(path):
    return [f"feed-validators:{hashlib.sha256(path.encode()).hexdigest()}"]


def test_timeline_feed_answers_a_repeated_poll_from_the_cache_alone(client, django_assert_num_queries):
    event = EventFactory()
    first = client.get(feed_url(event.timeline))

    # None: the validators this address answered with in the current generation are in the cache.
    with django_assert_num_queries(0):
        response = client.get(feed_url(event.timeline), headers={"if-none-match": first["ETag"]})

    assert (response.status_code, response["ETag"], response["Last-Modified"]) == (
        304,
        first["ETag"],
        first["Last-Modified"],
    )
    assert response["Cache-Control"] == "public, max-age=300"


def test_timeline_feed_answers_200_right_after_a_timeline_edit_despite_kept_validators(client):
    event = EventFactory()
    first = client.get(feed_url(event.timeline))
    client.get(feed_url(event.timeline), headers={"if-none-match": first["ETag"]})
    event.timeline.title = "Renamed"
    event.timeline.save()

    response = client.get(feed_url(event.timeline), headers={"if-none-match": first["ETag"]})

    assert response.status_code == 200


def vevents_of(response):
    return parse_feed(response.content).walk("VEVENT")


def settle(timeline, seconds=2):
    """Date the timeline's last change ``seconds`` back: a date is compared only once its second is over."""
    earlier = timezone.now() - dt.timedelta(seconds=seconds)
    Timeline.objects.filter(pk=timeline.pk).update(content_changed_at=earlier, updated_at=earlier)


def test_timeline_feed_answers_304_to_if_modified_since(client):
    event = EventFactory()
    settle(event.timeline)
    first = client.get(feed_url(event.timeline))

    response = client.get(feed_url(event.timeline), headers={"if-modified-since": first["Last-Modified"]})

    assert response.status_code == 304


def test_timeline_feed_prefers_etag_over_date(client):
    event = EventFactory()
    first = client.get(feed_url(event.timeline))

    response = client.get(
        feed_url(event.timeline),
        headers={"if-none-match": '"stale"', "if-modified-since": first["Last-Modified"]},
    )

    assert response.status_code == 200


def test_timeline_feed_answers_200_after_an_edit(client):
    event = EventFactory()
    first = client.get(feed_url(event.timeline))

    event.save()
    response = client.get(feed_url(event.timeline), headers={"if-none-match": first["ETag"]})

    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]


def test_timeline_feed_ignores_a_garbage_date(client):
    event = EventFactory()

    response = client.get(feed_url(event.timeline), headers={"if-modified-since": "yesterday-ish"})

    assert response.status_code == 200


def test_timeline_feed_in_the_future_if_modified_since_is_304(client):
    event = EventFactory()
    settle(event.timeline)
    later = http_date((timezone.now() + dt.timedelta(days=1)).timestamp())

    response = client.get(feed_url(event.timeline), headers={"if-modified-since": later})

    assert response.status_code == 304


def test_timeline_feed_never_answers_304_on_a_date_for_a_change_in_the_same_second(client):
    timeline = TimelineFactory()
    event = EventFactory(timeline=timeline, title="Before")
    answers = []

    for attempt in range(5):
        first = client.get(feed_url(timeline))
        event.title = f"After {attempt}"
        event.save()
        answers.append(client.get(feed_url(timeline), headers={"if-modified-since": first["Last-Modified"]}))

    assert [answer.status_code for answer in answers] == [200] * 5
    assert [str(vevents_of(answer)[0]["SUMMARY"]).split("] ")[1] for answer in answers] == [
        f"After {attempt}" for attempt in range(5)
    ]


def test_timeline_feed_last_modified_is_rounded_up_once_its_second_is_over(client):
    event = EventFactory()
    changed = timezone.now() - dt.timedelta(seconds=3, microseconds=-250_000)
    Timeline.objects.filter(pk=event.timeline.pk).update(content_changed_at=changed, updated_at=changed)

    response = client.get(feed_url(event.timeline))

    assert response["Last-Modified"] == http_date(changed.replace(microsecond=0).timestamp() + 1)


# --- Query counts ---------------------------------------------------------------------------


def make_events(timeline, count):
    tag = TagFactory()
    actor = ActorFactory()
    for _ in range(count):
        event = EventFactory(timeline=timeline, claimant=actor, tags=[tag])
        CitationFactory(event=event)
        Claim.objects.create(event=event, claimant=actor, stance="asserts", made="2025").citations.set(
            [CitationFactory(event=event)]
        )


@pytest.mark.parametrize("count", [1, 3])
def test_timeline_feed_query_count_is_constant(client, django_assert_num_queries, count):
    timeline = TimelineFactory()
    make_events(timeline, count)

    # 1: the timeline by slug; 2: the size limit (events counted to TIMELINE_FEED_MAX_EVENTS + 1);
    # 3: claims a feed reader may see, with claimant names; 4: their citations' sources;
    # 5: events joined with their claimant; 6: tag names; 7: citations with sources.
    with django_assert_num_queries(7):
        response = client.get(feed_url(timeline))

    assert len(uids(response)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_timeline_feed_from_cache_runs_one_query(client, django_assert_num_queries, count):
    timeline = TimelineFactory()
    make_events(timeline, count)
    client.get(feed_url(timeline))

    # 1: the timeline by slug; the body comes from the cache.
    with django_assert_num_queries(1):
        response = client.get(feed_url(timeline))

    assert len(uids(response)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_token_feed_query_count_is_constant(client, django_assert_num_queries, count):
    timeline = TimelineFactory(visibility="private")
    make_events(timeline, count)
    token = timeline_rotate_feed_token(timeline=timeline)

    # 1: the timeline by token digest; 2: the size limit (counted to TIMELINE_FEED_MAX_EVENTS + 1);
    # 3: claims a feed reader may see, with claimant names; 4: their citations' sources;
    # 5: events with claimant; 6: tag names; 7: citations with sources.
    with django_assert_num_queries(7):
        response = client.get(token_url(token))

    assert len(uids(response)) == count


# --- Private feeds ----------------------------------------------------------------------------


def test_token_feed_serves_a_private_timeline_without_leaking_the_token(client):
    event = EventFactory(timeline=TimelineFactory(visibility="private"))
    EventFactory(timeline=event.timeline, published=False)
    token = timeline_rotate_feed_token(timeline=event.timeline)

    response = client.get(token_url(token))

    assert response.status_code == 200
    assert uids(response) == [str(event.uid)]
    assert token.encode() not in response.content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-cache"
    assert response.has_header("Content-Disposition") is False


def test_token_is_stored_only_as_its_digest():
    timeline = TimelineFactory(visibility="private")

    token = timeline_rotate_feed_token(timeline=timeline)

    timeline.refresh_from_db()
    assert len(token) >= 43
    assert token not in timeline.feed_token_hash
    assert len(timeline.feed_token_hash) == 64
    assert timeline.feed_token_created_at is not None


def test_token_feed_answers_410_after_rotation(client):
    timeline = TimelineFactory(visibility="private")
    EventFactory(timeline=timeline)
    old = timeline_rotate_feed_token(timeline=timeline)

    new = timeline_rotate_feed_token(timeline=timeline)
    gone = client.get(token_url(old))
    current = client.get(token_url(new))

    assert gone.status_code == 410
    assert gone["X-Robots-Tag"] == "noindex, nofollow"
    assert current.status_code == 200


def test_token_feed_answers_410_after_revocation(client):
    timeline = TimelineFactory(visibility="private")
    token = timeline_rotate_feed_token(timeline=timeline)

    timeline_revoke_feed_token(timeline=timeline)
    response = client.get(token_url(token))

    timeline.refresh_from_db()
    assert response.status_code == 410
    assert timeline.feed_token_hash == ""


@pytest.mark.parametrize("token", ["x", "a" * 43, "", "%00"])
def test_token_feed_never_serves_without_a_valid_token(client, token):
    timeline = TimelineFactory(visibility="private")
    EventFactory(timeline=timeline, title="Secret event")
    Timeline.objects.filter(pk=timeline.pk).update(feed_token_hash="")

    response = client.get(f"/feeds/{token}/calendar.ics")

    assert response.status_code in (404, 410)
    assert b"Secret event" not in response.content


def test_token_feed_answers_304(client, django_assert_num_queries):
    timeline = TimelineFactory(visibility="private")
    EventFactory(timeline=timeline)
    token = timeline_rotate_feed_token(timeline=timeline)
    first = client.get(token_url(token))

    # 1: the timeline by token digest.
    with django_assert_num_queries(1):
        response = client.get(token_url(token), headers={"if-none-match": first["ETag"]})

    assert response.status_code == 304
    assert response["X-Robots-Tag"] == "noindex, nofollow"


# --- Event download ---------------------------------------------------------------------------


def test_event_download_is_an_attachment_with_a_unicode_name(client):
    event = EventFactory(title="Удар по Курську / 김정은", date="2025")

    response = client.get(reverse("timeline:event-ics", kwargs={"uid": event.uid}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("Удар по Курську - 김정은.ics")
    assert uids(response) == [str(event.uid)]


@pytest.mark.parametrize(("published", "visibility"), [(False, "public"), (True, "private")])
def test_event_download_hides_drafts_and_private_events(client, published, visibility):
    event = EventFactory(published=published, timeline=TimelineFactory(visibility=visibility))

    response = client.get(reverse("timeline:event-ics", kwargs={"uid": event.uid}))

    assert response.status_code == 404


def test_event_download_answers_304_until_a_cited_source_changes(client):
    citation = CitationFactory()
    url = reverse("timeline:event-ics", kwargs={"uid": citation.event.uid})
    first = client.get(url)

    unchanged = client.get(url, headers={"if-none-match": first["ETag"]})
    citation.source.title = "Corrected"
    citation.source.save()
    changed = client.get(url, headers={"if-none-match": first["ETag"]})

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert first.has_header("Last-Modified") is False


# --- Subscribe links ----------------------------------------------------------------------------


def test_subscribe_links_for_a_public_timeline(settings):
    settings.SITE_URL = "https://timelines.example.org"
    timeline = TimelineFactory(slug="kursk")

    links = timeline_subscribe_links(timeline)

    assert links == {
        "webcal": "webcal://timelines.example.org/timelines/kursk/calendar.ics",
        "https": "https://timelines.example.org/timelines/kursk/calendar.ics",
        "google": "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Ftimelines.example.org%2Ftimelines%2Fkursk%2Fcalendar.ics",
        "download": "https://timelines.example.org/timelines/kursk/calendar.ics?download=1",
    }


def test_subscribe_links_for_a_private_timeline_need_the_token(rf):
    timeline = TimelineFactory(visibility="private")
    request = rf.get("/", secure=True)

    without = timeline_subscribe_links(timeline, request)
    with_token = timeline_subscribe_links(timeline, request, token="abc")

    assert without == {}
    assert with_token["https"] == "https://testserver/feeds/abc/calendar.ics"
    assert with_token["webcal"] == "webcal://testserver/feeds/abc/calendar.ics"


def test_timeline_feed_keeps_hostile_stored_text_in_one_vevent_each(client, settings):
    settings.TIMELINE_FEED_DESCRIPTION_MAX = 100_000
    timeline = TimelineFactory()
    # PostgreSQL refuses NUL in text columns; the other payloads are stored as typed.
    payloads = [p.replace("\x00", "") if connection.vendor == "postgresql" else p for p in PAYLOADS]
    events = []
    for number, payload in enumerate(payloads):
        event = EventFactory(
            timeline=timeline,
            title=payload[:300],
            summary=payload,
            date=f"2025-04-{number + 1:02d}",
            location=payload[:200],
            claimant=ActorFactory(name=f"{number} {payload}"[:200]),
            tags=[TagFactory(name=f"{number} {payload}"[:100], slug=f"hostile-{number}")],
        )
        CitationFactory(event=event, source__title=payload[:300], source__publisher=payload[:200])
        events.append(event)

    vevents = parse_feed(client.get(feed_url(timeline)).content).walk("VEVENT")

    assert [str(v["UID"]) for v in vevents] == [str(e.uid) for e in events]
    for vevent, payload, event in zip(vevents, payloads, events, strict=True):
        one_line = clean_text(payload, single_line=True)
        assert str(vevent["SUMMARY"]) == f"[{event.get_status_display().lower()} · {event.grade}] " + one_line[:300]
        assert str(vevent["LOCATION"]) == one_line[:200].strip()
        assert str(vevent["DESCRIPTION"]).split("\n\n")[1] == clean_text(payload).strip()


# --- Feed fixes of issue 10 -------------------------------------------------------------------


def test_timeline_feed_post_is_405_not_a_csrf_page(client):
    event = EventFactory()
    csrf_client = type(client)(enforce_csrf_checks=True)

    response = csrf_client.post(feed_url(event.timeline))

    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")


def test_event_download_strips_bidi_overrides_from_title_and_file_name(client):
    event = EventFactory(title="Report \u202egpj.exe\u202c of strikes", date="2025-04-17")

    response = client.get(reverse("timeline:event-ics", kwargs={"uid": event.uid}))
    vevent = parse_feed(response.content).walk("VEVENT")[0]

    assert response["Content-Disposition"] == 'attachment; filename="Report gpj.exe of strikes.ics"'
    assert str(vevent["SUMMARY"]).endswith("] Report gpj.exe of strikes")


@pytest.mark.parametrize(
    ("status", "word", "calendar_status"),
    [
        ("reported", "reported", "TENTATIVE"),
        ("claimed", "claimed", "TENTATIVE"),
        ("confirmed", "confirmed", "CONFIRMED"),
        ("disputed", "disputed", "TENTATIVE"),
        ("denied", "denied", "TENTATIVE"),
        ("retracted", "retracted", "TENTATIVE"),
    ],
)
def test_timeline_feed_titles_carry_status_and_grade_and_never_cancel(client, status, word, calendar_status):
    event = EventFactory(date="2025-04", status=status, credibility=3)
    CitationFactory(event=event, source=SourceFactory(reliability="B"))
    CitationFactory(event=event, source=SourceFactory(reliability="D"))

    vevent = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    assert str(vevent["SUMMARY"]) == f"[Apr 2025 · {word} · B3] {event.title}"
    assert str(vevent["STATUS"]) == calendar_status


def test_timeline_feed_geo_is_fixed_point(client):
    event = EventFactory(latitude=0.00001, longitude=-0.0000001)

    body = client.get(feed_url(event.timeline)).content
    vevent = parse_feed(body).walk("VEVENT")[0]

    assert b"\r\nGEO:0.00001;-0.0000001\r\n" in body
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (0.00001, -0.0000001)


def test_timeline_feed_last_month_of_9999_spans_the_month(client):
    event = EventFactory(date="9999-12")

    vevent = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    assert vevent["DTSTART"].dt == dt.date(9999, 12, 1)
    assert vevent["DURATION"].dt == dt.timedelta(days=31)
    assert "DTEND" not in vevent


def test_timeline_feed_name_reads_without_backslashes_in_ical_js(client):
    from tests.timeline.ical_checks import ROOT, ical_js_available

    if not ical_js_available():
        pytest.skip("node with the ical.js package is not installed")
    import subprocess

    timeline = TimelineFactory(title="Munitions, Troops; Rail", description="Shells, rockets; drones")
    EventFactory(timeline=timeline)
    script = (
        "const ICAL=require('ical.js');let s='';process.stdin.on('data',c=>s+=c);process.stdin.on('end',()=>{"
        "const c=new ICAL.Component(ICAL.parse(s));process.stdout.write(JSON.stringify(["
        "c.getFirstPropertyValue('name'),c.getFirstPropertyValue('x-wr-calname'),"
        "c.getFirstPropertyValue('x-wr-caldesc')]))});"
    )

    body = client.get(feed_url(timeline)).content
    result = subprocess.run(["node", "-e", script], input=body, capture_output=True, check=True, cwd=ROOT)

    assert json.loads(result.stdout)[:2] == ["Munitions, Troops; Rail", "Munitions, Troops; Rail"]
    assert json.loads(result.stdout)[2].startswith("Shells, rockets; drones")
    assert str(parse_feed(body)["X-WR-CALNAME"]) == "Munitions, Troops; Rail"
