import os

import pytest


def pytest_configure(config):
    """Test users are hashed with MD5, not PBKDF2: a PBKDF2 hash costs ~0.5 s of CPU per
    login or user created (the admin tests spent most of their time there). Tests only."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (locmem or Redis)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The first parse imports and warms up the edtf grammar; timing per example is not what these tests check.
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Derandomized: the same examples on every run, so a red CI names a real regression, never a
# new example drawn this time (widen the search locally with --hypothesis-seed or a profile).
hypothesis_settings.register_profile("timeline", deadline=None, max_examples=100, derandomize=True)
hypothesis_settings.load_profile("timeline")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With TIMELINE_NO_SKIPS set (CI), a skipped test fails: CI installs every tool the suite uses."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("TIMELINE_NO_SKIPS"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped where TIMELINE_NO_SKIPS is set (CI must run every test): {reason}"


def pytest_collection_modifyitems(config, items):
    """Leave out PostgreSQL-only tests when the suite runs on another database.

    Deselected rather than skipped: CI runs the whole suite on PostgreSQL too,
    where they run, and it fails on any skip.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    deselected = [item for item in items if item.get_closest_marker("postgresql") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
