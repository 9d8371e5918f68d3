"""Migration 0010: each event's claimant and status become one claim; nothing is lost."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from timeline.models import Claim, Event
from timeline.search import ensure_sqlite_fts

BEFORE_CLAIMS = [("timeline", "0009_claims_model")]


def demo_without_claims(tmp_path):
    """The demo fixture as it was before claims: its events' claimant and status, no claim rows."""
    rows = json.loads((settings.BASE_DIR / "fixtures" / "demo.json").read_text())
    kept = [row for row in rows if row["model"] != "timeline.claim"]
    for row in kept:
        if row["model"] == "timeline.event":
            row["fields"].pop("status_override", None)
            row["fields"].pop("status_override_reason", None)
    path = tmp_path / "demo_before_claims.json"
    path.write_text(json.dumps(kept))
    return path, {row["pk"]: row["fields"] for row in kept if row["model"] == "timeline.event"}


@pytest.mark.django_db(transaction=True)
def test_migration_turns_each_demo_claimant_and_status_into_one_claim(tmp_path):
    fixture, before = demo_without_claims(tmp_path)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_CLAIMS)
    try:
        # The models are today's, the tables those of 0009: history rows (today's columns) are not written.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", str(fixture), verbosity=0)
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
