"""Loaded by pytest (``-p tests.environment``) before Django's settings are read.

The suite runs with DEBUG off, as production does; it only needs a throwaway key.
Requests in tests are plain http and no `collectstatic` has run, so the https
redirect and hashed static files are off here; tests/test_production.py checks both
with their production values, and CI's smoke test runs them behind gunicorn.
"""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + secrets.token_urlsafe(32))
os.environ.setdefault("DJANGO_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_HASHED_STATIC", "0")

# Under pytest-xdist each worker process runs its own test database (pytest-django adds the
# worker's name to it) and needs its own Redis database too: a test's ``cache.clear()`` empties
# the whole Redis database. Set before settings are read, so subprocesses inherit it.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(os.environ["REDIS_URL"])
    _base = int(_url.path.strip("/") or 0)
    _db = (_base - int(_worker[2:])) % 16
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_db}"))
