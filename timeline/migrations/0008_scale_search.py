"""The search document and its indexes; an index for date-ordered lists across timelines.

PostgreSQL: the ``unaccent``, ``pg_trgm`` and ``btree_gin`` extensions (creating them
needs a role allowed to; an operator can create them beforehand), immutable SQL
functions the indexes are built on, a GIN index over (timeline, search document) and a
trigram GIN index for partial words. SQLite: an FTS5 table kept by triggers. Each
vendor's statements are no-ops on the other.
"""

from django.db import migrations, models

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    # unaccent() is STABLE (it reads a dictionary by name); naming the dictionary makes
    # the wrapper safe to declare IMMUTABLE, which an index expression requires.
    """CREATE OR REPLACE FUNCTION timeline_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """CREATE OR REPLACE FUNCTION timeline_search_document(title text, body text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT setweight(to_tsvector('simple'::regconfig, timeline_unaccent(COALESCE(title, ''))), 'A')
                 || setweight(to_tsvector('simple'::regconfig, timeline_unaccent(COALESCE(body, ''))), 'B') $$""",
    """CREATE OR REPLACE FUNCTION timeline_search_haystack(title text, body text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT lower(timeline_unaccent(COALESCE(title, '') || ' ' || COALESCE(body, ''))) $$""",
    "CREATE INDEX IF NOT EXISTS event_search_document ON timeline_event "
    "USING gin (timeline_id, timeline_search_document(title, search_text))",
    "CREATE INDEX IF NOT EXISTS event_search_trigram ON timeline_event "
    "USING gin (timeline_search_haystack(title, search_text) gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS event_search_trigram",
    "DROP INDEX IF EXISTS event_search_document",
    "DROP FUNCTION IF EXISTS timeline_search_haystack(text, text)",
    "DROP FUNCTION IF EXISTS timeline_search_document(text, text)",
    "DROP FUNCTION IF EXISTS timeline_unaccent(text)",
]
SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS timeline_event_fts USING fts5(
         title, search_text, content='timeline_event', content_rowid='id',
         tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS timeline_event_fts_insert AFTER INSERT ON timeline_event BEGIN
         INSERT INTO timeline_event_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS timeline_event_fts_delete AFTER DELETE ON timeline_event BEGIN
         INSERT INTO timeline_event_fts(timeline_event_fts, rowid, title, search_text)
         VALUES ('delete', old.id, old.title, old.search_text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS timeline_event_fts_update AFTER UPDATE OF title, search_text ON timeline_event
       BEGIN
         INSERT INTO timeline_event_fts(timeline_event_fts, rowid, title, search_text)
         VALUES ('delete', old.id, old.title, old.search_text);
         INSERT INTO timeline_event_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
       END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS timeline_event_fts_update",
    "DROP TRIGGER IF EXISTS timeline_event_fts_delete",
    "DROP TRIGGER IF EXISTS timeline_event_fts_insert",
    "DROP TABLE IF EXISTS timeline_event_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def fill_search_text(apps, schema_editor):
    from timeline.search import refresh_search_text

    Event = apps.get_model("timeline", "Event")
    sqlite = schema_editor.connection.vendor == "sqlite"
    if sqlite:
        # The update trigger would tell the (still empty) index to forget rows it never held,
        # which FTS5 answers with "database disk image is malformed": fill first, then index.
        schema_editor.execute("DROP TRIGGER IF EXISTS timeline_event_fts_update")
    refresh_search_text(Event.objects.using(schema_editor.connection.alias).all())
    if sqlite:
        schema_editor.execute("INSERT INTO timeline_event_fts(timeline_event_fts) VALUES ('rebuild')")
        schema_editor.execute(SQLITE_FORWARD[-1])


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0007_editorial_history_aliases_roles_archive"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["date_lower", "date_upper", "id"], name="event_dates"),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
