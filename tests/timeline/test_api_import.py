"""``POST /api/v1/timelines/<slug>/import/``: preview, import, refusals, who may."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import EditorFactory, EventFactory, TimelineFactory, UserFactory
from tests.timeline.api_helpers import client_for
from timeline.models import Event

pytestmark = pytest.mark.django_db

GOOD = b"title,date,actors\nOne,c. June 2025,GUR\nTwo,2025-04,\n"
BAD = b"title,date,latitude\nFine,2025,\nBad,whenever,91\n"


def post(client, timeline, data, **fields):
    return client.post(
        f"/api/v1/timelines/{timeline.slug}/import/",
        {"file": SimpleUploadedFile("events.csv", data, content_type="text/csv"), **fields},
        format="multipart",
    )


def test_a_dry_run_shows_each_row_and_writes_nothing():
    timeline = TimelineFactory()
    response = post(client_for(EditorFactory()), timeline, GOOD, dry_run="1")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["format"] == "csv" and body["written"] is False
    assert [(r["row"], r["action"], r["date"], r["reading"]) for r in body["rows"]] == [
        (2, "new", "2025-06~", "c. June 2025"),
        (3, "new", "2025-04", "April 2025"),
    ]
    assert body["new_actors"] == ["GUR"]
    assert not Event.objects.filter(timeline=timeline).exists()


def test_an_import_writes_and_a_second_one_changes_nothing():
    timeline = TimelineFactory()
    client = client_for(EditorFactory())
    first = post(client, timeline, GOOD)
    assert first.status_code == 200 and first.json()["written"] is True
    assert first.json()["counts"] == {"new": 2, "update": 0, "unchanged": 0, "error": 0}
    uids = {row["uid"] for row in first.json()["rows"]}
    assert uids == {str(uid) for uid in Event.objects.filter(timeline=timeline).values_list("uid", flat=True)}
    second = post(client, timeline, GOOD)
    assert second.json()["counts"] == {"new": 0, "update": 0, "unchanged": 2, "error": 0}


def test_bad_rows_answer_400_with_every_problem_and_write_nothing():
    timeline = TimelineFactory()
    response = post(client_for(EditorFactory()), timeline, BAD)
    assert response.status_code == 400
    body = response.json()
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(3, "date"), (3, "latitude")]
    assert body["written"] is False and body["file"]
    assert not Event.objects.filter(timeline=timeline).exists()


@pytest.mark.parametrize(
    ("data", "fields", "field"),
    [
        (b"\xff\xfe\x00garbage\xff", {"format": "csv"}, "file"),
        (GOOD, {"format": "yaml"}, "format"),
        (b"", {}, "file"),
    ],
)
def test_a_bad_file_or_field_is_a_400_naming_the_field(data, fields, field):
    response = post(client_for(EditorFactory()), TimelineFactory(), data, **fields)
    assert response.status_code == 400
    assert field in response.json()


def test_a_file_over_the_limit_is_413(settings):
    settings.TIMELINE_IMPORT_MAX_BYTES = 10
    response = post(client_for(EditorFactory()), TimelineFactory(), GOOD)
    assert response.status_code == 413


def test_who_may_import():
    timeline = TimelineFactory()
    assert post(client_for(), timeline, GOOD).status_code == 401
    assert post(client_for(UserFactory()), timeline, GOOD).status_code == 403
    assert post(client_for(EditorFactory(), read_only=True), timeline, GOOD).status_code == 403
    private = TimelineFactory(visibility="private")
    EventFactory(timeline=private)
    # A user who may not see the timeline gets the answer for a timeline that does not exist.
    hidden = post(client_for(UserFactory()), private, GOOD)
    missing = client_for(UserFactory()).post(
        "/api/v1/timelines/no-such-timeline/import/",
        {"file": SimpleUploadedFile("e.csv", GOOD)},
        format="multipart",
    )
    assert hidden.status_code == missing.status_code
    assert hidden.json() == missing.json()
    assert Event.objects.filter(timeline=timeline).count() == 0


def test_the_endpoint_is_in_the_openapi_schema():
    schema = client_for().get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/timelines/{slug}/import/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]


# --- Large files: a job for a real worker process -------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def many_rows(count: int) -> bytes:
    lines = ["title,date,external_id"] + [f"Event {n},2025-{1 + n % 12:02d},row-{n}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_imported_by_a_worker_process_with_progress(settings, media_root):
    from tests.worker import run_worker

    settings.TIMELINE_IMPORT_SYNC_MAX_ROWS = 50
    editor = EditorFactory()
    timeline = TimelineFactory()
    client = client_for(editor)
    queued = post(client, timeline, many_rows(120))
    assert queued.status_code == 202, queued.json()
    status_url = queued.json()["status_url"]
    assert queued["Location"] == status_url
    assert client.get(status_url).json()["status"] == "waiting"
    assert not Event.objects.filter(timeline=timeline).exists()
    # Another user's job answers like one that does not exist.
    assert client_for(EditorFactory()).get(status_url).status_code == 404
    worker = run_worker(media_root=media_root)
    assert worker.returncode == 0, worker.stderr
    done = client.get(status_url).json()
    assert done["status"] == "finished", done
    assert done["report"]["written"] is True and done["report"]["counts"]["new"] == 120
    assert done["progress"] == {"phase": "writing", "done": 120, "total": 120}
    assert Event.objects.filter(timeline=timeline).count() == 120
    assert not list((media_root / "imports").iterdir())  # the stored upload is gone


@pytest.mark.django_db(transaction=True)
def test_a_large_file_with_a_bad_row_writes_nothing_in_the_worker_either(settings, media_root):
    from tests.worker import run_worker

    settings.TIMELINE_IMPORT_SYNC_MAX_ROWS = 50
    client = client_for(EditorFactory())
    timeline = TimelineFactory()
    data = many_rows(80) + b"Broken,whenever,row-x\n"
    queued = post(client, timeline, data)
    assert queued.status_code == 202
    assert run_worker(media_root=media_root).returncode == 0
    done = client.get(queued.json()["status_url"]).json()
    assert done["status"] == "finished"
    assert done["report"]["written"] is False
    assert [(p["row"], p["column"]) for p in done["report"]["problems"]] == [(82, "date")]
    assert not Event.objects.filter(timeline=timeline).exists()


def test_an_unknown_import_job_is_404():
    client = client_for(EditorFactory())
    assert client.get("/api/v1/imports/not-a-job/").status_code == 404
    assert client.get("/api/v1/imports/00000000-0000-0000-0000-000000000000/").status_code == 404
