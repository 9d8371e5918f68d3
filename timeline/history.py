"""Event history: one row per save, with the citations, and a readable account of each change.

django-simple-history writes a row on every ``post_save`` and one more on every
m2m change, so on main one admin save that changed the tags wrote 2 rows (3 when
actors changed too), and citations, an inline rather than an m2m, were in none.
``event_change_recorded`` silences those automatic rows for the length of one
edit and writes a single row at the end, once actors, tags and citations are
stored. Every event history row carries ``citations_snapshot`` (filled by the
``pre_create_historical_record`` receiver in ``timeline/signals.py``) and
``claims_snapshot`` (who said what, when, citing which of those citations), so a
revert restores citations and claims too.

The library's history page prints the Python value of each change, so an empty
latitude showed as "None" and a row without a user as "None"; ``change_lines``
says what changed in words the event form uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models

# Bookkeeping every save moves; a change list that named them on every row would hide the real change.
BOOKKEEPING_FIELDS = frozenset({"version", "updated_at", "updated_by", "created_at", "created_by", "uid", "id"})
EMPTY = "—"


class EventHistoryExtras(models.Model):
    """Columns of the event history table that the event itself does not have."""

    # [{"source": id, "source_title": str, "quote", "locator", "position"}, ...] as stored
    # when the row was written; null on rows written before citations were kept.
    citations_snapshot = models.JSONField(null=True, blank=True, editable=False)
    # [{"claimant": id, "claimant_name": str, "stance", "made", "note", "citations": [index into
    # citations_snapshot, ...]}, ...] in the order made; null on rows written before claims were kept.
    claims_snapshot = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def citations_snapshot(event: Any) -> list[dict[str, Any]]:
    """The citations of ``event`` as stored now, in order, as plain data."""
    from timeline.models import Citation

    return [
        {
            "source": citation.source_id,
            "source_title": str(citation.source),
            "quote": citation.quote,
            "locator": citation.locator,
            "position": citation.position,
        }
        for citation in Citation.objects.filter(event_id=event.pk).select_related("source").order_by("position", "id")
    ]


def claims_snapshot(event: Any) -> list[dict[str, Any]]:
    """The claims of ``event`` as stored now, in the order made, as plain data; each names the
    citations that carry it by their index in :func:`citations_snapshot` (citation ids do not
    survive a revert, their order does)."""
    from timeline.models import Citation, Claim

    index = {
        pk: i
        for i, pk in enumerate(
            Citation.objects.filter(event_id=event.pk).order_by("position", "id").values_list("pk", flat=True)
        )
    }
    return [
        {
            "claimant": claim.claimant_id,
            "claimant_name": claim.claimant.name,
            "stance": claim.stance,
            "made": claim.made,
            "note": claim.note,
            "citations": sorted(index[c.pk] for c in claim.citations.all() if c.pk in index),
        }
        for claim in Claim.objects.filter(event_id=event.pk).select_related("claimant").prefetch_related("citations")
    ]


def claim_words(claim: dict[str, Any]) -> str:
    """One claim of a snapshot in words: ``denied by DPRK (before Apr 2025)``, with its note."""
    from timeline import claims

    view = claims.ClaimView(
        claimant=claim.get("claimant_name") or f"actor {claim.get('claimant')}",
        stance=claim["stance"],
        made=claim.get("made", ""),
    )
    text = claims.claim_phrase(view)
    return f"{text}: {claim['note']}" if claim.get("note") else text


def _claim_key(claim: dict[str, Any]) -> tuple[Any, ...]:
    return (
        claim.get("claimant"),
        claim.get("stance"),
        claim.get("made", ""),
        claim.get("note", ""),
        tuple(claim.get("citations", ())),
    )


def citation_line(citation: dict[str, Any]) -> str:
    """One citation of a snapshot in words: ``Source title, ¶4: “quote”``."""
    text = citation.get("source_title") or f"source {citation.get('source')}"
    if citation.get("locator"):
        text += f", {citation['locator']}"
    if citation.get("quote"):
        quote = citation["quote"]
        text += f": “{quote[:80]}{'…' if len(quote) > 80 else ''}”"
    return text


def event_history_write(event: Any, *, adding: bool = False, user: Any = None, reason: str | None = None) -> None:
    """Write one history row for ``event`` as stored now (fields, actors, tags, citations).

    ``user`` is recorded when authenticated (else the request's user, through
    django-simple-history's middleware); ``reason`` goes in the "Change reason" column.
    """
    from timeline.models import EVENT_HISTORY

    if user is not None and getattr(user, "is_authenticated", False):
        event._history_user = user
    if reason:
        event._change_reason = reason
    try:
        EVENT_HISTORY.create_historical_record(event, "+" if adding else "~")
    finally:
        if hasattr(event, "_change_reason"):
            del event._change_reason


@contextmanager
def event_change_recorded(event: Any, *, user: Any = None, reason: str | None = None) -> Iterator[None]:
    """Write exactly one history row for the saves of ``event`` made inside the block.

    The row is written when the block ends without an exception, after every
    change of fields, actors, tags and citations made inside it, and only when
    the event was saved inside it (added, or its version counted up): an edit
    that changed nothing (``services.event_update``'s unchanged-save rule) writes
    no row. Nothing is written when the block raises (the exception propagates).

    Blocks nest: an inner block on the same instance (``services.event_update``
    inside the admin's save, which also saves the citation inline) writes nothing
    and leaves the one row to the outermost block.
    """
    if getattr(event, "_timeline_change_recording", False):
        yield
        return
    adding = event._state.adding
    version_before = event.version
    event._timeline_change_recording = True
    event.skip_history_when_saving = True
    try:
        yield
    finally:
        del event._timeline_change_recording
        if hasattr(event, "skip_history_when_saving"):
            del event.skip_history_when_saving
    if adding or event.version != version_before:
        event_history_write(event, adding=adding, user=user, reason=reason)


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """One line of a change: what the field is called, and its value before and after, in words."""

    field: str
    old: str
    new: str


def value_words(field: Any, value: Any) -> str:
    """A stored value as the event form would show it; empty values as an em dash."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or EMPTY
    return str(value)


def _related_names(model: Any, ids: Any) -> list[str]:
    names = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    return sorted(names.get(pk, f"(deleted, id {pk})") for pk in ids)


def record_values(record: Any) -> dict[str, Any]:
    """What a history row of an event says, field by field, as comparable plain values
    (foreign keys as ids, m2m as sorted ids, citations as their snapshot)."""
    from timeline.models import EVENT_EDITABLE_FIELDS, Event

    values: dict[str, Any] = {}
    for name in EVENT_EDITABLE_FIELDS:
        field: Any = Event._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(
                getattr(row, f"{field.related_model._meta.model_name}_id") for row in getattr(record, name).all()
            )
        else:
            values[name] = getattr(record, field.attname)
    values["citations"] = record.citations_snapshot
    values["claims"] = record.claims_snapshot
    return values


def event_values(event: Any) -> dict[str, Any]:
    """The same plain values as ``record_values``, for the event as stored now."""
    from timeline.models import EVENT_EDITABLE_FIELDS, Event

    values: dict[str, Any] = {}
    for name in EVENT_EDITABLE_FIELDS:
        field: Any = Event._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(event, name).values_list("pk", flat=True))
        else:
            values[name] = getattr(event, field.attname)
    values["citations"] = citations_snapshot(event)
    values["claims"] = claims_snapshot(event)
    return values


def _citation_key(citation: dict[str, Any]) -> tuple[Any, ...]:
    return (citation.get("source"), citation.get("quote", ""), citation.get("locator", ""))


def change_lines(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """What differs between two ``record_values``/``event_values`` dicts, in words.

    Citations compare by source, quote and locator (not by position number
    alone); claims by claimant, stance, date, note and the citations they cite. A ``None``
    citations or claims value (not recorded) is never reported as a change.
    """
    from timeline.models import Actor, Event, Tag, Timeline

    lines = []
    for name, before in old.items():
        after: Any = new.get(name)
        if name == "citations":
            if before is None or after is None:
                continue
            if [_citation_key(c) for c in before] != [_citation_key(c) for c in after]:
                lines.append(
                    FieldChange(
                        "Citations",
                        "; ".join(citation_line(c) for c in before) or EMPTY,
                        "; ".join(citation_line(c) for c in after) or EMPTY,
                    )
                )
            continue
        if name == "claims":
            if before is None or after is None:
                continue
            if [_claim_key(c) for c in before] != [_claim_key(c) for c in after]:
                lines.append(
                    FieldChange(
                        "Claims",
                        "; ".join(claim_words(c) for c in before) or EMPTY,
                        "; ".join(claim_words(c) for c in after) or EMPTY,
                    )
                )
            continue
        if before == after:
            continue
        field: Any = Event._meta.get_field(name)
        label = str(field.verbose_name).capitalize()
        if name in ("actors", "tags"):
            model = Actor if name == "actors" else Tag
            lines.append(
                FieldChange(
                    label,
                    value_words(field, _related_names(model, before)),
                    value_words(field, _related_names(model, after)),
                )
            )
        elif name == "claimant":
            names = dict(Actor.objects.filter(pk__in=[before, after]).values_list("pk", "name"))
            lines.append(FieldChange(label, names.get(before, EMPTY), names.get(after, EMPTY)))
        elif name == "timeline":
            titles = dict(Timeline.objects.filter(pk__in=[before, after]).values_list("pk", "title"))
            lines.append(FieldChange(label, titles.get(before, EMPTY), titles.get(after, EMPTY)))
        else:
            lines.append(FieldChange(label, value_words(field, before), value_words(field, after)))
    return lines


def user_words(user: Any) -> str:
    """Who made a change, for the history page: the username, or a plain note when none was recorded."""
    if user is None:
        return "not recorded (import or script)"
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()
