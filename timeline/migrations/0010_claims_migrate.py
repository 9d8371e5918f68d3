"""Today's claimant + status become one claim with the matching stance.

Nothing is lost: each event with a claimant gets one claim by that claimant, made
when the event was reported (else at the event's date), backed by all of the
event's citations; the stored status stays, and where the claims alone would
derive another status (``claims.derive_status``) it is kept as an editor's
override with a reason, so no event changes status by this migration.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# The stance a status set before claims existed stands for.
STANCE_FOR_STATUS = {
    "reported": "asserts",
    "claimed": "asserts",
    "confirmed": "asserts",
    "disputed": "disputes",
    "denied": "denies",
    "retracted": "retracts",
}

CLAIM_PERMISSIONS = [f"{action}_claim" for action in ("add", "change", "delete", "view")]

OVERRIDE_REASON = "Status set before claims were recorded (one claim made from the claimant and status)."


def claims_from_claimants(apps: Any, schema_editor: Any) -> None:
    from timeline.claims import derive_status, made_bounds

    event_model = apps.get_model("timeline", "Event")
    claim_model = apps.get_model("timeline", "Claim")
    for event in event_model.objects.order_by("pk").iterator():
        stances: list[tuple[Any, str]] = []
        if event.claimant_id is not None and not claim_model.objects.filter(event=event).exists():
            made = event.reported or event.date
            lower, upper = made_bounds(made)
            claim = claim_model.objects.create(
                event=event,
                claimant_id=event.claimant_id,
                stance=STANCE_FOR_STATUS.get(event.status, "asserts"),
                made=made,
                made_lower=lower,
                made_upper=upper,
            )
            claim.citations.set(event.citations.all())
            stances.append((event.claimant_id, claim.stance))
        if derive_status(stances) != event.status:
            event_model.objects.filter(pk=event.pk).update(status_override=True, status_override_reason=OVERRIDE_REASON)


def editors_edit_claims(apps: Any, schema_editor: Any) -> None:
    """The "Editors" group (migration 0002) may add, change, delete and view claims, as citations."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    permission_model = apps.get_model("auth", "Permission")
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(*permission_model.objects.filter(content_type__app_label="timeline", codename__in=CLAIM_PERMISSIONS))


def claimants_from_claims(apps: Any, schema_editor: Any) -> None:
    """Back: the claims go (the claimant field was never cleared), and so do the overrides this made."""
    apps.get_model("timeline", "Claim").objects.all().delete()
    apps.get_model("timeline", "Event").objects.filter(status_override_reason=OVERRIDE_REASON).update(
        status_override=False, status_override_reason=""
    )


class Migration(migrations.Migration):
    dependencies = [("timeline", "0009_claims_model"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(claims_from_claimants, claimants_from_claims),
        migrations.RunPython(editors_edit_claims, migrations.RunPython.noop),
    ]
