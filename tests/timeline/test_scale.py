"""Bounded work per request: feed and brief limits counted to the limit, deleted/ that lists
only what left the view, and (PostgreSQL) plans that read the large tables through indexes."""

import datetime as dt
import json
import random
import time
import uuid

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import EventFactory, TimelineFactory
from tests.timeline.api_helpers import client_for
from timeline.admin_scale import EXACT_COUNT_LIMIT
from timeline.models import Event, Visibility
from timeline.services import events_set_published

pytestmark = pytest.mark.django_db


def test_feed_above_the_limit_is_refused_with_advice(client, settings):
    settings.TIMELINE_FEED_MAX_EVENTS = 2
    timeline = TimelineFactory()
    EventFactory.create_batch(3, timeline=timeline)
    url = reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})

    refused = client.get(url)
    narrowed = client.get(url, {"overlaps": "2025-04", "status": "claimed"})

    assert (refused.status_code, refused["Content-Type"].split(";")[0]) == (413, "text/plain")
    assert "more than 2 events" in refused.content.decode()
    assert "overlaps=" in refused.content.decode()
    assert not refused.has_header("ETag")
    assert narrowed.status_code == 200
    assert icalendar.Calendar.from_ical(narrowed.content).walk("VEVENT") == []


def test_feed_at_the_limit_is_served(client, settings):
    settings.TIMELINE_FEED_MAX_EVENTS = 3
    timeline = TimelineFactory()
    EventFactory.create_batch(3, timeline=timeline)

    response = client.get(reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug}))

    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 3


def test_brief_limit_check_counts_only_to_the_limit(client, settings):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 2
    timeline = TimelineFactory()
    EventFactory.create_batch(5, timeline=timeline)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("timeline:timeline-brief", kwargs={"slug": timeline.slug}))

    capped = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "LIMIT 3" in q["sql"]]
    assert (response.status_code, response.json()["events"], len(capped)) == (202, 5, 1)


def test_deleted_does_not_relist_withdrawn_events_after_a_timeline_edit():
    timeline = TimelineFactory(slug="open")
    event = EventFactory(timeline=timeline)
    events_set_published(events=[event], published=False)
    since = timezone.now()
    timeline.title = "Renamed"
    timeline.save()

    response = client_for().get(reverse("api:event-deleted"), {"since": since.isoformat()})

    assert response.json()["results"] == []


def test_deleted_lists_every_event_of_a_timeline_made_private():
    timeline = TimelineFactory(slug="closing")
    events = EventFactory.create_batch(2, timeline=timeline)
    since = timezone.now()
    timeline.visibility = Visibility.PRIVATE
    timeline.save()

    response = client_for().get(reverse("api:event-deleted"), {"since": since.isoformat()})

    rows = response.json()["results"]
    assert sorted(row["uid"] for row in rows) == sorted(str(e.uid) for e in events)
    assert {(row["timeline"], row["reason"]) for row in rows} == {("closing", "withdrawn")}


# --- PostgreSQL: plans at a size where the planner prefers indexes -----------------------

LARGE_TABLES = ("timeline_event", "timeline_event_actors", "timeline_event_tags", "timeline_citation")


def _seq_scans(node):
    found = set()
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in LARGE_TABLES:
        found.add(node["Relation Name"])
    for child in node.get("Plans", []):
        found |= _seq_scans(child)
    return found


