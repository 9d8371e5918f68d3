"""Webhooks: tell a timeline's subscribers, by signed POSTs, when its published events change.

What is sent and when:

* Every write of an event notes it (:func:`webhooks_note_events`, from ``timeline.signals``,
  the import and the version bumps) with its state before the transaction; when the
  transaction commits, :func:`_dispatch` compares that with the stored row and
  decides the kind: ``published`` (a draft, or nothing, became published), ``changed`` (a
  published event got a new version), ``withdrawn`` (back to draft) or ``deleted`` (a
  published event was deleted). Drafts are never announced. Nothing is sent inside a request.
* One :class:`~timeline.models.WebhookDelivery` is written per active hook of the event's
  timeline whose creator may still see the timeline (``access.may(..., "view", ...)``); its
  body is built as that person reads the event through the API, so a hook carries nothing
  its owner could not see. ``timeline.tasks.deliver_webhook`` sends it.
* Deliveries of one event to one hook go out in order: a later one waits while an earlier
  one is pending. A failed attempt (no answer, or not 2xx) is tried again after
  ``TIMELINE_WEBHOOK_BACKOFF_SECONDS`` × 2^(attempts − 1), capped at
  ``TIMELINE_WEBHOOK_BACKOFF_MAX_SECONDS``, until ``TIMELINE_WEBHOOK_MAX_ATTEMPTS``.

Signing: ``X-Timeline-Signature: sha256=<hex>`` is HMAC-SHA256 under the hook's secret of
``<X-Timeline-Timestamp>.<raw body>``; the timestamp (Unix seconds, the time of the attempt)
lets receivers refuse replays (README, "Webhooks").

Addresses (:func:`webhook_url_check`): https only, never to private, link-local or other
non-global addresses, checked when a hook is saved and again, by the address actually
connected to, on every attempt. Loopback (plain http allowed) only with
``TIMELINE_WEBHOOK_ALLOW_LOOPBACK`` (on with DEBUG; tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Timeline-Signature"
TIMESTAMP_HEADER = "X-Timeline-Timestamp"
DELIVERY_HEADER = "X-Timeline-Delivery"
KIND_HEADER = "X-Timeline-Event"
USER_AGENT = "timeline-webhooks/1"
# A cache entry naming the timelines with active hooks: writes to other timelines then cost no query.
HOOKED_TIMELINES_KEY = "timeline:webhooks:hooked-timelines"

# A delivery as its log shows it, in the admin and the API.
DELIVERY_FIELDS = (
    "uid",
    "event_uid",
    "kind",
    "event_version",
    "status",
    "attempts",
    "last_response_code",
    "last_error",
    "next_attempt_at",
    "last_attempt_at",
    "delivered_at",
    "created_at",
)

# How long a claimed attempt is left alone before another job may take it over (beyond the timeout).
CLAIM_MARGIN_SECONDS = 30


class WebhookUrlRefused(ValueError):
    """The address is not one a webhook may be sent to; the message says why."""


def webhook_secret_new() -> str:
    """A new signing secret (256 bits, hex)."""
    return secrets.token_hex(32)


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Timeline-Signature`` value for ``body`` sent at ``timestamp``: ``sha256=<hex>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``address`` may not receive a webhook, or None when it may."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_loopback:
        if settings.TIMELINE_WEBHOOK_ALLOW_LOOPBACK:
            return None
        return f"{address} is a loopback address"
    if address.is_multicast or not address.is_global:
        return f"{address} is a private, link-local or reserved address"
    return None


def webhook_url_check(url: str) -> list[str]:
    """Check that ``url`` may receive webhooks and return the addresses its host resolves to.

    Raises :class:`WebhookUrlRefused` for a scheme other than https (http only to loopback
    hosts with ``TIMELINE_WEBHOOK_ALLOW_LOOPBACK``), credentials in the address, a host that
    does not resolve, or one resolving to any private, link-local, reserved or (unless
    allowed) loopback address.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host:
        raise WebhookUrlRefused("Enter an https address.")
    if parts.username or parts.password:
        raise WebhookUrlRefused("Leave user names and passwords out of the address; the signature authenticates.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookUrlRefused("The port is not a number from 1 to 65535.") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookUrlRefused(f"The host {host} does not resolve.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        refusal = _address_refusal(ipaddress.ip_address(address.split("%")[0]))
        if refusal:
            raise WebhookUrlRefused(f"Webhooks are not sent to private networks: {host} resolves to {refusal}.")
    if parts.scheme == "http" and not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise WebhookUrlRefused(
            "Enter an https address (plain http is allowed for loopback hosts in development only)."
        )
    return addresses


# --- Noting changes and writing deliveries on commit ------------------------------------------


@dataclass
class _Noted:
    uid: uuid.UUID
    timeline_before: int
    was_published: bool
    version_before: int
    # Every timeline the event was on during the transaction (it may have moved).
    timelines: set[int]
    deleted: bool = False


class _Batch:
    """The events noted in one transaction, dispatched once when it commits."""

    def __init__(self) -> None:
        self.events: dict[int, _Noted] = {}
        self.dispatched = False

    def dispatch(self) -> None:
        self.dispatched = True
        _dispatch(self.events)


_pending = threading.local()


def _current_batch() -> tuple[_Batch, bool]:
    """The batch of the current transaction and whether it is new. A batch whose commit callback
    ran, or was dropped with a rolled-back transaction, is not reused: its notes are not news."""
    connection = transaction.get_connection()
    batch: _Batch | None = getattr(_pending, "batch", None)
    if (
        batch is None
        or batch.dispatched
        or not connection.in_atomic_block
        or all(callback[1] != batch.dispatch for callback in connection.run_on_commit)
    ):
        batch = _pending.batch = _Batch()
        return batch, True
    return batch, False


def webhooks_note_events(rows: Iterable[tuple[int, Any, int, bool, int, int]], *, deleted: bool = False) -> None:
    """Note events written in the current transaction, as ``(pk, uid, timeline before, published
    before, version before, timeline now)``; their webhooks are decided when it commits (at once
    outside one).

    The first note of an event in a transaction keeps its state before it; later notes
    only add the timeline and ``deleted``. Costs no query.
    """
    batch, new = _current_batch()
    for pk, uid, timeline_before, was_published, version_before, timeline_now in rows:
        if pk is None:
            continue
        entry = batch.events.get(pk)
        if entry is None:
            entry = batch.events[pk] = _Noted(
                uid=uid if isinstance(uid, uuid.UUID) else uuid.UUID(str(uid)),
                timeline_before=timeline_before,
                was_published=bool(was_published),
                version_before=version_before,
                timelines={timeline_before},
            )
        entry.timelines.add(timeline_now)
        entry.deleted = entry.deleted or deleted
    if new:
        transaction.on_commit(batch.dispatch)


def hooked_timeline_ids() -> set[int]:
    """Ids of the timelines with an active webhook, from the cache (one query when it is cold)."""
    from timeline.models import Webhook

    ids = cache.get(HOOKED_TIMELINES_KEY)
    if ids is None:
        ids = set(Webhook.objects.filter(active=True).values_list("timeline_id", flat=True).distinct())
        cache.set(HOOKED_TIMELINES_KEY, ids, None)
    return set(ids)


def hooked_timelines_forget() -> None:
    """Drop the cached list of hooked timelines (a hook was made, changed or deleted)."""
    cache.delete(HOOKED_TIMELINES_KEY)


def _dispatch(noted: dict[int, _Noted]) -> None:
    if not noted:
        return
    hooked = hooked_timeline_ids()
    noted = {pk: entry for pk, entry in noted.items() if entry.timelines & hooked}
    if not noted:
        return
    try:
        webhook_deliveries_create(noted)
    except Exception:
        # The write has committed: a failure here must not turn the editor's save into an error page.
        logger.exception("webhook deliveries for events %s were not written", sorted(noted))


def _kind_for(hook_timeline_id: int, entry: _Noted, stored: tuple[bool, int, int] | None) -> str | None:
    """What to tell the hooks of timeline ``hook_timeline_id`` about a noted event now ``stored``
    as ``(published, version, timeline_id)`` (None: gone), or None when there is nothing to tell.

    Only published events exist for a hook: an event that moved to another timeline is
    withdrawn from the old one and published on the new one.
    """
    from timeline.models import WebhookKind

    was_shown = entry.was_published and entry.timeline_before == hook_timeline_id
    if stored is None:
        return WebhookKind.DELETED if entry.deleted and was_shown else None
    published, version, timeline_id = stored
    if version == entry.version_before:
        return None  # rolled back, or nothing was written after all
    shown = published and timeline_id == hook_timeline_id
    if shown:
        return WebhookKind.CHANGED if was_shown else WebhookKind.PUBLISHED
    return WebhookKind.WITHDRAWN if was_shown else None


def webhook_deliveries_create(noted: dict[int, _Noted]) -> list[int]:
    """Write the deliveries the noted events call for and queue them; returns their ids."""
    from timeline import access
    from timeline.models import Event, Webhook, WebhookDelivery

    stored = {
        pk: (published, version, timeline_id)
        for pk, published, version, timeline_id in Event.objects.filter(pk__in=list(noted)).values_list(
            "pk", "published", "version", "timeline_id"
        )
    }
    timeline_ids = set().union(*(entry.timelines for entry in noted.values()))
    timeline_ids |= {row[2] for row in stored.values()}
    hooks = list(
        Webhook.objects.filter(timeline_id__in=timeline_ids, active=True).select_related("created_by", "timeline")
    )
    hooks = [hook for hook in hooks if access.may(hook.created_by, "view", hook.timeline)]
    created: list[WebhookDelivery] = []
    now = timezone.now()
    with transaction.atomic():
        for hook in hooks:
            for pk, entry in noted.items():
                kind = _kind_for(hook.timeline_id, entry, stored.get(pk))
                if kind is None:
                    continue
                version = stored[pk][1] if pk in stored else entry.version_before
                body = webhook_body(hook=hook, kind=kind, event_pk=pk, event_uid=entry.uid, version=version)
                if body is None:
                    continue
                created.append(
                    WebhookDelivery(
                        webhook=hook,
                        event_uid=entry.uid,
                        kind=kind,
                        event_version=version,
                        body=body,
                        next_attempt_at=now,
                        created_at=now,
                        task_token=uuid.uuid4().hex,
                    )
                )
        # Created one by one: the ids order deliveries of the same event (bulk inserts on SQLite return none).
        for delivery in created:
            delivery.save()
    for delivery in created:
        _enqueue(delivery.pk, delivery.task_token, at=None)
    return [delivery.pk for delivery in created]


class _HookReader:
    """What the API serializer reads from a request: whose eyes, and absolute links under ``SITE_URL``."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def build_absolute_uri(self, path: str) -> str:
        return settings.SITE_URL + path


def webhook_body(*, hook: Any, kind: str, event_pk: int, event_uid: uuid.UUID, version: int) -> str | None:
    """The JSON text POSTed for one event: ``delivery`` fields, and for published and changed
    events ``event``, the API representation as the hook's creator reads it. None when the
    creator may not read the event (nothing is sent)."""
    from timeline import access
    from timeline.models import WebhookKind
    from timeline.queries import claims_prefetch, events_with_relation_lists
    from timeline.serializers import EventSerializer

    payload: dict[str, Any] = {
        "kind": kind,
        "event_uid": str(event_uid),
        "timeline": hook.timeline.slug,
        "version": version,
        "sent_for": timezone.now().isoformat(),
    }
    if kind in (WebhookKind.PUBLISHED, WebhookKind.CHANGED):
        owner = hook.created_by
        event = (
            events_with_relation_lists(access.events_visible_to(owner).filter(pk=event_pk))
            .prefetch_related(claims_prefetch(access.claims_visible_to(owner)))
            .first()
        )
        if event is None:
            return None
        payload["event"] = EventSerializer(event, context={"request": _HookReader(owner)}).data
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def _enqueue(delivery_id: int, token: str, *, at: dt.datetime | None) -> None:
    from timeline.tasks import deliver_webhook

    def go() -> None:
        task = deliver_webhook if at is None else deliver_webhook.using(run_after=at)
        task.enqueue(delivery_id=delivery_id, token=token)

    transaction.on_commit(go)


def delivery_schedule(delivery_id: int, *, at: dt.datetime | None = None) -> None:
    """Queue a job for the delivery ``delivery_id`` (at ``at``, else now), superseding any job queued before."""
    from timeline.models import DeliveryStatus, WebhookDelivery

    token = uuid.uuid4().hex
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(task_token=token)
        if updated:
            _enqueue(delivery_id, token, at=at)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    seconds = settings.TIMELINE_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.TIMELINE_WEBHOOK_BACKOFF_MAX_SECONDS))


# --- Sending -------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int | None
    error: str


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, verifying the certificate against the URL's host name."""

    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def webhook_post(*, url: str, secret: str, body: str, delivery_uid: str, kind: str) -> Answer:
    """POST ``body`` to ``url`` signed with ``secret``, connecting only to an address
    :func:`webhook_url_check` allows (checked now, so a name that changed its address since
    the hook was saved is refused). Redirects are not followed. Never raises for network errors."""
    try:
        addresses = webhook_url_check(url)
    except WebhookUrlRefused as refused:
        return Answer(None, str(refused))
    parts = urlsplit(url)
    raw = body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=timestamp, body=raw),
        DELIVERY_HEADER: delivery_uid,
        KIND_HEADER: kind,
    }
    host = parts.hostname or ""
    timeout = settings.TIMELINE_WEBHOOK_TIMEOUT_SECONDS
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(
            host, addresses[0], port=parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(host, addresses[0], port=parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=raw, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(300).decode("utf-8", "replace").strip()
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return Answer(response.status, "")
    return Answer(response.status, f"HTTP {response.status} {response.reason}: {excerpt}"[:500])


def delivery_attempt(*, delivery_id: int, token: str) -> str:
    """Run the job ``token`` queued for the delivery ``delivery_id``: send it when it is due
    and no earlier delivery of the same event to the same hook is pending, record the answer,
    and queue what comes next (a retry, or the next delivery of the event).

    Returns what happened: "superseded", "waiting", "cancelled", "delivered", "retrying" or "failed".
    """
    from timeline import access
    from timeline.models import DeliveryStatus, WebhookDelivery

    delivery = (
        WebhookDelivery.objects.select_related("webhook__created_by", "webhook__timeline")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.task_token != token:
        return "superseded"
    now = timezone.now()
    earlier = (
        WebhookDelivery.objects.filter(
            webhook_id=delivery.webhook_id,
            event_uid=delivery.event_uid,
            status=DeliveryStatus.PENDING,
            pk__lt=delivery.pk,
        )
        .order_by("pk")
        .first()
    )
    if earlier is not None:
        # Woken again by the earlier one when it ends; this later look is a safety net.
        at = max(earlier.next_attempt_at or now, now) + dt.timedelta(seconds=1)
        delivery_schedule(delivery.pk, at=at)
        return "waiting"
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        delivery_schedule(delivery.pk, at=delivery.next_attempt_at)
        return "waiting"
    hook = delivery.webhook
    if not hook.active or not access.may(hook.created_by, "view", hook.timeline):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.CANCELLED,
            last_error="The hook is inactive, or its creator may no longer see the timeline.",
            next_attempt_at=None,
        )
        _wake_next(delivery)
        return "cancelled"
    # Claim the attempt: a second job (a worker restarted mid-send) finds it taken.
    lease = now + dt.timedelta(seconds=settings.TIMELINE_WEBHOOK_TIMEOUT_SECONDS + CLAIM_MARGIN_SECONDS)
    claimed = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING, task_token=token).update(
        attempts=delivery.attempts + 1, last_attempt_at=now, next_attempt_at=lease
    )
    if not claimed:
        return "superseded"
    attempts = delivery.attempts + 1
    answer = webhook_post(
        url=hook.url, secret=hook.secret, body=delivery.body, delivery_uid=str(delivery.uid), kind=delivery.kind
    )
    done = timezone.now()
    fields: dict[str, Any] = {"last_response_code": answer.status, "last_error": answer.error}
    if answer.status is not None and 200 <= answer.status < 300:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=done, next_attempt_at=None)
        outcome = "delivered"
    elif attempts >= settings.TIMELINE_WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        outcome = "failed"
    else:
        fields.update(next_attempt_at=done + backoff(attempts))
        outcome = "retrying"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if outcome == "retrying":
        delivery_schedule(delivery.pk, at=fields["next_attempt_at"])
    else:
        _wake_next(delivery)
    return outcome


def _wake_next(delivery: Any) -> None:
    """Queue the next pending delivery of the same event to the same hook, now."""
    from timeline.models import DeliveryStatus, WebhookDelivery

    following = (
        WebhookDelivery.objects.filter(
            webhook_id=delivery.webhook_id,
            event_uid=delivery.event_uid,
            status=DeliveryStatus.PENDING,
            pk__gt=delivery.pk,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        delivery_schedule(following)


def delivery_retry(*, delivery: Any) -> None:
    """Try a failed or cancelled delivery again from its first attempt (the admin's "Retry now")."""
    from timeline.models import DeliveryStatus, WebhookDelivery

    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.DELIVERED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    delivery_schedule(delivery.pk)


def deliveries_resume(*, overdue: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Queue again the pending deliveries whose next attempt is more than ``overdue`` late (their
    job was lost: a worker killed mid-send, a queue emptied); returns how many. A job still
    queued for one of them is superseded, so nothing is sent twice by this."""
    from timeline.models import DeliveryStatus, WebhookDelivery

    late = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lt=timezone.now() - overdue
    ).values_list("pk", flat=True)
    ids = list(late)
    for pk in ids:
        delivery_schedule(pk)
    return len(ids)
