"""Multi-step writes: each function is one transaction, keyword-only and typed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from timeline.history import (
    FieldChange,
    change_lines,
    citation_line,
    claim_words,
    event_change_recorded,
    event_history_write,
    event_values,
    record_values,
)
from timeline.models import ApiToken, Event, Timeline


@transaction.atomic
def events_set_published(*, events: QuerySet[Event] | Iterable[Event], published: bool, user: Any = None) -> int:
    """Publish or unpublish events, counting a new version of each that changes.

    Returns how many events changed. History records each change with ``user``.
    """
    changed = 0
    ids = [event.pk for event in events]
    for event in Event.objects.select_for_update().filter(pk__in=ids, published=not published):
        event.published = published
        event.updated_by = user if getattr(user, "is_authenticated", False) else None
        if user is not None:
            # django-simple-history reads the acting user from this attribute outside a request.
            event._history_user = user  # type: ignore[attr-defined]
        event.save()  # also moves the timeline's content_changed_at
        changed += 1
    return changed


class StaleEvent(Exception):
    """The event was saved by someone else after the editor read it."""

    def __init__(self, *, stored: int, seen: int) -> None:
        super().__init__(f"The event is at version {stored}, not {seen}.")
        self.stored = stored
        self.seen = seen


# Who wrote is bookkeeping, not a change of the event.
BOOKKEEPING_FIELDS = frozenset({"updated_by", "created_by", "history_user"})


def event_lock(*, pk: int, seen_version: int | None = None) -> Event:
    """The stored event ``pk``, row-locked until the surrounding transaction ends.

    Raises :class:`StaleEvent` when ``seen_version`` is given and is not the stored version,
    and ``Event.DoesNotExist``. Must run inside a transaction.
    """
    stored = Event.objects.select_for_update(of=("self",)).get(pk=pk)
    if seen_version is not None and stored.version != seen_version:
        raise StaleEvent(stored=stored.version, seen=seen_version)
    return stored


def event_changes_anything(*, stored: Event, values: dict[str, Any], relations: dict[str, Any]) -> bool:
    """Whether writing ``values`` (field -> value) and ``relations`` (``actors``/``tags``: objects;
    ``citations``: dicts of source, quote, locator) would change ``stored``.

    The rule behind "a save that changes nothing keeps the version" (and with it ETags
    and calendar SEQUENCE numbers), for the admin and the API alike.
    """
    if any(getattr(stored, name) != value for name, value in values.items() if name not in BOOKKEEPING_FIELDS):
        return True
    for name in ("actors", "tags"):
        if name in relations and {obj.pk for obj in relations[name]} != {obj.pk for obj in getattr(stored, name).all()}:
            return True
    if "citations" in relations:
        held = [(c.source_id, c.quote, c.locator) for c in stored.citations.order_by("position", "id")]
        wanted = [(c["source"].pk, c.get("quote", ""), c.get("locator", "")) for c in relations["citations"]]
        if held != wanted:
            return True
    if "claims" in relations:
        return _claims_held(stored) != _claims_wanted(relations["claims"])
    return False


def _claims_held(stored: Event) -> list[tuple[Any, ...]]:
    """``stored``'s claims in the order made: claimant id, stance, made, note, cited positions."""
    positions = {pk: position for position, pk in enumerate(stored.citations.values_list("pk", flat=True))}
    return [
        (c.claimant_id, c.stance, c.made, c.note, sorted(positions[x.pk] for x in c.citations.all()))
        for c in stored.claims.prefetch_related("citations")
    ]


