"""Multi-step writes: each function is one transaction, keyword-only and typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from timeline.models import Event, Timeline


@transaction.atomic
def events_set_published(*, events: QuerySet[Event] | Iterable[Event], published: bool, user: Any = None) -> int:
    """Publish or unpublish events, counting a new version of each that changes.

    Returns how many events changed. History records each change with ``user``.
    """
    changed = 0
    now = timezone.now()
    ids = [event.pk for event in events]
    for event in Event.objects.select_for_update().filter(pk__in=ids, published=not published):
        event.published = published
        event.updated_by = user if getattr(user, "is_authenticated", False) else None
        if user is not None:
            event._history_user = user
        event.save()
        changed += 1
    if changed:
        timeline_ids = Event.objects.filter(pk__in=ids).values_list("timeline_id", flat=True).distinct()
        for timeline_id in timeline_ids:
            Timeline(pk=timeline_id).touch(now)
    return changed


def event_bump_version(*, event: Event) -> None:
    """Count a change made outside ``Event.save`` (e.g. to tags or citations only)."""
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1, updated_at=timezone.now())
    event.refresh_from_db(fields=["version", "updated_at"])
    Timeline(pk=event.timeline_id).touch()
