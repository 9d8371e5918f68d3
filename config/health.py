"""``GET /health/``: does this process reach its database, cache and task queue?

Answered by a middleware placed before the host check and the https redirect, so a
load balancer or a container health check can ask over plain http under any Host
name. The answer names no secrets: only which check failed and the error's type.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

HEALTH_PATH = "/health/"
logger = logging.getLogger(__name__)


def check_database() -> str:
    """Run ``SELECT 1``. Raises whatever the database driver raises."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    """Write, read back and delete a key. Raises ``RuntimeError`` when the value does not come back."""
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("the cache did not return a value just written")
    return "ok"


def check_queue() -> str:
    """Count the jobs ready to run; fail when the oldest has waited longer than
    ``TIMELINE_QUEUE_STALE_SECONDS`` (no worker is taking jobs).

    Raises ``RuntimeError`` for a stale queue, or the database's error.
    """
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    if oldest is None:
        return "ok (no job waiting)"
    waited = timezone.now() - oldest
    if waited > dt.timedelta(seconds=settings.TIMELINE_QUEUE_STALE_SECONDS):
        raise RuntimeError(f"a job has waited {int(waited.total_seconds())} s: is a worker running?")
    return f"ok ({waiting.count()} waiting)"


CHECKS: dict[str, Callable[[], str]] = {"database": check_database, "cache": check_cache, "queue": check_queue}


def health_response() -> JsonResponse:
    """200 ``{"status": "ok", "checks": {...}}`` when every check passes, else 503 with
    ``"status": "failing"`` and ``"failed"`` listing the checks that did not pass."""
    results: dict[str, str] = {}
    failed: list[str] = []
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            logger.exception("Health check %s failed", name)
            results[name] = f"failed: {type(exc).__name__}: {exc}"
            failed.append(name)
    body: dict[str, object] = {"status": "failing" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    response = JsonResponse(body, status=503 if failed else 200)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answer ``GET``/``HEAD /health/`` before anything else runs; pass every other request on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)
