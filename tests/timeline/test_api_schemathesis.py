"""Schemathesis against the running API: whatever a client sends, the answer is never a
server error and always matches the published OpenAPI schema.

The schema is read from ``/api/v1/schema/`` of pytest-django's ``live_server`` (real
HTTP), once anonymously and once with an editor's token. The run is bounded (a fixed
seed, a few examples per operation) and fails listing every failure schemathesis found.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EditorFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from tests.timeline.api_helpers import authorization_for

# The live server reads what the test committed; the flush afterwards would also remove
# the "Editors" group its migration made, so it is restored for each test.
pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


@pytest.fixture
def seeded_api(monkeypatch):
    """A public timeline with events, actors, sources, tags and citations, so paths with ids exist."""
    # A run sends a few thousand requests; the throttle has its own test (test_api_docs).
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000000/hour", "user": "1000000/hour"})
    timeline = TimelineFactory(slug="dprk")
    actors = [ActorFactory(name="GUR"), ActorFactory(name="Kim Jong Un")]
    tags = [TagFactory(slug="troops", name="Troops"), TagFactory(slug="munitions", name="Munitions")]
    # One source without an address: the schema must allow the empty url it is read with.
    for date, url in (("2024-10", "https://news.example.org/1"), ("2025-04-17", ""), ("2025-06~", None)):
        event = EventFactory(timeline=timeline, date=date, claimant=actors[0], actors=actors, tags=tags)
        CitationFactory(event=event, source=SourceFactory() if url is None else SourceFactory(url=url))


def run_schemathesis(base_url: str, workdir: Path, *options: str) -> subprocess.CompletedProcess:
    """Run schemathesis with extra ``options`` against ``base_url`` from ``workdir``, where it
    keeps its caches (a fresh folder per run, so nothing found earlier is replayed)."""
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/v1/schema/?format=json",
        "--checks",
        CHECKS,
        "--max-examples",
        "5",
        "--seed",
        "20251125",
        "--generation-database",
        "none",
        # One worker: the test database may be SQLite in memory, shared by every connection.
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
    ]
    command += options
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_api_anonymous_answers_conform_to_schema(seeded_api, live_server, tmp_path):
    # Reads only: every anonymous write is a 401 before its body is read
    # (test_api_permissions), and the editor's run below covers every write.
    result = run_schemathesis(live_server.url, tmp_path, "--include-method", "GET")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_api_editor_answers_conform_to_schema(seeded_api, live_server, tmp_path):
    editor = EditorFactory()

    result = run_schemathesis(live_server.url, tmp_path, "--header", f"Authorization: {authorization_for(editor)}")

    assert result.returncode == 0, result.stdout + result.stderr
