"""``Idempotency-Key`` on API creates: a retried POST replays its first answer instead of writing again.

A client that may resend a create (a timeout, a crashed script) sends a key of
its choosing, at most 255 characters, in the ``Idempotency-Key`` header:

- the first successful answer (status, body, ``Location`` and ``ETag``) is kept
  per user and key for ``TIMELINE_IDEMPOTENCY_TTL_HOURS`` (default 24);
- a repeat with the same key and the same request (method, path and JSON body,
  whatever the order of its keys) gets that answer again, marked
  ``Idempotent-Replayed: true``, and writes nothing;
- the same key with another request is refused with 422;
- a request that fails (400, 403, ...) is not kept, so it can be corrected and
  sent again with the same key.

Two concurrent requests with one key cannot both write: the key's row is
inserted first, in the transaction of the write it guards, under a unique
constraint. On PostgreSQL the second request waits for the first to commit and
then replays its answer; SQLite reports the competing writer instead of
waiting, and the second request is answered 409 ("in progress", retry).
Expired keys are deleted lazily, by the next keyed request of the same user.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from timeline.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = IdempotencyRecord.KEY_MAX_LENGTH
# The headers of the first answer that a replay repeats; the others are computed again.
KEPT_HEADERS = ("Location", "ETag")


class IdempotencyKeyInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = f"The {HEADER} header must hold 1 to {MAX_KEY_LENGTH} characters."
    default_code = "idempotency_key_invalid"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = f"This {HEADER} was already used for a different request. Send a new key with a new request."
    default_code = "idempotency_key_reused"


class IdempotencyKeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = f"A request with this {HEADER} is in progress. Retry shortly to get its answer."
    default_code = "idempotency_key_in_progress"


CreateHandler = Callable[..., Response]


def idempotent(create: CreateHandler) -> CreateHandler:
    """Make a viewset's ``create`` honour the ``Idempotency-Key`` header (see the module docstring).

    Without the header, or for an anonymous user, ``create`` runs as it is.
    Raises ``IdempotencyKeyInvalid`` (400), ``IdempotencyKeyReused`` (422) and
    ``IdempotencyKeyInProgress`` (409) for DRF to answer.
    """

    @functools.wraps(create)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return create(view, request, *args, **kwargs)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            raise IdempotencyKeyInvalid()
        return replay_or_run(request=request, key=key, run=lambda: create(view, request, *args, **kwargs))

    return wrapper


def request_digest(request: Request) -> str:
    """A digest of what makes two requests the same: method, path and the parsed JSON body."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def replay_or_run(*, request: Request, key: str, run: Callable[[], Response]) -> Response:
    """Answer a keyed request: replay the stored answer, or ``run`` the write and store its answer.

    ``run`` happens inside the transaction that holds the key's row, so the
    write and its remembered answer are committed together or not at all.
    """
    user: Any = request.user
    digest = request_digest(request)
    now = timezone.now()
    try:
        return _replay_or_run(user=user, key=key, digest=digest, now=now, run=run)
    except OperationalError as exc:
        # SQLite: the other request holds the write lock taken at BEGIN IMMEDIATE (shared-cache
        # databases refuse at once; files wait for the busy timeout first).
        if connection.vendor == "sqlite" and "locked" in str(exc):
            raise IdempotencyKeyInProgress() from None
        raise


def _replay_or_run(*, user: Any, key: str, digest: str, now: dt.datetime, run: Callable[[], Response]) -> Response:
    with transaction.atomic():
        record, claimed = claim(user=user, key=key, digest=digest, now=now)
        if not claimed:
            return replay(record, digest=digest)
        # Rows of the same user only, deleted in one index order: concurrent purges wait, never deadlock.
        IdempotencyRecord.objects.filter(user=user, expires_at__lte=now).delete()
        response = run()
        if not status.is_success(response.status_code):
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.response_body = json.dumps(response.data, cls=DjangoJSONEncoder)
        record.response_headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        record.save(update_fields=["status_code", "response_body", "response_headers"])
    return response


def claim(*, user: Any, key: str, digest: str, now: dt.datetime) -> tuple[IdempotencyRecord, bool]:
    """Insert the row for ``key``, or find the row another request committed for it.

    Returns the row and whether this request inserted it. Must run inside a
    transaction, as its first write. Raises ``IdempotencyKeyInProgress`` when
    the key's row is held by a request that has not finished.
    """
    expires_at = now + dt.timedelta(hours=settings.TIMELINE_IDEMPOTENCY_TTL_HOURS)
    # Twice at most: once more after deleting an expired row, or after the other request rolled back.
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, request_digest=digest, created_at=now, expires_at=expires_at
                )
            return record, True
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        except OperationalError:
            # SQLite refuses a second writer (at once in shared-cache mode, after its busy
            # timeout otherwise) instead of queueing it behind the first as PostgreSQL does.
            if connection.vendor != "sqlite":
                raise
            raise IdempotencyKeyInProgress() from None
        if existing is None:
            continue
        if existing.is_expired(now):
            existing.delete()
            continue
        return existing, False
    raise IdempotencyKeyInProgress()


def replay(record: IdempotencyRecord, *, digest: str) -> Response:
    """The stored answer of ``record``, marked as replayed.

    Raises ``IdempotencyKeyReused`` when ``digest`` names another request, and
    ``IdempotencyKeyInProgress`` when the answer is not stored yet.
    """
    if record.request_digest != digest:
        raise IdempotencyKeyReused()
    if record.status_code is None:
        raise IdempotencyKeyInProgress()
    return Response(
        json.loads(record.response_body),
        status=record.status_code,
        headers={**record.response_headers, REPLAYED_HEADER: "true"},
    )
