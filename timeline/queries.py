"""Reads shared by the API, calendar feeds, PDF briefs and the admin.

The ``select_related``/``prefetch_related`` that every event listing needs live
here, in one place, so each consumer runs the same constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.db.models import Case, Count, F, IntegerField, Min, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear

from timeline import labels, links
from timeline.axis import AxisEvent
from timeline.models import Citation, Event, Precision
from timeline.snapshot import CitationSnapshot, EventSnapshot, SourceSnapshot


def count_up_to(queryset: QuerySet[Any], limit: int) -> int:
    """How many rows ``queryset`` holds, counted to ``limit + 1`` at most: enough to tell
    "within the limit" from "over it" without counting a million rows (the brief's check
    counted every matching event)."""
    return queryset.order_by().values("pk")[: limit + 1].count()


def citations_with_sources(*, to_attr: str | None = None) -> Prefetch:
    """Prefetch of an event's citations in order, each joined with its source."""
    return Prefetch(
        "citations", queryset=Citation.objects.select_related("source").order_by("position", "id"), to_attr=to_attr
    )


def events_with_relations(queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events with everything a list, feed or brief shows, in four queries.

    Queries: events (joined with timeline and claimant), actors, tags,
    citations (joined with their sources).
    """
    queryset = Event.objects.all() if queryset is None else queryset
    return queryset.select_related("timeline", "claimant").prefetch_related("actors", "tags", citations_with_sources())


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
        citations_with_sources(to_attr=RELATION_LISTS["citations"]),
    )


SNAPSHOT_FIELDS = (
    "id",
    "uid",
    "version",
    "title",
    "summary",
    "date",
    "precision",
    "location",
    "latitude",
    "longitude",
    "status",
    "credibility",
    "key",
    "reported",
    "published",
    "created_at",
    "updated_at",
    "external_id",
)


def event_snapshots(
    queryset: QuerySet[Event], *, actors: bool = True, path: Callable[[UUID | str], str] | None = None
) -> list[EventSnapshot]:
    """``queryset``'s events as :class:`~timeline.snapshot.EventSnapshot` values, in its order:
    the one read behind every export (calendar feeds, PDF briefs).

    Each ``path`` is the event's page, or what ``path`` makes of its uid (a private feed's
    capability links, ``links.feed_event_path_maker``).

    Queries: events (joined with the claimant), tag names, citations (joined with their
    sources), and actor names unless ``actors`` is false (calendar blocks do not show them).
    Rows rather than model instances: ``prefetch_related`` costs about 0.1 ms per event and
    relation, which a feed of 10,000 events cannot afford.
    """
    rows = list(queryset.values(*SNAPSHOT_FIELDS, claimant_name=F("claimant__name")))
    tags: dict[int, list[str]] = {row["id"]: [] for row in rows}
    citations: dict[int, list[CitationSnapshot]] = {row["id"]: [] for row in rows}
    names: dict[int, list[str]] = {row["id"]: [] for row in rows}
    # A subquery rather than a list of ids: no parameter limits, whatever the size.
    ids = queryset.order_by().values("pk")
    tag_links = Event.tags.through.objects.filter(event_id__in=ids).order_by("tag__name")
    for event_id, name in tag_links.values_list("event_id", "tag__name"):
        if event_id in tags:
            tags[event_id].append(name)
    sources: dict[int, SourceSnapshot] = {}
    cited = Citation.objects.filter(event_id__in=ids).order_by("position", "id")
    for (
        event_id,
        quote,
        locator,
        pk,
        title,
        publisher,
        url,
        published,
        reliability,
        archived,
        accessed,
    ) in cited.values_list(
        "event_id",
        "quote",
        "locator",
        "source_id",
        "source__title",
        "source__publisher",
        "source__url",
        "source__published",
        "source__reliability",
        "source__archived_url",
        "source__accessed",
    ):
        if event_id in citations:
            if pk not in sources:
                sources[pk] = SourceSnapshot(pk, title, publisher, url, published, reliability, archived, accessed)
            citations[event_id].append(CitationSnapshot(sources[pk], quote, locator))
    if actors:
        actor_links = Event.actors.through.objects.filter(event_id__in=ids).order_by("actor__name", "actor_id")
        for event_id, name in actor_links.values_list("event_id", "actor__name"):
            if event_id in names:
                names[event_id].append(name)
    event_path = path or links.event_page_path_maker()
    return [
        EventSnapshot(
            pk=row["id"],
            uid=str(row["uid"]),
            version=row["version"],
            title=row["title"],
            summary=row["summary"],
            date=row["date"],
            precision=row["precision"],
            location=row["location"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            status=row["status"],
            credibility=row["credibility"],
            key=row["key"],
            reported=row["reported"],
            published=row["published"],
            claimant=row["claimant_name"] or "",
            tags=tuple(tags[row["id"]]),
            citations=tuple(citations[row["id"]]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            path=event_path(row["uid"]),
            external_id=row["external_id"],
            actors=tuple(names[row["id"]]),
        )
        for row in rows
    ]


# What the axis can draw lanes by: the relation whose names label them.
AXIS_LANE_RELATIONS = {"tag": Event.tags.through, "actor": Event.actors.through}


def axis_events(queryset: QuerySet[Event], *, lanes: str | None = None) -> list[AxisEvent]:
    """``queryset``'s events as the time axis needs them, in one query (joined with the
    claimant; the grade's reliability is the best among the cited sources, F when none).

    With ``lanes`` ("tag" or "actor", see ``AXIS_LANE_RELATIONS``) each event's ``groups``
    holds its tag or actor names, read in a second query. Raises ``KeyError`` for another value.
    """
    link_model = AXIS_LANE_RELATIONS[lanes] if lanes else None
    rows = list(
        queryset.annotate(best_reliability=Min("citations__source__reliability")).values_list(
            "pk",
            "uid",
            "title",
            "date",
            "date_lower",
            "date_upper",
            "precision",
            "key",
            "status",
            "credibility",
            "best_reliability",
            "claimant__name",
        )
    )
    groups: dict[int, list[str]] = {}
    if link_model is not None and rows:
        ids = [row[0] for row in rows]
        name = f"{lanes}__name"
        for event_id, group in (
            link_model._default_manager.filter(event_id__in=ids).order_by(name).values_list("event_id", name)
        ):
            groups.setdefault(event_id, []).append(group)
    path = links.event_page_path_maker()
    return [
        AxisEvent(
            uid=str(uid),
            title=title,
            edtf=edtf,
            lower=lower,
            upper=upper,
            precision=precision,
            key=key,
            status=status,
            status_label=labels.status_label(status),
            grade=labels.grade(reliability, credibility),
            claimant=claimant or "",
            url=path(uid),
            groups=tuple(groups.get(pk, ())),
        )
        for pk, uid, title, edtf, lower, upper, precision, key, status, credibility, reliability, claimant in rows
    ]


# Precisions that name a month (or finer): such events are grouped under their month, others under their year.
MONTH_OR_FINER = (Precision.MONTH, Precision.DAY, Precision.MINUTE)


def events_per_period(queryset: QuerySet[Event]) -> dict[tuple[int, int], tuple[int, int]]:
    """How many of ``queryset``'s events start in each period, in one query, as (all events,
    key events). Keys are (year, month) for events dated to a month or finer, (year, 0) for a
    year or season, so that "2025?" is never counted as January."""
    month = Case(
        When(precision__in=MONTH_OR_FINER, then=ExtractMonth("date_lower")),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        queryset.order_by()
        .annotate(period_year=ExtractYear("date_lower"), period_month=month)
        .values_list("period_year", "period_month")
        .annotate(count=Count("pk", distinct=True), keys=Count("pk", distinct=True, filter=Q(key=True)))
    )
    return {(year, month_number): (count, keys) for year, month_number, count, keys in rows}
