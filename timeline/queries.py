"""Reads shared by the API, calendar feeds, PDF briefs and the admin.

The ``select_related``/``prefetch_related`` that every event listing needs live
here, in one place, so each consumer runs the same constant number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, IntegerField, Min, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import reverse

from timeline.axis import AxisEvent
from timeline.models import Citation, ClaimStatus, Event, Precision, Reliability


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


EXPORT_FIELDS = (
    "id",
    "uid",
    "version",
    "title",
    "summary",
    "date",
    "location",
    "latitude",
    "longitude",
    "status",
    "credibility",
    "created_at",
    "updated_at",
)


def events_for_export(queryset: QuerySet[Event]) -> list[dict[str, Any]]:
    """Events as plain dicts for bulk exports (calendar feeds), in three queries.

    Queries: events (joined with the claimant), tag names, citations (joined with
    their sources). Each dict holds ``EXPORT_FIELDS`` plus ``status_label``,
    ``claimant`` (name, or ""), ``tags`` (names, alphabetical) and ``sources``
    ((title, publisher, url, reliability) in citation order). Model instances and
    ``prefetch_related`` cost about 0.1 ms per event and relation, which a feed
    of 10,000 events cannot afford.
    """
    rows = list(queryset.values(*EXPORT_FIELDS, claimant_name=F("claimant__name")))
    by_id: dict[int, dict[str, Any]] = {}
    labels = dict(ClaimStatus.choices)
    for row in rows:
        row["status_label"] = str(labels.get(row["status"], row["status"]))
        row["claimant"] = row.pop("claimant_name") or ""
        row["tags"] = []
        row["sources"] = []
        by_id[row["id"]] = row
    # A subquery rather than a list of ids: no parameter limits, whatever the size.
    ids = queryset.order_by().values("pk")
    tag_links = Event.tags.through.objects.filter(event_id__in=ids).order_by("tag__name")
    for event_id, name in tag_links.values_list("event_id", "tag__name"):
        if event_id in by_id:
            by_id[event_id]["tags"].append(name)
    citations = Citation.objects.filter(event_id__in=ids).order_by("position", "id")
    columns = ("event_id", "source__title", "source__publisher", "source__url", "source__reliability")
    for event_id, *source in citations.values_list(*columns):
        if event_id in by_id:
            by_id[event_id]["sources"].append(tuple(source))
    return rows


def axis_events(queryset: QuerySet[Event]) -> list[AxisEvent]:
    """``queryset``'s events as the time axis needs them, in one query (joined with the
    claimant; the grade's reliability is the best among the cited sources, F when none)."""
    labels = dict(ClaimStatus.choices)
    rows = queryset.annotate(best_reliability=Min("citations__source__reliability")).values_list(
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
            status_label=str(labels.get(status, status)),
            grade=f"{reliability or Reliability.F}{credibility}",
            claimant=claimant or "",
            url=reverse("timeline:event-detail", kwargs={"uid": uid}),
        )
        for uid, title, edtf, lower, upper, precision, key, status, credibility, reliability, claimant in rows
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
