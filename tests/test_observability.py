"""Request ids and one-line log records (config/observability.py)."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings


def run_logging(code, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOG_FORMAT"))}
    clean.update({"DJANGO_DEBUG": "1", **env})
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )


LOG_A_FAILURE = (
    "import logging\n"
    "try:\n"
    "    raise ValueError('bad\\ninput')\n"
    "except ValueError:\n"
    "    logging.getLogger('timeline.example').exception('Import failed')\n"
)


def test_log_records_are_one_text_line_with_time_level_logger_and_request_id():
    result = run_logging(LOG_A_FAILURE)

    # Other lines (django-axes announces itself at start-up) come from other loggers.
    lines = [line for line in result.stderr.splitlines() if " timeline.example " in line]
    assert len(lines) == 1
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR timeline\.example \[-\] Import failed\\nTraceback .*"
        r"ValueError: bad\\ninput",
        lines[0],
    )


def test_log_records_are_json_objects_with_log_format_json():
    result = run_logging(LOG_A_FAILURE, LOG_FORMAT="json")

    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert [record["logger"] for record in records if record["logger"] != "axes.apps"] == ["timeline.example"]
    record = records[-1]
    assert sorted(record) == ["exception", "level", "logger", "message", "request_id", "time"]
    assert (record["level"], record["logger"], record["message"], record["request_id"]) == (
        "ERROR",
        "timeline.example",
        "Import failed",
        "-",
    )
    assert record["exception"].endswith("ValueError: bad\ninput")


def test_unknown_log_format_refuses_to_start():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_DEBUG": "1", "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
    )

    assert "LOG_FORMAT must be text or json, not 'xml'" in result.stderr


@pytest.mark.django_db
def test_each_response_names_its_request_id_and_the_log_of_a_404_carries_it(client, caplog):
    response = client.get("/no-such-page/")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    records = [record for record in caplog.records if record.name == "django.request"]
    assert [(record.getMessage(), record.request_id) for record in records] == [
        ("Not Found: /no-such-page/", request_id)
    ]


@pytest.mark.django_db
def test_a_proxys_request_id_is_kept_when_it_looks_like_an_id(client):
    kept = client.get("/health/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    replaced = client.get("/health/", HTTP_X_REQUEST_ID="two words\r\nX-Evil: 1")

    assert kept["X-Request-ID"] == "lb-7f3a.42"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


def test_sentry_needs_its_extra_or_starts_reporting():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    code = "import config.settings, sentry_sdk; print(sentry_sdk.get_client().dsn)"
    dsn = "https://public@errors.example.org/1"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_DEBUG": "1", "SENTRY_DSN": dsn},
        capture_output=True,
        text=True,
    )

    try:
        import sentry_sdk  # noqa: F401
    except ImportError:
        assert "SENTRY_DSN is set but sentry-sdk is not installed: install the `sentry` extra" in result.stderr
    else:
        assert result.stdout.strip() == dsn
