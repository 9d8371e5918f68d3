"""Mirroring: the time up to which every change is visible, and what left a reader's view.

The README's sync loop asks ``deleted/?since=T`` (answered with ``as_of``), then
``events/?updated_since=T``, and uses ``as_of`` as the next ``T``. That loop
misses nothing only if no change committed later can carry a time before
``as_of``. A transaction stamps its changes while it runs and commits later: an
editor's bulk publish of 300 events in a 9-second transaction stamps them over
those 9 seconds and makes them visible at the end. Answering ``as_of = now()``
lost 295 of those 300 events to a mirror that synced meanwhile (measured on the
previous version). So ``as_of`` is a *horizon*, not the clock:

* **PostgreSQL**: the start of the oldest transaction still open in this
  database (``pg_stat_activity.xact_start``), or the statement time when none
  is open. Event changes are stamped with the database's clock inside their
  transaction (:func:`change_time`), so every uncommitted change carries a time
  at or after the horizon, and the next round fetches it. The database role of
  the service must see its own other sessions in ``pg_stat_activity`` (any role
  sees its own; grant ``pg_read_all_stats`` if other roles write events).
* **SQLite**: one writer at a time. Connections open transactions with
  ``BEGIN IMMEDIATE`` (settings), so a writer holds the write lock from its
  first statement to its commit; taking that lock briefly waits for any writer
  still running, after which the clock is the horizon.

Both subtract ``TIMELINE_SYNC_MARGIN_SECONDS`` for the small gaps between
reading a clock and a statement reaching the database, and for clock
differences between application servers. A horizon that is too early only sends
some changes twice, which an upserting mirror ignores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from timeline.access import READABLE_BY_LINK, events_listed_for, reads_everything
from timeline.models import Event, EventTombstone, Timeline, Visibility


def change_time() -> dt.datetime:
    """The time to stamp a change with; call it inside the writing transaction.

    On PostgreSQL it is the database's statement time, which is never earlier
    than the transaction's start that :func:`changes_horizon` reads.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement_timestamp()")
            (now,) = cursor.fetchone()
        return now
    return timezone.now()


