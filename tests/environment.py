"""Loaded by pytest (``-p tests.environment``) before Django's settings are read.

The suite runs with DEBUG off, as production does; it only needs a throwaway key.
"""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + secrets.token_urlsafe(32))
