"""Reads shared by the API, calendar feeds, PDF briefs and the admin.

The ``select_related``/``prefetch_related`` that every event listing needs live
here, in one place, so each consumer runs the same constant number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from timeline.models import Citation, Event, Timeline, Visibility


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


# Where events_with_relation_lists puts each relation.
RELATION_LISTS = {"actors": "actor_list", "tags": "tag_list", "citations": "citation_list"}


def events_with_relation_lists(queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """The same four queries as :func:`events_with_relations`, with the relations stored as
    plain lists (``actor_list``, ``tag_list``, ``citation_list``; see ``RELATION_LISTS``).

    For pages of many events that are only read: Django builds a queryset per
    event and relation to back ``event.actors.all()``, which costs more than
    the rows themselves. ``event.actors.all()`` on these events queries again.
    """
    queryset = Event.objects.all() if queryset is None else queryset
    return queryset.select_related("timeline", "claimant").prefetch_related(
        Prefetch("actors", to_attr=RELATION_LISTS["actors"]),
        Prefetch("tags", to_attr=RELATION_LISTS["tags"]),
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("source").order_by("position", "id"),
            to_attr=RELATION_LISTS["citations"],
        ),
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