def changes_horizon() -> dt.datetime:
    """A time before which every change is committed and visible to the next query.

    Call it before reading the changes it covers.
    """
    margin = dt.timedelta(seconds=settings.TIMELINE_SYNC_MARGIN_SECONDS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # pg_stat_activity is read once per transaction and then cached.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT LEAST(statement_timestamp(), MIN(xact_start)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            (oldest,) = cursor.fetchone()
        return oldest - margin
    # BEGIN IMMEDIATE waits until no other connection holds the write lock.
    with transaction.atomic():
        return timezone.now() - margin


class UnknownTimeline(LookupError):
    """The named timeline does not exist, never did, or the reader may not see it."""


@dataclass(frozen=True)
class SyncScope:
    """The timeline a mirror follows (by id and slug), or every timeline listed to the reader."""

    timeline_id: int | None = None
    slug: str = ""


def sync_scope(user: Any, slug: str | None) -> SyncScope:
    """The scope of ``deleted/?timeline=<slug>``.

    A timeline that has since been deleted still names a scope when the reader
    could once read it, so its events' tombstones reach mirrors. Raises
    :class:`UnknownTimeline` otherwise, for an unknown slug and a hidden one alike.
    """
    if not slug:
        return SyncScope()
    current = Timeline.objects.filter(slug=slug).first()
    if current is not None:
        if reads_everything(user, "timeline") or current.visibility in READABLE_BY_LINK:
            return SyncScope(timeline_id=current.pk, slug=slug)
        raise UnknownTimeline(slug)
    past = Timeline.history.filter(slug=slug)
    if not reads_everything(user, "timeline"):
        past = past.filter(visibility__in=READABLE_BY_LINK).exclude(history_type="-")
    timeline_id = past.order_by("-history_date").values_list("id", flat=True).first()
    if timeline_id is None:
        raise UnknownTimeline(slug)
    return SyncScope(timeline_id=timeline_id, slug=slug)


# Stands in for "still current" when comparing history periods.
END_OF_TIME = Value(dt.datetime(9999, 12, 31, tzinfo=dt.UTC), output_field=DateTimeField())


def _next_change(model: Any) -> Subquery:
    """When the history record in the outer query stopped being current (NULL: still current)."""
    later = model.objects.filter(id=OuterRef("id"), history_date__gt=OuterRef("history_date"))
    return Subquery(later.order_by("history_date").values("history_date")[:1])


def last_shown_in(user: Any, scope: SyncScope) -> Subquery:
    """The slug of the timeline in which the outer query's event (matched by ``uid``) was
    last readable to ``user`` in ``scope``, from the history; NULL when it never was.

    Readable means: at one same moment the event's record was published (unless the
    reader sees drafts) and its timeline's record was public (or unlisted, when the
    mirror names that timeline). An event created after its timeline went private
    was never readable to an anonymous mirror, and is never announced to it.
    """
    event_history = Event.history.model
    timeline_history = Timeline.history.model
    everything = reads_everything(user, "event")
    shown_events = (
        event_history.objects.filter(uid=OuterRef(OuterRef("uid")), timeline_id=OuterRef("id"))
        .exclude(history_type="-")
        .annotate(event_until=_next_change(event_history))
        # The two records' periods overlap: each starts before the other ends.
        .filter(Q(event_until__isnull=True) | Q(event_until__gt=OuterRef("history_date")))
        .filter(history_date__lt=Coalesce(OuterRef("timeline_until"), END_OF_TIME))
    )
    if not everything:
        shown_events = shown_events.filter(published=True)
    shown_timelines = timeline_history.objects.exclude(history_type="-").annotate(
        timeline_until=_next_change(timeline_history)
    )
    if scope.timeline_id is not None:
        shown_timelines = shown_timelines.filter(id=scope.timeline_id)
    if not everything:
        visible = list(READABLE_BY_LINK) if scope.timeline_id is not None else [Visibility.PUBLIC]
        shown_timelines = shown_timelines.filter(visibility__in=visible)
    shown_timelines = shown_timelines.filter(Exists(shown_events))
    return Subquery(shown_timelines.order_by("-history_date").values("slug")[:1])


def _timelines_left_view(user: Any, scope: SyncScope, since: dt.datetime) -> QuerySet[Timeline]:
    """Timelines changed at or after ``since`` that the reader can no longer list in ``scope``.

    Only their events can have left the view without being changed themselves (an
    event unpublished or moved is stamped). A timeline edited while still in view
    lists nothing: the former ``OR timeline.updated_at >= since`` re-listed every
    event ever withdrawn from it after any edit, and read every event of the timeline
    (640 ms on a timeline of 100,000 events, over 60 s at 1,000,000).
    """
    changed = Timeline.objects.filter(updated_at__gte=since)
    if scope.timeline_id is not None:
        changed = changed.filter(pk=scope.timeline_id)
    if reads_everything(user, "event"):
        # Drafts and private timelines are in this reader's view: no timeline leaves it.
        return changed.none()
    visible = list(READABLE_BY_LINK) if scope.timeline_id is not None else [Visibility.PUBLIC]
    return changed.exclude(visibility__in=visible)


def deleted_events(*, user: Any, scope: SyncScope, since: dt.datetime) -> list[dict[str, Any]]:
    """Events that left ``user``'s view of ``scope`` at or after ``since``, oldest first.

    Each is ``{"uid", "timeline", "deleted_at", "reason"}``: ``deleted`` for
    events that no longer exist (their tombstones outlive their timeline), and
    ``withdrawn`` for events that still exist but that the reader can no longer
    list there (unpublished, moved, or their timeline made private or unlisted).
    Only events the reader could once list there are named, under the slug of
    the timeline where they could.
    """
    tombstones = EventTombstone.objects.filter(deleted_at__gte=since)
    if scope.timeline_id is not None:
        tombstones = tombstones.filter(timeline_id=scope.timeline_id)
    tombstones = tombstones.annotate(shown_in=last_shown_in(user, scope)).filter(shown_in__isnull=False)

    timeline = Timeline.objects.filter(pk=scope.timeline_id).first() if scope.timeline_id else None
    in_view: QuerySet[Event] = events_listed_for(user, timeline=timeline)
    if scope.timeline_id is not None and timeline is None:
        in_view = Event.objects.none()
    # The few timelines first, as literal ids: an OR with a subquery cannot use the indexes
    # (a sequential scan of every event), an OR of two indexed conditions can.
    changed_or_left = Q(updated_at__gte=since)
    left_ids = list(_timelines_left_view(user, scope, since).values_list("pk", flat=True))
    if left_ids:
        changed_or_left |= Q(timeline_id__in=left_ids)
    withdrawn = (
        Event.objects.filter(changed_or_left)
        # NOT EXISTS, an anti-join; NOT IN over a subquery grows quadratically past work_mem.
        .filter(~Exists(in_view.filter(pk=OuterRef("pk"))))
        .annotate(shown_in=last_shown_in(user, scope))
        .filter(shown_in__isnull=False)
        .select_related("timeline")
    )
    results = [
        {"uid": t.uid, "timeline": scope.slug or t.shown_in, "deleted_at": t.deleted_at, "reason": "deleted"}
        for t in tombstones
    ]
    results += [
        {
            "uid": e.uid,
            "timeline": scope.slug or e.shown_in,
            "deleted_at": max(e.updated_at, e.timeline.updated_at),
            "reason": "withdrawn",
        }
        for e in withdrawn
    ]
    results.sort(key=lambda row: (row["deleted_at"], str(row["uid"])))
    return results
