"""Multi-step writes: each function is one transaction, keyword-only and typed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

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


def event_bump_version(*, event: Event) -> None:
    """Count a change made outside ``Event.save`` (e.g. to tags or citations only)."""
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1, updated_at=timezone.now())
    event.refresh_from_db(fields=["version", "updated_at"])
    Timeline(pk=event.timeline_id).touch()


def event_status_refresh(*, event: Event) -> bool:
    """Set ``event.status`` to what its claims support (``claims.derive_status``), unless an
    editor overrode it. A new status is saved as a new version of the event (history
    records it); returns whether it changed."""
    if event.status_override:
        return False
    derived = event.derived_status()
    if derived == event.status:
        return False
    event.status = derived
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
    with transaction.atomic():
        call_command("loaddata", "demo", verbosity=0)
        call_command("populate_history", auto=True, verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
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
