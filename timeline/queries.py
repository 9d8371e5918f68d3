"""Reads shared by the API, calendar feeds, PDF briefs and the admin.

The ``select_related``/``prefetch_related`` that every event listing needs live
here, in one place, so each consumer runs the same constant number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery

from timeline.models import Actor, Citation, Event, Source, Timeline, Visibility


def events_with_relations(queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events with everything a list, feed or brief shows, in four queries.

    Queries: events (joined with timeline and claimant), actors, tags,
    citations (joined with their sources).
    """
    queryset = Event.objects.all() if queryset is None else queryset
    return queryset.select_related("timeline", "claimant").prefetch_related(
        "actors",
        "tags",
        Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("position", "id")),
    )


def events_visible_to(user: Any) -> QuerySet[Event]:
    """Events ``user`` may read (see ``EventQuerySet.visible_to``)."""
    return Event.objects.visible_to(user)


def timelines_visible_to(user: Any, *, listed: bool = False) -> QuerySet[Timeline]:
    """Timelines ``user`` may read. With ``listed``, leave out unlisted ones
    for readers without the view permission (they are readable by slug only)."""
    if user is not None and user.is_active and user.has_perm("timeline.view_timeline"):
        return Timeline.objects.all()
    visible = [Visibility.PUBLIC] if listed else [Visibility.PUBLIC, Visibility.UNLISTED]
    return Timeline.objects.filter(visibility__in=visible)


def timelines_with_content_times(queryset: QuerySet[Timeline] | None = None) -> QuerySet[Timeline]:
    """Timelines annotated, in the same single query, with ``sources_changed_at`` and
    ``claimants_changed_at``: the latest change of any source cited by, or actor claiming,
    one of their events. With ``content_changed_at`` these say when an export last changed."""
    queryset = Timeline.objects.all() if queryset is None else queryset
    sources = (
        Source.objects.filter(citations__event__timeline=OuterRef("pk"))
        .order_by()
        .values("citations__event__timeline")
        .annotate(latest=Max("updated_at"))
        .values("latest")[:1]
    )
    claimants = (
        Actor.objects.filter(claims__timeline=OuterRef("pk"))
        .order_by()
        .values("claims__timeline")
        .annotate(latest=Max("updated_at"))
        .values("latest")[:1]
    )
    return queryset.annotate(sources_changed_at=Subquery(sources), claimants_changed_at=Subquery(claimants))
