"""Run a real task-queue worker (``manage.py db_worker``) against the test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
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


@contextlib.contextmanager
def worker_running(*, media_root: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """A worker process (``manage.py db_worker``) running while the block runs, with ``env``
    added to its environment; stopped (SIGTERM, then killed) when the block ends. Its output
    is kept in ``media_root/worker.log``."""
    full_env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        **(env or {}),
    }
    full_env.pop("DJANGO_DEBUG", None)
    with open(media_root / "worker.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
            cwd=settings.BASE_DIR,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
