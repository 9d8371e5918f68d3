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
