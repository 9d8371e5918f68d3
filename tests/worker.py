"""Run a real task-queue worker (``manage.py db_worker``) against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def test_database_url() -> str:
    """A ``DATABASE_URL`` naming the database this test session runs on (PostgreSQL or an SQLite file)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="") + (
            ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
        )
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/{quote(str(db['NAME']))}"
    name = str(db["NAME"])
    if not Path(name).is_absolute():
        raise RuntimeError(f"a worker process cannot open the in-memory test database {name!r}")
    return f"sqlite:///{name}"


def run_worker(*, media_root: Path, max_tasks: int = 1, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run one worker process until it has finished ``max_tasks`` jobs; returns the finished process.

    Raises ``subprocess.TimeoutExpired`` when it has not finished within ``timeout`` seconds.
    """
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }
    env.pop("DJANGO_DEBUG", None)
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--max-tasks",
            str(max_tasks),
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
