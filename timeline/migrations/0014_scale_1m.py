"""A stored search vector (PostgreSQL): the indexed document kept in the row.

The GIN index of migration 0008 was built on an expression, ``timeline_search_document(title,
search_text)``. An index on an expression stores its result only in the index: ranking
(``ts_rank``) and every recheck of a lossy bitmap (a common word on a large timeline) computed
``to_tsvector(unaccent(…))`` again for every matching row, about 0.6 ms each: 15 s to rank a word
found in 25,000 events. A generated column keeps the vector in the row, computed once per
write, and the index is built on it. SQLite keeps its FTS5 index (a no-op there).

Indexes for "is this actor, tag or source named on any event in scope" (the access policy's
question, ``access.actors_named_on``): ``(actor_id, event_id)``, ``(tag_id, event_id)``,
``(source_id, event_id)`` and ``(claimant_id, id)`` give the first such event in id order from
the index, so the planner no longer bets on a sequential scan finding one early.
"""

from django.db import migrations, models

POSTGRESQL_FORWARD = [
    # Qualified: pg_dump's output runs with an empty search_path, where the unqualified
    # timeline_unaccent() of migration 0008 does not resolve, so a restore failed to build the
    # search indexes (and now the generated column).
    """CREATE OR REPLACE FUNCTION timeline_search_document(title text, body text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT setweight(to_tsvector('simple'::regconfig, public.timeline_unaccent(COALESCE(title, ''))), 'A')
                 || setweight(to_tsvector('simple'::regconfig, public.timeline_unaccent(COALESCE(body, ''))), 'B') $$""",
    """CREATE OR REPLACE FUNCTION timeline_search_haystack(title text, body text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT lower(public.timeline_unaccent(COALESCE(title, '') || ' ' || COALESCE(body, ''))) $$""",
    "ALTER TABLE timeline_event ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (timeline_search_document(title, search_text)) STORED",
    "DROP INDEX IF EXISTS event_search_document",
    # Words are matched by their beginnings through the tsvector index (``'hwaso':*``), as
    # FTS5 matches them on SQLite; the trigram index (the largest, and most of the time of
    # building the indexes of 1,000,000 events) served only word middles besides.
    "DROP INDEX IF EXISTS event_search_trigram",
    "CREATE INDEX IF NOT EXISTS event_search_vector ON timeline_event USING gin (timeline_id, search_vector)",
]
POSTGRESQL_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS event_search_trigram ON timeline_event "
    "USING gin (timeline_search_haystack(title, search_text) gin_trgm_ops)",
    "DROP INDEX IF EXISTS event_search_vector",
    "ALTER TABLE timeline_event DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS event_search_document ON timeline_event "
    "USING gin (timeline_id, timeline_search_document(title, search_text))",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("timeline", "0013_review")]

    operations = [
        migrations.RunPython(_run(POSTGRESQL_FORWARD), _run(POSTGRESQL_BACKWARD)),
        # Link tables Django creates for the many-to-many fields (no Meta to declare them in).
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS event_actors_actor_event ON timeline_event_actors (actor_id, event_id)",
            "DROP INDEX IF EXISTS event_actors_actor_event",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS event_tags_tag_event ON timeline_event_tags (tag_id, event_id)",
            "DROP INDEX IF EXISTS event_tags_tag_event",
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["claimant", "id"], name="event_claimant_id"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["timeline", "updated_at"], name="event_timeline_updated"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("key", True)),
                fields=["timeline", "date_lower", "date_upper", "id"],
                name="event_timeline_key",
            ),
        ),
        migrations.AddIndex(
            model_name="citation",
            index=models.Index(fields=["source", "event"], name="citation_source_event"),
        ),
    ]