def _copy(table, columns, rows):
    """``rows`` into ``table`` with ``COPY`` on the test's connection (inside its transaction)."""
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _seed_big(size):
    """``size`` published events on one timeline (with ``COPY``), a small timeline of 50 beside it;
    2 actors, 2 tags and a citation each, a claim on one in four."""
    from timeline.models import Actor, Source, Tag, Timeline
    from timeline.search import refresh_search_text

    rng = random.Random(17)
    actors = Actor.objects.bulk_create([Actor(name=f"Actor {i}", native_name="Кирило") for i in range(20)])
    tags = Tag.objects.bulk_create([Tag(name=f"Tag {i}", slug=f"tag-{i}") for i in range(20)])
    sources = Source.objects.bulk_create([Source(title=f"Report {i}") for i in range(20)])
    big = Timeline.objects.create(slug="big", title="Big")
    small = Timeline.objects.create(slug="small", title="Small")
    long_ago = timezone.now() - dt.timedelta(days=400)
    words = ["convoy", "shells", "rail", "drones", "Kursk", "Rason", "корпус", "미사일"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('timeline_event', 'id'))")
        (first_id,) = cursor.fetchone()
    events, links, labels, citations, claims = [], [], [], [], []
    for i in range(size + 50):
        pk = first_id + i
        day = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(7000))
        title = f"{rng.choice(words)} {rng.choice(words)} #{i}" + (" Хвасон" if i % 200 == 0 else "")
        claimant = actors[i % 20] if i % 4 == 0 else None
        events.append(
            (
                pk, uuid.UUID(int=rng.getrandbits(128), version=4), title,
                " ".join(rng.choice(words) for _ in range(8)), day.isoformat(), day, day, "day", False, False, "",
                "", "claimed", 3, i % 50 == 0, True, 1, long_ago, long_ago, claimant.pk if claimant else None,
                (big if i < size else small).pk, "", "", False, "",
            )
        )  # fmt: skip
        links += [(pk, actor.pk) for actor in rng.sample(actors, 2)]
        labels += [(pk, tag.pk) for tag in rng.sample(tags, 2)]
        citations.append((pk, rng.choice(sources).pk, rng.choice(words), "", 0))
        if claimant:
            claims.append((pk, claimant.pk, "asserts", "", ""))
    _copy("timeline_event", EVENT_COLUMNS, events)
    _copy("timeline_event_actors", ("event_id", "actor_id"), links)
    _copy("timeline_event_tags", ("event_id", "tag_id"), labels)
    _copy("timeline_citation", ("event_id", "source_id", "quote", "locator", "position"), citations)
    _copy("timeline_claim", ("event_id", "claimant_id", "stance", "made", "note"), claims)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('timeline_event', 'id'), MAX(id)) FROM timeline_event")
    refresh_search_text(Event.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return actors[3], tags[3], sources[3]


EVENT_COLUMNS = (
    "id", "uid", "title", "summary", "date", "date_lower", "date_upper", "precision", "approximate", "uncertain",
    "reported", "location", "status", "credibility", "key", "published", "version", "created_at", "updated_at",
    "claimant_id", "timeline_id", "external_id", "search_text", "status_override", "status_override_reason",
)  # fmt: skip


@pytest.mark.postgresql
def test_listed_requests_read_large_tables_through_indexes(client, admin_client):
    started = time.monotonic()
    # 30,000 rows: at 20,000 the planner still reads the actor link table whole for a 1-in-10 actor.
    actor, tag, source = _seed_big(30_000)
    since = (timezone.now() - dt.timedelta(days=7)).isoformat()
    requests = {}
    for timeline in ("big", "small"):
        requests |= _listed_requests(timeline, since, actor, tag, source)
    scans = {}

    for name, (who, path, params) in requests.items():
        with CaptureQueriesContext(connection) as queries:
            response = (admin_client if who == "admin" else client).get(path, params)
        assert response.status_code == 200, (name, response.content[:300])
        found = set()
        for query in queries.captured_queries:
            if query["sql"].startswith(CAPPED_COUNT) and query["sql"].endswith(
                f"LIMIT {EXACT_COUNT_LIMIT + 1}) subquery"
            ):
                # The admin's count stops at 10,001 rows: a scan that stops there is bounded.
                continue
            if query["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
                    (plan,) = cursor.fetchone()
                plan = json.loads(plan) if isinstance(plan, str) else plan
                found |= {f"{table} in {query['sql']}" for table in _seq_scans(plan[0]["Plan"])}
        scans[name] = sorted(found)

    assert {name: found for name, found in scans.items() if found} == {}
    assert time.monotonic() - started < 60


CAPPED_COUNT = 'SELECT COUNT(*) FROM (SELECT "timeline_event"."id" AS "pk" FROM "timeline_event" WHERE '


def _listed_requests(slug, since, actor, tag, source):
    from timeline.models import Timeline

    api = reverse("api:event-list")
    timeline = Timeline.objects.get(slug=slug)
    admin = reverse("admin:timeline_event_changelist")
    requests = {
        "list": ("anon", api, {"timeline": slug}),
        "tag": ("anon", api, {"timeline": slug, "tag": tag.slug}),
        "actor": ("anon", api, {"timeline": slug, "actor": actor.pk}),
        "source": ("anon", api, {"timeline": slug, "source": source.pk}),
        "claimant": ("anon", api, {"timeline": slug, "claimant": actor.pk}),
        "q common": ("anon", api, {"timeline": slug, "q": "convoy"}),
        "q common by relevance": ("anon", api, {"timeline": slug, "q": "convoy", "ordering": "relevance"}),
        "q absent": ("anon", api, {"timeline": slug, "q": "Hwasong"}),
        "q rare by relevance": ("anon", api, {"timeline": slug, "q": "хвасон", "ordering": "relevance"}),
        "updated_since": ("anon", api, {"timeline": slug, "updated_since": since}),
        "deleted": ("anon", reverse("api:event-deleted"), {"timeline": slug, "since": since}),
        "admin changelist": ("admin", admin, {"timeline__id__exact": timeline.pk}),
        "admin changelist q": ("admin", admin, {"timeline__id__exact": timeline.pk, "q": "convoy"}),
    }
    return {f"{slug}: {name}": request for name, request in requests.items()}


def test_public_page_counts_follow_every_change_of_its_timeline(client):
    timeline = TimelineFactory(slug="counted")
    EventFactory.create_batch(2, timeline=timeline)
    url = reverse("timeline:timeline-detail", kwargs={"slug": "counted"})

    before = client.get(url).content.decode()
    again = client.get(url).content.decode()
    EventFactory(timeline=timeline)
    after = client.get(url).content.decode()

    assert ("2 events" in before, "2 events" in again, "3 events" in after) == (True, True, True)


def test_public_page_aggregates_are_computed_once_between_changes(client):
    timeline = TimelineFactory(slug="kept")
    EventFactory.create_batch(2, timeline=timeline)
    url = reverse("timeline:timeline-detail", kwargs={"slug": "kept"})
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    assert not [q["sql"] for q in queries.captured_queries if "COUNT(DISTINCT" in q["sql"].upper()]


def test_public_page_aggregates_are_per_reader(client, admin_client):
    timeline = TimelineFactory(slug="drafts")
    EventFactory.create_batch(2, timeline=timeline)
    EventFactory(timeline=timeline, published=False)
    url = reverse("timeline:timeline-detail", kwargs={"slug": "drafts"})

    editor = admin_client.get(url).content.decode()
    reader = client.get(url).content.decode()

    assert ("3 events" in editor, "2 events" in reader) == (True, True)
