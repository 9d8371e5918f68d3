"""Full-text search over events: one ``q=`` for the API, feeds, briefs, pages and the admin.

Each event keeps a search document, ``Event.search_text``: its summary and location,
the names (and native names) of its actors and claimant, its tags, and its citations'
quotes and source titles. The title stays in its own column so that a title match
ranks above a match elsewhere. :func:`refresh_search_text` rebuilds the document in
one ``UPDATE`` whenever something it holds changes (``timeline/signals.py``).

* **PostgreSQL**: a GIN index over ``(timeline_id, search_vector)``, a generated column
  holding ``timeline_search_document(title, search_text)`` (``simple`` configuration after
  ``unaccent``, so Cyrillic, Hangul and accented Latin fold alike; the title weighted A,
  the rest B), queried with every word as a prefix (``'hwaso':*`` finds "Hwasong-19",
  as FTS5 does on SQLite) and ranked with ``ts_rank``. A trigram index for partial words
  (migration 0008) took longer to build than everything else at 1,000,000 events and
  found only what the prefixes find plus word middles; migration 0011 drops it. Without
  the index a search read every
  event: 1,087 ms for a common word and 5,041 ms for a missing one at 100,000 events.
  ``django.contrib.postgres.search`` offers ``SearchVector``, but its expression
  (``COALESCE``/``to_tsvector`` per field) cannot carry ``unaccent`` inside an
  immutable expression, so the document is a SQL function created by migration
  ``0008_scale_search``; migration ``0014_scale_1m`` stores its result in the row, so
  that ranking and the rechecks of a large match read it instead of computing it again.
* **SQLite**: the FTS5 table ``timeline_event_fts`` (external content, kept by
  triggers), every word matched as a prefix, ranked with ``bm25`` (title weight 10).

Search only ever narrows the queryset it is given (the access policy's), so it
never finds an event the reader may not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, FloatField, Func, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from timeline.models import Event

# Markers around matches in snippets; replaced by <mark> after the text is escaped.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 24

# The document of the event in the outer query, built from columns and related rows.
# {agg} is the vendor's string aggregate; every part is NULL-safe.
_DOCUMENT_SQL = """
    COALESCE(e.summary, '') || ' ' || COALESCE(e.location, '') || ' ' ||
    COALESCE((SELECT a.name || ' ' || a.native_name || ' ' || a.aliases FROM timeline_actor a
              WHERE a.id = e.claimant_id), '') || ' ' ||
    COALESCE((SELECT {agg}(a.name || ' ' || a.native_name || ' ' || a.aliases, ' ') FROM timeline_event_actors ea
              JOIN timeline_actor a ON a.id = ea.actor_id WHERE ea.event_id = e.id), '') || ' ' ||
    COALESCE((SELECT {agg}(t.name, ' ') FROM timeline_event_tags et
              JOIN timeline_tag t ON t.id = et.tag_id WHERE et.event_id = e.id), '') || ' ' ||
    COALESCE((SELECT {agg}(c.quote || ' ' || s.title, ' ') FROM timeline_citation c
              JOIN timeline_source s ON s.id = c.source_id WHERE c.event_id = e.id), '')
"""


def _document_sql() -> str:
    agg = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    return _DOCUMENT_SQL.format(agg=agg)


def refresh_search_text(events: QuerySet[Event] | Iterable[int]) -> None:
    """Rebuild ``search_text`` of ``events`` (a queryset or event ids) in one ``UPDATE``.

    Touches neither ``updated_at`` nor ``version``: the document is derived data.
    """
    if isinstance(events, QuerySet):
        ids_sql, params = events.order_by().values("pk").query.sql_with_params()
        where = f"id IN ({ids_sql})"
    else:
        ids = sorted({int(pk) for pk in events if pk is not None})
        if not ids:
            return
        where = f"id IN ({', '.join(['%s'] * len(ids))})"
        params = tuple(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE timeline_event AS e SET search_text = TRIM(({_document_sql()})) WHERE e.{where}",
            params,
        )


def refresh_all_search_text() -> None:
    """Rebuild every event's document (after a bulk load that bypassed the signals)."""
    refresh_search_text(Event.objects.all())


