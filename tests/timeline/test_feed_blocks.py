"""Calendar blocks rendered ahead of readers: on commit after an edit, and by ``warm_feeds``.

Blocks are counted where they are stored: a real cache (Django's local-memory
backend) that also notes every block key written to it.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, TimelineFactory
from tests.timeline.ical_checks import parse_feed
from timeline.exporters import ical
from timeline.models import Event

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "feeds"]}
}


class BlockCountingCache(LocMemCache):
    """Local-memory cache that records the calendar block keys stored in it."""

    stored: list[str] = []

    def set_many(self, data, timeout=None, version=None):
        BlockCountingCache.stored += [key for key in data if key.startswith("ical:vevent:")]
        return super().set_many(data, timeout=timeout, version=version)


@pytest.fixture
def counted(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "tests.timeline.test_feed_blocks.BlockCountingCache",
            "LOCATION": "feed-blocks-test",
        }
    }
    cache.clear()
    BlockCountingCache.stored = []
    yield BlockCountingCache
    cache.clear()


def feed_url(timeline):
    return reverse("timeline:timeline-feed", kwargs={"slug": timeline.slug})


def settle(event, seconds=2):
    """Date ``event``'s last change ``seconds`` back: block stamps have one-second resolution."""
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now() - dt.timedelta(seconds=seconds))


def new_blocks(counter, action):
    before = len(counter.stored)
    action()
    return counter.stored[before:]


def test_feed_after_an_edit_renders_only_the_changed_block(client, counted):
    timeline = TimelineFactory()
    events = [EventFactory(timeline=timeline, date=f"2025-04-{day:02d}") for day in range(1, 6)]
    first = new_blocks(counted, lambda: client.get(feed_url(timeline)))
    events[2].title = "Edited"
    events[2].save()

    second = new_blocks(counted, lambda: client.get(feed_url(timeline)))

    assert len(first) == 5
    assert [key.split(":")[3] for key in second] == [str(events[2].uid)]


def test_saving_an_event_prerenders_its_block_on_commit(client, counted, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    timeline = TimelineFactory()
    events = [EventFactory(timeline=timeline, date=f"2025-04-{day:02d}") for day in range(1, 4)]
    client.get(feed_url(timeline))
    events[1].title = "Edited"

    def save_and_commit():
        with django_capture_on_commit_callbacks(execute=True):
            events[1].save()

    prerendered = new_blocks(counted, save_and_commit)
    at_request = new_blocks(counted, lambda: client.get(feed_url(timeline)))

    assert [key.split(":")[3] for key in prerendered] == [str(events[1].uid)]
    assert at_request == []


def test_saving_an_event_queues_one_prerender_task_per_transaction(django_capture_on_commit_callbacks):
    event = EventFactory()
    other = EventFactory(timeline=event.timeline)

    with django_capture_on_commit_callbacks(execute=True):
        event.save()
        other.save()
        CitationFactory(event=event)

    jobs = DBTaskResult.objects.filter(task_path="timeline.tasks.prerender_feed_blocks")
    assert [job.args_kwargs["kwargs"] for job in jobs] == [{"event_ids": sorted([event.pk, other.pk])}]


def test_editing_a_cited_source_moves_the_block_stamp_and_sequence(client, counted):
    event = EventFactory(date="2025-04-17")
    source = SourceFactory(title="Old title")
    CitationFactory(event=event, source=source)
    settle(event)
    before = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    source.title = "New title"
    source.save()
    after = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    assert "New title" in str(after["DESCRIPTION"])
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt
    assert after["DTSTAMP"].dt == after["LAST-MODIFIED"].dt


def test_editing_the_claimant_moves_the_block_stamp_and_sequence(client, counted):
    actor = ActorFactory(name="GUR")
    event = EventFactory(date="2025-04-17", claimant=actor, status="claimed")
    settle(event)
    before = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    actor.name = "Defence Intelligence of Ukraine"
    actor.save()
    after = parse_feed(client.get(feed_url(event.timeline)).content).walk("VEVENT")[0]

    assert str(after["X-TIMELINE-CLAIMANT"]) == "Defence Intelligence of Ukraine"
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt


def test_warm_feeds_renders_missing_blocks_once(counted, capsys):
    timeline = TimelineFactory(slug="kursk")
    for day in range(1, 4):
        EventFactory(timeline=timeline, date=f"2025-04-{day:02d}")
    EventFactory(timeline=timeline, date="2025", published=True)
    EventFactory(timeline=timeline, published=False)
    EventFactory(timeline=TimelineFactory(slug="other"))

    call_command("warm_feeds", "kursk")
    call_command("warm_feeds", "kursk")

    assert capsys.readouterr().out.splitlines() == [
        f"Rendered 4 calendar block(s) (block format {ical.BLOCK_FORMAT}).",
        f"Rendered 0 calendar block(s) (block format {ical.BLOCK_FORMAT}).",
    ]
    assert len(counted.stored) == 4


def test_warm_feeds_fills_what_the_feed_then_reads(client, counted):
    timeline = TimelineFactory()
    for day in range(1, 4):
        EventFactory(timeline=timeline, date=f"2025-04-{day:02d}")

    call_command("warm_feeds")
    at_request = new_blocks(counted, lambda: client.get(feed_url(timeline)))

    assert len(counted.stored) == 3
    assert at_request == []


def test_warm_feeds_unknown_slug_is_one_line_and_nonzero():
    with pytest.raises(CommandError) as error:
        call_command("warm_feeds", "no-such-timeline")

    assert str(error.value) == "No timeline with the slug no-such-timeline."