def _claims_wanted(written: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Written claims (the API's shape: claimant, stance, made, note, citations as positions)
    as :func:`_claims_held` reads stored ones."""
    from timeline import claims, dates

    return [
        (
            c["claimant"].pk,
            c["stance"],
            dates.parse(c["made"]).edtf if c.get("made") else "",
            c.get("note", ""),
            sorted(set(c.get("citations", ()))),
        )
        for c in claims.written_in_order(written)
    ]


def event_relations_write(*, event: Event, relations: dict[str, Any]) -> None:
    """Replace the event's actors, tags, citations and claims that ``relations`` names (claims
    cite the event's citations by position, after the citations are written)."""
    from timeline.models import Citation, Claim

    if "actors" in relations:
        event.actors.set(relations["actors"])
    if "tags" in relations:
        event.tags.set(relations["tags"])
    if "citations" in relations:
        event.citations.all().delete()
        Citation.objects.bulk_create(
            Citation(event=event, position=position, **citation)
            for position, citation in enumerate(relations["citations"])
        )
    if "claims" in relations:
        event.claims.all().delete()
        citation_ids = list(event.citations.order_by("position", "id").values_list("pk", flat=True))
        for written in relations["claims"]:
            positions = written.pop("citations", [])
            claim = Claim(event=event, **written)
            claim.save()
            claim.citations.set([citation_ids[p] for p in sorted(set(positions))])


@transaction.atomic
def event_update(
    *,
    event: Event,
    values: dict[str, Any],
    relations: dict[str, Any] | None = None,
    user: Any = None,
    seen_version: int | None = None,
) -> bool:
    """Write ``values`` and ``relations`` onto ``event`` under a row lock; the one way events are edited.

    A save that changes nothing keeps the version: nothing is written and False is returned.
    Otherwise ``event`` is saved (its version counts up) and True is returned. ``user`` is
    recorded as the editor and in the history, which gets one row for the save
    (``timeline.history.event_change_recorded``). Raises :class:`StaleEvent` when ``seen_version``
    is given and someone saved the event meanwhile.
    """
    relations = relations or {}
    stored = event_lock(pk=event.pk, seen_version=seen_version)
    if not event_changes_anything(stored=stored, values=values, relations=relations):
        return False
    for name, value in values.items():
        setattr(event, name, value)
    if getattr(user, "is_authenticated", False):
        event.updated_by = user
    # One history row for the save, written once the relations are stored too
    # (within an outer block, such as the admin's save with its citations, by that block).
    with event_change_recorded(event, user=user):
        event.save()  # counts the version up from the stored one
        event_relations_write(event=event, relations=relations)
    return True


def event_bump_version(*, event: Event) -> None:
    """Count a change made outside ``Event.save`` (e.g. to tags or citations only)."""
    from timeline.webhooks import webhooks_note_events

    webhooks_note_events([(event.pk, event.uid, event.timeline_id, event.published, event.version, event.timeline_id)])
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1, updated_at=timezone.now())
    event.refresh_from_db(fields=["version", "updated_at"])
    Timeline(pk=event.timeline_id).touch()


def event_status_refresh(*, event: Event, version_counted: bool = False) -> bool:
    """Set ``event.status`` to what its claims support (``claims.derive_status``), unless an
    editor overrode it; returns whether it changed.

    A new status is saved as a new version of the event (history records it), except
    when ``version_counted``: the edit that changed the claims already saved the event
    as a new version in this transaction, and one edit is one version.
    """
    if event.status_override:
        return False
    derived = event.derived_status()
    if derived == event.status:
        return False
    event.status = derived
    if version_counted:
        Event.objects.filter(pk=event.pk).update(status=derived)
    else:
        event.save(update_fields=["status"])
    return True


def admin_account_ensure(*, username: str = "admin", password: str | None = None) -> tuple[Any, str | None]:
    """Make sure a superuser ``username`` exists.

    Creates it when missing, with ``password`` or a random one. When it exists and
    ``password`` is given, sets that password. Returns the user and the password
    that was newly set (None when nothing changed), so the caller can show it once.
    """
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        new_password = password or secrets.token_urlsafe(12)
        user = user_model.objects.create_superuser(username=username, email="", password=new_password)
        return user, new_password
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
        return user, password
    return user, None


DEMO_TIMELINE_SLUG = "russia-dprk-military-cooperation"


def demo_timeline_load(*, force: bool = False) -> bool:
    """Load the demo timeline fixture (fixtures/demo.json) unless it is already there.

    With ``force``, load it again, resetting the demo records to the shipped
    version (stable primary keys: nothing is duplicated). Records history for
    the loaded objects. Returns whether the fixture was loaded.
    """
    import io

    from django.core.management import call_command

    if not force and Timeline.objects.filter(slug=DEMO_TIMELINE_SLUG).exists():
        return False
    from django.test.utils import override_settings

    with transaction.atomic():
        # Without this, loaddata's m2m signals write a history row per event before its tags are all
        # set (the first demo version showed no tags); the rows are written below, complete.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", "demo", verbosity=0)
        quiet = {"verbosity": 0, "stdout": io.StringIO(), "stderr": io.StringIO()}
        call_command("populate_history", "timeline.Timeline", "timeline.Actor", "timeline.Source", **quiet)
        # populate_history writes no m2m or citation rows: events get theirs one by one.
        recorded = set(Event.history.values_list("id", flat=True))
        for event in Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG):
            if event.pk in recorded:
                event_history_write(event, reason="Reset to the demo fixture")
            else:
                event_history_write(event, adding=True, reason="Loaded from the demo fixture")
    return True


