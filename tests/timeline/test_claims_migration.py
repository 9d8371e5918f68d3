"""Migration 0010: each event's claimant and status become one claim; nothing is lost."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from timeline.models import Claim, Event
from timeline.search import ensure_sqlite_fts

BEFORE_CLAIMS = [("timeline", "0009_claims_model")]


def demo_without_claims():
    """The demo fixture as it was before claims: its events' claimant and status, no claim rows."""
    rows = json.loads((settings.BASE_DIR / "fixtures" / "demo.json").read_text())
    kept = [row for row in rows if row["model"] != "timeline.claim"]
    for row in kept:
        if row["model"] == "timeline.event":
            row["fields"].pop("status_override", None)
            row["fields"].pop("status_override_reason", None)
    return kept, {row["pk"]: row["fields"] for row in kept if row["model"] == "timeline.event"}


def load_with_models_of(apps, rows):
    """Store fixture ``rows`` through the historical models of ``apps``: loaddata would use today's
    models, whose later columns (added after the state migrated to) the tables do not have yet."""
    relations = []
    for row in rows:
        model = apps.get_model(row["model"])
        values, many = {}, {}
        for name, value in row["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many[name] = value
            else:
                values[field.attname] = value
        obj = model(pk=row["pk"], **values)
        obj.save_base(raw=True)
        relations.append((obj, many))
    for obj, many in relations:
        for name, ids in many.items():
            getattr(obj, name).set(ids)


@pytest.mark.django_db(transaction=True)
def test_migration_turns_each_demo_claimant_and_status_into_one_claim():
    rows, before = demo_without_claims()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_CLAIMS)
    try:
        load_with_models_of(executor.loader.project_state(BEFORE_CLAIMS).apps, rows)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # migrate runs post_migrate, an executor does not: the SQLite search triggers come back.
        ensure_sqlite_fts()

        claims = {
            claim.event_id: (claim.claimant_id, claim.stance, claim.made, sorted(c.pk for c in claim.citations.all()))
            for claim in Claim.objects.prefetch_related("citations")
        }
        events = {event.pk: event for event in Event.objects.prefetch_related("claims", "citations")}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # migrate runs post_migrate, an executor does not: the SQLite search triggers come back.
        ensure_sqlite_fts()

    stance = {"claimed": "asserts", "confirmed": "asserts", "reported": "asserts", "denied": "denies"}
    expected = {
        pk: (
            fields["claimant"],
            stance[fields["status"]],
            fields.get("reported") or fields["date"],
            sorted(c.pk for c in events[pk].citations.all()),
        )
        for pk, fields in before.items()
    }
    assert claims == expected
    assert {pk: event.status for pk, event in events.items()} == {pk: f["status"] for pk, f in before.items()}
    assert [event.claims.count() for event in events.values()] == [1] * len(before)
    overridden = {pk for pk, event in events.items() if event.status_override}
    assert overridden == {pk for pk, f in before.items() if f["status"] in ("confirmed", "reported")}
    assert all(events[pk].status_override_reason.startswith("Status set before claims") for pk in overridden)
