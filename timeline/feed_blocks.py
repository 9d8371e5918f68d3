"""Calendar blocks rendered ahead of readers, so a subscriber never waits for a cold render.

A feed joins one cached VEVENT block per event (:mod:`timeline.exporters.ical`).
Blocks are keyed on the event's version and the block format, so:

* when an event changes (its row, citations, tags, or a source, actor or tag it
  shows: ``timeline.signals``), :func:`prerender_on_commit` queues
  ``tasks.prerender_feed_blocks`` for it once the transaction commits, and the
  worker stores the new block; the next feed request then renders nothing, or at
  most the blocks the worker has not reached yet;
* after a deploy that changes ``ical.BLOCK_FORMAT`` (or ``SITE_URL`` or
  ``TIMELINE_FEED_DESCRIPTION_MAX``) every key is new: ``manage.py warm_feeds``
  calls :func:`blocks_prerender` to fill them before subscribers come.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

_pending = threading.local()


def prerender_on_commit(event_ids: Iterable[int]) -> None:
    """Queue the pre-rendering of ``event_ids``' blocks when the current transaction commits
    (at once outside one). Ids queued in one transaction go out as one task.

    Ids of a transaction that rolls back go out with the next commit: rendering an
    unchanged event's block again costs time, never correctness.
    """
    ids: set[int] = getattr(_pending, "ids", None) or set()
    ids.update(pk for pk in event_ids if pk is not None)
    _pending.ids = ids
    transaction.on_commit(_enqueue_pending)


def _enqueue_pending() -> None:
    ids = getattr(_pending, "ids", None)
    _pending.ids = set()
    if ids:
        from timeline.tasks import prerender_feed_blocks

        prerender_feed_blocks.enqueue(event_ids=sorted(ids))


def blocks_prerender(*, event_ids: Iterable[int] | None = None, timeline_ids: Iterable[int] | None = None) -> int:
    """Render and cache the blocks of the published events named (by id, or all of the
    timelines named; everything when neither is given) that the cache does not hold.

    Returns how many blocks were rendered. Year-precision events are included: downloads
    and ``include_year=1`` feeds show them.
    """
    from timeline.export import exporter_for
    from timeline.exporters import ical
    from timeline.exporters.formats import CalendarExporter
    from timeline.models import Event
    from timeline.queries import event_snapshots

    events = Event.objects.published()
    if event_ids is not None:
        events = events.filter(pk__in=list(event_ids))
    if timeline_ids is not None:
        events = events.filter(timeline_id__in=list(timeline_ids))
    exporter = exporter_for("ics")
    assert isinstance(exporter, CalendarExporter)
    # Without actors, as the feeds read them: calendar blocks do not show them.
    snapshots = event_snapshots(events.order_by("pk"), actors=False)
    return ical.prerender_blocks(snapshots, exporter.options, cache=cache)
