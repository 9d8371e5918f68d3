"""Briefs above the web limit: a job for a real worker process, stored, then downloaded."""

import io
import os
import time

import pdfplumber
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import EventFactory, TimelineFactory, UserFactory
from tests.worker import run_worker


def brief_url(timeline, query=""):
    return reverse("timeline:timeline-brief", kwargs={"slug": timeline.slug}) + query


def pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_brief_job_above_the_limit_is_rendered_by_a_worker_process_and_downloaded(client, settings, media_root):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 2
    timeline = TimelineFactory(slug="big")
    for number in range(3):
        EventFactory(timeline=timeline, title=f"Convoy {number} crosses the border")
    EventFactory(timeline=timeline, title="Unpublished draft", published=False)

    queued = client.get(brief_url(timeline))
    waiting = client.get(queued["Location"])
    worker = run_worker(media_root=media_root)
    finished = client.get(queued["Location"])
    download = client.get(finished.json()["download"])
    again = client.get(brief_url(timeline))

    assert (queued.status_code, queued.json()["status"], queued.json()["events"]) == (202, "waiting", 3)
    assert queued.json()["status_url"] == queued["Location"]
    assert waiting.json() == {"status": "waiting"}
    assert worker.returncode == 0, worker.stderr
    assert finished.json()["status"] == "finished"
    assert finished.json()["events"] == 3
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content))
    assert [f"Convoy {n} crosses the border" in text for n in range(3)] == [True, True, True]
    assert "Unpublished draft" not in text
    assert len(list((media_root / "briefs").iterdir())) == 1
    # The same brief asked again with unchanged data comes from storage, with the job's ETag.
    assert (again.status_code, again["ETag"]) == (200, download["ETag"])


@pytest.mark.django_db(transaction=True)
def test_brief_job_asked_twice_while_waiting_is_one_job(client, settings, media_root):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 1
    timeline = TimelineFactory()
    EventFactory.create_batch(2, timeline=timeline)

    first = client.get(brief_url(timeline))
    second = client.get(brief_url(timeline))

    assert first["Location"] == second["Location"]


@pytest.mark.django_db(transaction=True)
def test_brief_job_is_404_for_another_reader(client, settings, media_root):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 1
    timeline = TimelineFactory()
    EventFactory.create_batch(2, timeline=timeline)
    status_url = client.get(brief_url(timeline))["Location"]
    client.force_login(UserFactory())

    response = client.get(status_url)

    assert response.status_code == 404


@pytest.mark.django_db
def test_brief_job_status_is_404_for_an_unknown_job(client):
    response = client.get(reverse("timeline:brief-job", kwargs={"job_id": "00000000-0000-0000-0000-000000000000"}))

    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_brief_job_of_a_timeline_made_private_meanwhile_fails(client, settings, media_root):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 1
    timeline = TimelineFactory()
    EventFactory.create_batch(2, timeline=timeline)
    status_url = client.get(brief_url(timeline))["Location"]
    timeline.visibility = "private"
    timeline.save()

    worker = run_worker(media_root=media_root)
    status = client.get(status_url)

    assert worker.returncode == 0, worker.stderr
    assert status.json() == {"status": "failed", "error": "BriefJobRefused"}


def test_prune_briefs_deletes_only_stored_briefs_older_than_asked(media_root):
    folder = media_root / "briefs"
    folder.mkdir()
    (folder / "old.pdf").write_bytes(b"%PDF-old")
    (folder / "new.pdf").write_bytes(b"%PDF-new")
    ten_days_ago = time.time() - 10 * 24 * 3600
    os.utime(folder / "old.pdf", (ten_days_ago, ten_days_ago))
    out = io.StringIO()

    call_command("prune_briefs", "--days", "7", stdout=out)

    assert sorted(path.name for path in folder.iterdir()) == ["new.pdf"]
    assert out.getvalue() == "Deleted 1 stored brief(s) older than 7 days.\n"


def test_prune_briefs_without_stored_briefs_deletes_nothing(media_root):
    out = io.StringIO()

    call_command("prune_briefs", stdout=out)

    assert out.getvalue() == "Deleted 0 stored brief(s) older than 7 days.\n"
