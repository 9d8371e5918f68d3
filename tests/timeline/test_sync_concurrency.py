"""The documented sync loop against transactions that stay open while others commit (PostgreSQL).

Each writer runs in its own thread, so on its own database connection, and holds
its transaction open while another connection commits and the mirror syncs.
B writes to another timeline: writers of one timeline queue behind each other
on its row (``Timeline.touch``). SQLite serialises writers (one write lock, taken at BEGIN IMMEDIATE), so the
interleaving these tests build cannot happen there; they run on PostgreSQL only.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tests.factories import EventFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, events_url
from timeline.models import Event
from timeline.services import events_set_published

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


class Mirror:
    """A reader's copy of one timeline (or of every listed one), kept by the README's loop."""

    def __init__(self, slug: str | None = None) -> None:
        self.client = client_for()
        self.slug = slug
        self.rows: dict[str, dict] = {}
        self.since = "2000-01-01T00:00:00Z"

    def sync(self) -> None:
        scope = {"timeline": self.slug} if self.slug else {}
        deleted = self.client.get(reverse("api:event-deleted"), {**scope, "since": self.since})
        assert deleted.status_code == 200, deleted.content
        for row in deleted.json()["results"]:
            self.rows.pop(row["uid"], None)
        url, params = events_url(), {**scope, "updated_since": self.since, "page_size": 100}
        while url:
            page = self.client.get(url, params).json()
            self.rows.update((row["uid"], row) for row in page["results"])
            url, params = page["next"], None
        self.since = deleted.json()["as_of"]

    def state(self) -> dict[str, tuple[str, int]]:
        return {uid: (row["title"], row["version"]) for uid, row in self.rows.items()}


def server_state(slug: str | None = None) -> dict[str, tuple[str, int]]:
    events = Event.objects.filter(published=True)
    if slug:
        events = events.filter(timeline__slug=slug)
    return {str(uid): (title, version) for uid, title, version in events.values_list("uid", "title", "version")}


def interleave(write_a: Callable[[], object], write_b: Callable[[], object], mirrors: list[Mirror]) -> None:
    """Transaction A writes and stays open; B writes and commits; the mirrors sync; A commits;
    the mirrors sync again. A runs in its own thread, so on its own database connection."""
    written, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run_a() -> None:
        try:
            with transaction.atomic():
                write_a()
                written.set()
                if not release.wait(30):
                    raise TimeoutError("transaction A was never released")
        except BaseException as exc:  # re-raised in the test's thread below
            errors.append(exc)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run_a)
    thread.start()
    assert written.wait(30)
    write_b()
    for mirror in mirrors:
        mirror.sync()
    release.set()
    thread.join()
    assert errors == []
    for mirror in mirrors:
        mirror.sync()


@pytest.fixture
def no_margin(settings):
    # Without the margin, only the horizon itself keeps the open transaction's changes in view.
    settings.TIMELINE_SYNC_MARGIN_SECONDS = 0


def test_mirror_equals_server_after_a_transaction_commits_behind_another(no_margin):
    timeline, other = TimelineFactory(slug="t"), TimelineFactory(slug="u")
    first = EventFactory(timeline=timeline, title="first")
    mirrors = [Mirror("t"), Mirror()]
    for mirror in mirrors:
        mirror.sync()

    def write_a() -> None:
        event = Event.objects.get(pk=first.pk)
        event.title = "edited by A"
        event.save()
        Event(timeline_id=timeline.pk, title="added by A", date="2025-05", published=True).save()

    interleave(write_a, lambda: EventFactory(timeline=other, title="added by B"), mirrors)

    assert sorted(title for title, _ in mirrors[1].state().values()) == ["added by A", "added by B", "edited by A"]
    assert (mirrors[0].state(), mirrors[1].state()) == (server_state("t"), server_state())


def test_mirror_equals_server_after_a_long_bulk_publish(no_margin):
    timeline, other = TimelineFactory(slug="t"), TimelineFactory(slug="u")
    drafts = EventFactory.create_batch(300, timeline=timeline, published=False)
    EventFactory(timeline=timeline, title="published before")
    mirrors = [Mirror("t"), Mirror()]
    for mirror in mirrors:
        mirror.sync()

    def publish_all() -> None:
        events_set_published(events=Event.objects.filter(pk__in=[d.pk for d in drafts]), published=True)

    interleave(publish_all, lambda: EventFactory(timeline=other, title="published meanwhile"), mirrors)

    assert (len(mirrors[0].state()), len(mirrors[1].state())) == (301, 302)
    assert (mirrors[0].state(), mirrors[1].state()) == (server_state("t"), server_state())


def test_mirror_drops_events_deleted_inside_a_transaction_that_commits_late(no_margin):
    timeline, other = TimelineFactory(slug="t"), TimelineFactory(slug="u")
    doomed, kept = EventFactory(timeline=timeline), EventFactory(timeline=timeline)
    mirrors = [Mirror("t"), Mirror()]
    for mirror in mirrors:
        mirror.sync()

    def delete_doomed() -> None:
        Event.objects.get(pk=doomed.pk).delete()

    interleave(delete_doomed, lambda: EventFactory(timeline=other, title="added by B"), mirrors)

    assert str(kept.uid) in mirrors[1].state()
    assert str(doomed.uid) not in mirrors[1].state()
    assert (mirrors[0].state(), mirrors[1].state()) == (server_state("t"), server_state())