def feed_token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a private feed token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def timeline_rotate_feed_token(*, timeline: Timeline) -> str:
    """Give ``timeline`` a new private-feed token and return it.

    Only the token's digest is stored, so the returned value is the one chance
    to show it. The previous token stops working at once (its feed answers 410).
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    # update() rather than save(): a new token is not a change of the timeline's content.
    Timeline.objects.filter(pk=timeline.pk).update(feed_token_hash=feed_token_digest(token), feed_token_created_at=now)
    timeline.feed_token_hash = feed_token_digest(token)
    timeline.feed_token_created_at = now
    return token


@transaction.atomic
def timeline_revoke_feed_token(*, timeline: Timeline) -> None:
    """Remove ``timeline``'s private-feed token; its feed answers 410 from now on."""
    Timeline.objects.filter(pk=timeline.pk).update(feed_token_hash="", feed_token_created_at=None)
    timeline.feed_token_hash = ""
    timeline.feed_token_created_at = None


# Makes a leaked key recognisable to secret scanners and to a person reading a log.
API_TOKEN_KEY_PREFIX = "tl_"


def api_token_digest(key: str) -> str:
    """The SHA-256 hex digest under which an API token key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, read_only: bool = False, expires_in: dt.timedelta | None = None
) -> tuple[ApiToken, str]:
    """Make an API token for ``user`` and return it with its key.

    Only the key's digest is stored, so the returned key is the one chance to
    show it. ``expires_in`` (from now) must be positive; None means the token
    never expires. Raises ``ValueError`` for an empty or too long ``name`` or
    an ``expires_in`` that is not positive.
    """
    name_max_length = ApiToken._meta.get_field("name").max_length
    if not name.strip():
        raise ValueError("A token needs a name saying what it is for.")
    if name_max_length is not None and len(name.strip()) > name_max_length:
        raise ValueError(f"A token's name has at most {name_max_length} characters.")
    if expires_in is not None and expires_in <= dt.timedelta(0):
        raise ValueError("A token's lifetime must be positive.")
    key = API_TOKEN_KEY_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=key[:8],
        digest=api_token_digest(key),
        read_only=read_only,
        created_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> bool:
    """Revoke ``token`` at once; it answers 401 from now on.

    Returns whether it was revoked now (False when it already was, in which
    case its ``revoked_at`` is left as it was).
    """
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1
    token.refresh_from_db(fields=["revoked_at"])
    return revoked


# --- Revert ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RevertPlan:
    """What reverting an event to a history row would change, in words, and what it cannot bring back."""

    changes: list[FieldChange]
    missing: list[str]


def _still_stored(rows: list[dict[str, Any]], key: str, model: Any) -> list[int]:
    """The indexes of ``rows`` whose ``key`` names a ``model`` row that still exists, in order."""
    existing = set(model.objects.filter(pk__in={row[key] for row in rows}).values_list("pk", flat=True))
    return [i for i, row in enumerate(rows) if row[key] in existing]


def _revert_targets(record: Any) -> tuple[dict[str, Any], list[str]]:
    """The values a revert to ``record`` writes (only to rows that still exist) and the
    names of what no longer exists and so is left out."""
    from timeline.models import Actor, Source, Tag

    values = record_values(record)
    missing: list[str] = []
    if values["timeline"] is not None and not Timeline.objects.filter(pk=values["timeline"]).exists():
        missing.append(f"timeline (id {values['timeline']}): the event stays on its current timeline")
        values.pop("timeline")
    if values["claimant"] is not None and not Actor.objects.filter(pk=values["claimant"]).exists():
        missing.append(f"claimant (actor id {values['claimant']}), deleted since")
        values["claimant"] = None
    for name, model in (("actors", Actor), ("tags", Tag)):
        existing = set(model.objects.filter(pk__in=values[name]).values_list("pk", flat=True))
        missing += [f"{name[:-1]} id {pk}, deleted since" for pk in values[name] if pk not in existing]
        values[name] = sorted(existing)
    if values["citations"] is not None:
        kept = _still_stored(values["citations"], "source", Source)
        missing += [
            f"citation of {citation_line(c)}: its source was deleted since"
            for i, c in enumerate(values["citations"])
            if i not in kept
        ]
        values["citations"] = [values["citations"][i] for i in kept]
        if values["claims"] is not None:
            # Claims cite citations by index: follow the citations that are kept.
            moved = {old: new for new, old in enumerate(kept)}
            values["claims"] = [
                {**claim, "citations": [moved[i] for i in claim.get("citations", ()) if i in moved]}
                for claim in values["claims"]
            ]
    elif values["claims"] is not None:
        # Citations stay as they are: claims can only be restored without their citations.
        values["claims"] = [{**claim, "citations": []} for claim in values["claims"]]
    if values["claims"] is not None:
        kept = _still_stored(values["claims"], "claimant", Actor)
        missing += [
            f"claim “{claim_words(c)}”: its claimant was deleted since"
            for i, c in enumerate(values["claims"])
            if i not in kept
        ]
        values["claims"] = [values["claims"][i] for i in kept]
    return values, missing


def event_revert_targets(*, record: Any) -> tuple[dict[str, Any], list[str]]:
    """What :func:`event_revert` to ``record`` writes (foreign keys and m2m as ids, citations as
    their snapshot, None when not recorded), and the names of what was deleted since and is left out."""
    return _revert_targets(record)


def event_revert_plan(*, event: Event, record: Any) -> RevertPlan:
    """What ``event_revert`` with ``record`` would change on ``event`` (nothing is written)."""
    values, missing = _revert_targets(record)
    current = event_values(event)
    return RevertPlan(changes=change_lines({k: current[k] for k in values}, values), missing=missing)


@transaction.atomic
def event_revert(*, event: Event, record: Any, user: Any = None, restore_published: bool = True) -> Event:
    """Make ``event`` what history row ``record`` says again: fields, actors, tags and citations.

    A revert is a change like any other: the version goes up, ``updated_at`` moves,
    the timeline's feeds and briefs see it, and one history row records it with
    ``user``. Rows deleted since (actors, tags, the sources of citations, the claimants
    of claims) are left out. Citations (claims) stay as they are when ``record``
    predates citation (claim) history.
    Without ``restore_published`` (for a user who may not publish) the event stays
    published or draft as it is. Returns the event as saved. Raises ``Event.DoesNotExist`` when the event was
    deleted meanwhile and ``ValueError`` when ``record`` is not a row of ``event``.
    """
    from timeline.models import Citation, Event

    if record.id != event.pk:
        raise ValueError("That history row belongs to another event.")
    locked = event_lock(pk=event.pk)
    values, _missing = _revert_targets(record)
    if not restore_published:
        values.pop("published")
    reason = f"Reverted to version {record.version} of {record.history_date:%Y-%m-%d %H:%M}"
    with event_change_recorded(locked, user=user, reason=reason):
        for name, value in values.items():
            if name in ("actors", "tags", "citations", "claims"):
                continue
            field: Any = Event._meta.get_field(name)
            setattr(locked, field.attname, value)
        if getattr(user, "is_authenticated", False):
            locked.updated_by = user
        locked.save()
        locked.actors.set(values["actors"])
        locked.tags.set(values["tags"])
        if values["citations"] is not None:
            locked.citations.all().delete()
            Citation.objects.bulk_create(
                Citation(
                    event=locked,
                    source_id=citation["source"],
                    quote=citation.get("quote", ""),
                    locator=citation.get("locator", ""),
                    position=citation.get("position", 0),
                )
                for citation in values["citations"]
            )
            # bulk_create sends no post_save: move the feeds' change time as a citation save would.
            Timeline(pk=locked.timeline_id).touch()
        if values["claims"] is not None:
            event_relations_write(
                event=locked,
                relations={
                    "claims": [
                        {
                            "claimant_id": claim["claimant"],
                            "stance": claim["stance"],
                            "made": claim.get("made", ""),
                            "note": claim.get("note", ""),
                            "citations": claim.get("citations", []),
                        }
                        for claim in values["claims"]
                    ]
                },
            )
    return locked


@transaction.atomic
def source_archive_store(*, source: Any, archived_url: str, accessed: dt.date) -> None:
    """Record an archived copy of ``source`` and the day it was read (the capture day).

    Saved as an edit (history row; the events citing it get a new version, so feeds, sync and
    webhooks follow). Raises ``ValidationError`` for a copy address that is not http(s).
    """
    from timeline.models import http_url_validator

    http_url_validator(archived_url)
    source.archived_url = archived_url
    source.accessed = accessed
    source._change_reason = "Archived now"
    source.save()


def sources_archive_queue(*, sources: Iterable[Any]) -> int:
    """Queue "archive now" (``tasks.archive_source_job``) for those of ``sources`` that have a URL,
    once the current transaction commits; returns how many were queued."""
    ids = [source.pk for source in sources if source.url]

    def enqueue() -> None:
        from timeline.tasks import archive_source_job

        for pk in ids:
            archive_source_job.enqueue(source_id=pk)

    transaction.on_commit(enqueue)
    return len(ids)
