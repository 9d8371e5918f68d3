"""Event history rows keep the event's claims (``claims_snapshot``), so a revert restores them.

Rows written before now have no snapshot ("not recorded": a revert to them leaves the
claims as they are), except each event's latest row, which describes the event as it
is stored now and so is given its current claims.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def latest_rows_keep_claims(apps: Any, schema_editor: Any) -> None:
    history_model = apps.get_model("timeline", "HistoricalEvent")
    claim_model = apps.get_model("timeline", "Claim")
    citation_model = apps.get_model("timeline", "Citation")
    event_ids = claim_model.objects.values_list("event_id", flat=True).distinct().order_by("event_id")
    for event_id in event_ids.iterator():
        latest = history_model.objects.filter(id=event_id).order_by("-history_date", "-history_id").first()
        if latest is None:
            continue
        index = {
            pk: i
            for i, pk in enumerate(
                citation_model.objects.filter(event_id=event_id).order_by("position", "id").values_list("pk", flat=True)
            )
        }
        latest.claims_snapshot = [
            {
                "claimant": claim.claimant_id,
                "claimant_name": claim.claimant.name,
                "stance": claim.stance,
                "made": claim.made,
                "note": claim.note,
                "citations": sorted(index[c.pk] for c in claim.citations.all() if c.pk in index),
            }
            for claim in claim_model.objects.filter(event_id=event_id)
            .select_related("claimant")
            .prefetch_related("citations")
        ]
        latest.save(update_fields=["claims_snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0010_claims_migrate"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalevent",
            name="claims_snapshot",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(latest_rows_keep_claims, migrations.RunPython.noop),
    ]
