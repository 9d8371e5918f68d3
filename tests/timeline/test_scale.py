"""Bounded work per request: feed and brief limits counted to the limit, deleted/ that lists
only what left the view, and (PostgreSQL) plans that read the large tables through indexes."""

import datetime as dt
import json
import random

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import EventFactory, TimelineFactory
from tests.timeline.api_helpers import client_for
from timeline.models import Visibility
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


def _seed_big(size):
    """``size`` published events on one timeline (bulk paths), a small timeline of 50 beside it."""
    from timeline.models import Actor, Citation, Event, Source, Tag, Timeline
    from timeline.search import refresh_search_text

    rng = random.Random(17)
    actors = Actor.objects.bulk_create([Actor(name=f"Actor {i}", native_name="Кирило") for i in range(20)])
    tags = Tag.objects.bulk_create([Tag(name=f"Tag {i}", slug=f"tag-{i}") for i in range(20)])
    sources = Source.objects.bulk_create([Source(title=f"Report {i}") for i in range(20)])
    big = Timeline.objects.create(slug="big", title="Big")
    small = Timeline.objects.create(slug="small", title="Small")
    long_ago = timezone.now() - dt.timedelta(days=400)
    words = ["convoy", "shells", "rail", "drones", "Kursk", "Rason", "корпус", "미사일"]
    rows = []
    for i in range(size + 50):
        day = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(7000))
        rows.append(
            Event(
                timeline=big if i < size else small,
                title=f"{rng.choice(words)} {rng.choice(words)} #{i}" + (" Хвасон" if i % 200 == 0 else ""),
                summary=" ".join(rng.choice(words) for _ in range(8)),
                date=day.isoformat(),
                date_lower=day,
                date_upper=day,
                precision="day",
                published=True,
                updated_at=long_ago,
                created_at=long_ago,
            )
        )
    events = Event.objects.bulk_create(rows, batch_size=5000)
    Event.actors.through.objects.bulk_create(
        [Event.actors.through(event_id=e.pk, actor_id=a.pk) for e in events for a in rng.sample(actors, 2)],
        batch_size=5000,
    )
    Event.tags.through.objects.bulk_create(
        [Event.tags.through(event_id=e.pk, tag_id=t.pk) for e in events for t in rng.sample(tags, 2)],
        batch_size=5000,
    )
    Citation.objects.bulk_create(
        [Citation(event_id=e.pk, source=rng.choice(sources), quote=rng.choice(words)) for e in events],
        batch_size=5000,
    )
    refresh_search_text(Event.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return actors[3], tags[3]


@pytest.mark.postgresql
def test_listed_requests_read_large_tables_through_indexes(client):
    # 30,000 rows: at 20,000 the planner still reads the actor link table whole for a 1-in-10 actor.
    actor, tag = _seed_big(30_000)
    since = (timezone.now() - dt.timedelta(days=7)).isoformat()
    api = reverse("api:event-list")
    requests = {}
    for timeline in ("big", "small"):
        requests |= _listed_requests(timeline, api, since, actor, tag)
    scans = {}

    for name, (path, params) in requests.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, params)
        assert response.status_code == 200, (name, response.content[:300])
        found = set()
        for query in queries.captured_queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
                    (plan,) = cursor.fetchone()
                plan = json.loads(plan) if isinstance(plan, str) else plan
                found |= _seq_scans(plan[0]["Plan"])
        scans[name] = sorted(found)

    # Left to do (issue 17): validating an actor id (access.actors_named_on) may still read the
    # actor link table whole on PostgreSQL (the planner's choice depends on ANALYZE's sample;
    # PostgreSQL 15 here reads it through indexes too); every other listed request reads through indexes.
    known = {f"{t}: {n}": {"timeline_event_actors"} for t in ("big", "small") for n in ("actor", "claimant")}
    unexpected = {name: sorted(set(found) - known.get(name, set())) for name, found in scans.items()}
    assert unexpected == {name: [] for name in requests}


def _listed_requests(timeline, api, since, actor, tag):
    requests = {
        "list": (api, {"timeline": timeline}),
        "tag": (api, {"timeline": timeline, "tag": tag.slug}),
        "actor": (api, {"timeline": timeline, "actor": actor.pk}),
        "claimant": (api, {"timeline": timeline, "claimant": actor.pk}),
        "q common": (api, {"timeline": timeline, "q": "convoy"}),
        "q absent": (api, {"timeline": timeline, "q": "Hwasong"}),
        # Ranking reads every match: a word in 1 event of 200 (one in most events is ranked over all of them).
        "q relevance": (api, {"timeline": timeline, "q": "хвасон", "ordering": "relevance"}),
        "updated_since": (api, {"timeline": timeline, "updated_since": since}),
        "deleted": (reverse("api:event-deleted"), {"timeline": timeline, "since": since}),
    }
    return {f"{timeline}: {name}": request for name, request in requests.items()}
