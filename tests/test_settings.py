import os
import subprocess
import sys

from django.conf import settings

from config.settings import database_from_url


def _run_settings(env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_start_without_secret_key_in_production():
    result = _run_settings({})

    assert result.returncode == 1
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_settings_start_with_dev_key_when_debug():
    result = _run_settings({"DJANGO_DEBUG": "1"})

    assert (result.returncode, result.stderr) == (0, "")


def test_database_from_url_reads_postgres():
    config = database_from_url("postgres://user:p%40ss@db.internal:6543/timelines?sslmode=require")

    assert (config["ENGINE"], config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "timelines",
        "user",
        "p@ss",
        "db.internal",
        "6543",
    )
    assert config["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}


def test_database_jit_stays_off_unless_asked(monkeypatch):
    url = "postgres://user@db/timelines?options=-c%20statement_timeout%3D5000"
    off = database_from_url(url)["OPTIONS"]["options"]
    monkeypatch.setenv("DATABASE_JIT", "1")
    on = database_from_url(url)["OPTIONS"]["options"]

    assert (off, on) == ("-c statement_timeout=5000 -c jit=off", "-c statement_timeout=5000")


def test_database_from_url_reads_absolute_sqlite_path():
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"


def test_settings_refuse_a_negative_trusted_proxy_count():
    result = _run_settings({"DJANGO_DEBUG": "1", "TRUSTED_PROXY_COUNT": "-1"})

    assert result.returncode == 1
    assert "ImproperlyConfigured: TRUSTED_PROXY_COUNT must be 0 or more, not -1" in result.stderr