# --- PostgreSQL ---------------------------------------------------------------------


class SearchDocument(Func):
    """The event's stored tsvector, ``search_vector`` (PostgreSQL).

    A generated column (migration ``0014_scale_1m``) holding
    ``timeline_search_document(title, search_text)``; the model does not declare it (SQLite
    has no such column), so it is named here through the title column's table alias.
    """

    def __init__(self) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(F("title"), output_field=SearchVectorField())

    # Narrower than Func.as_sql (no function/template overrides): this renders a column.
    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        title, params = compiler.compile(self.source_expressions[0])
        quoted = connection.ops.quote_name("title")
        if not title.endswith(quoted):
            raise ValueError(f"unexpected column {title!r}")
        return title[: -len(quoted)] + connection.ops.quote_name("search_vector"), params


def prefix_tsquery(value: str) -> str:
    """``value`` as a ``to_tsquery`` text: every word, as a prefix, quoted (the reader's text is
    never tsquery syntax), all required; the same words :func:`fts5_query` gives SQLite."""
    words = [word for word in re.split(r"[^\w]+", value) if word]
    return " & ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)


def _pg_query(text: str) -> Expression:
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(Func(Value(text), function="timeline_unaccent"), search_type="raw", config="simple")


# --- SQLite -------------------------------------------------------------------------


def fts5_query(value: str) -> str:
    """``value`` as an FTS5 query: every word, as a prefix, quoted (FTS5 syntax is not the reader's)."""
    words = [word for word in re.split(r"[^\w]+", value) if word]
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


class FtsMatch(Func):
    """The event's id is in the FTS5 index's matches for ``query`` (SQLite)."""

    output_field = BooleanField()

    def __init__(self, query: str) -> None:
        self.query = query
        super().__init__(F("pk"))

    # Narrower than Func.as_sql (no function/template overrides): these render fixed SQL.
    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        pk, params = compiler.compile(self.source_expressions[0])
        sql = f"{pk} IN (SELECT rowid FROM timeline_event_fts WHERE timeline_event_fts MATCH %s)"
        return sql, [*params, self.query]


class FtsRank(Func):
    """bm25 relevance of the event for ``query``, higher is better (SQLite; bm25 is lower-better)."""

    output_field = FloatField()

    def __init__(self, query: str) -> None:
        self.query = query
        super().__init__(F("pk"))

    # Narrower than Func.as_sql (no function/template overrides): these render fixed SQL.
    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        pk, params = compiler.compile(self.source_expressions[0])
        sql = (
            "COALESCE((SELECT -bm25(timeline_event_fts, 10.0, 1.0) FROM timeline_event_fts "
            f"WHERE timeline_event_fts MATCH %s AND rowid = {pk}), 0.0)"
        )
        return sql, [self.query, *params]


# --- Both ---------------------------------------------------------------------------


def search(queryset: QuerySet[Event], value: str) -> QuerySet[Event]:
    """``queryset`` narrowed to events matching every word of ``value``, annotated with
    ``search_rank`` (higher is more relevant: a title match above a match in the body)."""
    words = value.split()
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchRank

        text = prefix_tsquery(value)
        if not text:
            return queryset.none()
        query = _pg_query(text)
        return (
            queryset.alias(search_document=SearchDocument())
            .filter(search_document=query)
            # In double precision: a real's text form does not round-trip through a cursor.
            .annotate(search_rank=Cast(SearchRank(SearchDocument(), query), FloatField()))
        )
    match = fts5_query(value)
    if not match:
        return queryset.none()
    return queryset.filter(FtsMatch(match)).annotate(search_rank=FtsRank(match))


