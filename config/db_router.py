"""An optional read replica: anonymous-style read traffic reads from it, everything else from the primary.

With ``DATABASE_REPLICA_URL`` set, settings add the alias ``replica`` and this router.
Reads go to the replica only while :class:`ReplicaReadsMiddleware` has marked the
request as a plain read:

* ``GET``/``HEAD`` requests of the API, feeds, pages, exports and briefs' downloads;
* not the admin (an editor reads what they just wrote);
* not the sync requests, ``deleted/`` and ``?updated_since=``: their ``as_of`` horizon is
  read from the primary's open transactions (``timeline/sync.py``), and a replica that
  lags behind it would make a mirror skip changes for good;
* only the ``timeline`` app's tables, less API tokens and timeline roles (sessions, users,
  lockouts, task rows and the rows that grant access stay on the primary);
* never inside a transaction on the primary (a read there must see the transaction's own
  writes).

Writes, migrations, management commands and task workers always use the primary. A
replica lags its primary by its replay delay, so a reader may briefly see an older state
after a change (a feed or page that is up to the lag old), never a mix of two.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")
PRIMARY_PATH_PREFIXES = ("/admin/",)
PRIMARY_PATH_SUFFIXES = ("/deleted/",)
PRIMARY_QUERY_PARAMETERS = ("updated_since",)
# The timelines' data. Sessions, users, lockouts and task rows stay on the primary: a session
# created by a sign-in must be found by the next request however far the replica lags. So do
# the rows that grant access: a revoked token or role stops working at once, not after the lag.
REPLICA_APPS = frozenset({"timeline"})
PRIMARY_MODELS = frozenset({"timeline.apitoken", "timeline.timelinerole", "timeline.idempotencyrecord"})

_reads_from_replica: ContextVar[bool] = ContextVar("timeline_reads_from_replica", default=False)


def reads_from_replica(request: HttpRequest) -> bool:
    """Whether ``request`` is a plain read that a replica may answer."""
    if request.method not in SAFE_METHODS:
        return False
    if request.path.startswith(PRIMARY_PATH_PREFIXES) or request.path.endswith(PRIMARY_PATH_SUFFIXES):
        return False
    return not any(name in request.GET for name in PRIMARY_QUERY_PARAMETERS)


class ReplicaReadsMiddleware:
    """Marks plain reads (:func:`reads_from_replica`) for the router, for the request's duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads_from_replica.set(reads_from_replica(request))
        try:
            return self.get_response(request)
        finally:
            _reads_from_replica.reset(token)


class ReplicaRouter:
    """Reads of marked requests from ``replica``; every write and every other read from the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if (
            _reads_from_replica.get()
            and model._meta.app_label in REPLICA_APPS
            and model._meta.label_lower not in PRIMARY_MODELS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The same data on both servers: an object read from the replica may be linked to one
        # read from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # A streaming replica follows its primary's schema; it is never migrated itself.
        return db == DEFAULT_DB_ALIAS