def rank_window(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """``queryset`` (a search, ordered by relevance) narrowed to the latest
    ``TIMELINE_SEARCH_RANK_LIMIT`` matches by date, which are the ones ranked.

    Ranking reads every match it orders: a word found in half of a timeline of 100,000
    events took 1.1 s to rank, and grows with the timeline. The window is found through
    the date index (a common word) or the search index (a rare one, whose matches are
    all in it anyway), so ranking costs the same whatever the timeline's size. Date
    order still reaches every match.
    """
    from django.conf import settings

    latest = queryset.order_by("-date_lower", "-date_upper", "-id").values("pk")[: settings.TIMELINE_SEARCH_RANK_LIMIT]
    return queryset.filter(pk__in=latest)


def snippets(events: list[Event], value: str) -> dict[int, SafeString]:
    """Highlighted extracts for ``events`` (a page) matching ``value``, by event id, in one query.

    The text is escaped and each match wrapped in ``<mark>``.
    """
    ids = [event.pk for event in events]
    if not ids or not value.split():
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id, ts_headline('simple', title || ' — ' || search_text, "
            "to_tsquery('simple', timeline_unaccent(%s)), %s) "
            f"FROM timeline_event WHERE id IN ({placeholders})"
        )
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=8, MaxFragments=2"
        params: list[Any] = [prefix_tsquery(value), options, *ids]
    else:
        match = fts5_query(value)
        if not match:
            return {}
        sql = (
            f"SELECT rowid, snippet(timeline_event_fts, -1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS}) "
            f"FROM timeline_event_fts WHERE timeline_event_fts MATCH %s AND rowid IN ({placeholders})"
        )
        params = [match, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {pk: _marked(text or "") for pk, text in rows}


def _marked(text: str) -> SafeString:
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # escaped above: only the markers become tags


# --- SQLite: keeping the FTS5 triggers ---------------------------------------------------

# The triggers that keep ``timeline_event_fts`` in step with ``timeline_event`` (as migration
# 0008 creates them). SQLite cannot alter most columns in place, so a later migration that
# changes the events table makes a new table and copies the rows over, and the triggers
# go with the old table: :func:`ensure_sqlite_fts` (run after every ``migrate``) puts them
# back and rebuilds the index.
SQLITE_FTS_TRIGGERS = {
    "timeline_event_fts_insert": """CREATE TRIGGER IF NOT EXISTS timeline_event_fts_insert
       AFTER INSERT ON timeline_event BEGIN
         INSERT INTO timeline_event_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
       END""",
    "timeline_event_fts_delete": """CREATE TRIGGER IF NOT EXISTS timeline_event_fts_delete
       AFTER DELETE ON timeline_event BEGIN
         INSERT INTO timeline_event_fts(timeline_event_fts, rowid, title, search_text)
         VALUES ('delete', old.id, old.title, old.search_text);
       END""",
    "timeline_event_fts_update": """CREATE TRIGGER IF NOT EXISTS timeline_event_fts_update
       AFTER UPDATE OF title, search_text ON timeline_event BEGIN
         INSERT INTO timeline_event_fts(timeline_event_fts, rowid, title, search_text)
         VALUES ('delete', old.id, old.title, old.search_text);
         INSERT INTO timeline_event_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
       END""",
}


def ensure_sqlite_fts(using: str = "default", **kwargs: object) -> bool:
    """On SQLite, recreate any missing FTS5 trigger and rebuild the index; True if it had to.

    Connected to ``post_migrate``; a no-op elsewhere and before the FTS table exists.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, type FROM sqlite_master WHERE name LIKE 'timeline_event_fts%%'")
        present = {name for name, kind in cursor.fetchall()}
        if "timeline_event_fts" not in present:
            return False
        missing = [name for name in SQLITE_FTS_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_FTS_TRIGGERS[name])
        if missing:
            cursor.execute("INSERT INTO timeline_event_fts(timeline_event_fts) VALUES ('rebuild')")
    return bool(missing)
