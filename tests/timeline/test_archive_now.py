"""Archive now: the admin queues a job, a real worker asks the archive (a real local server
imitating Save Page Now's answers) and the source gets its archived copy and access date."""

import datetime as dt
import threading
import time
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import SourceFactory, UserFactory
from tests.local_servers import local_server
from tests.worker import worker_running
from timeline.archiving import ArchiveFailed, SavePageNowBackend

ORIGINAL = "https://www.japantimes.co.jp/news/budanov-interview/"


class SavePageNowImitation:
    """Save Page Now's answers: POST /save starts job "spn2-1", whose status is "pending" once,
    then "success" with a capture time; requests without the configured keys are refused."""

    def __init__(self, *, fail=False):
        self.fail = fail
        self.requests = []
        self.polls = 0
        self.lock = threading.Lock()

    def __call__(self, method, path, headers, body):
        with self.lock:
            self.requests.append((method, path, headers.get("Authorization"), parse_qs(body.decode())))
            if headers.get("Authorization") != "LOW test-access:test-secret":
                return 401, {"message": "You need to be logged in to use Save Page Now."}
            if method == "POST" and path == "/save":
                self.url = parse_qs(body.decode())["url"][0]
                return 200, {"url": self.url, "job_id": "spn2-1"}
            if method == "GET" and path == "/save/status/spn2-1":
                self.polls += 1
                if self.polls == 1:
                    return 200, {"status": "pending", "job_id": "spn2-1"}
                if self.fail:
                    return 200, {
                        "status": "error",
                        "status_ext": "error:blocked-url",
                        "message": "This URL is blocked.",
                    }
                return 200, {"status": "success", "timestamp": "20251125101500", "original_url": self.url}
            return 404, {"message": "not found"}


def worker_env(base):
    return {
        "ARCHIVE_ENABLED": "1",
        "ARCHIVE_BACKEND": "tests.archive_backend.LocalSavePageNowBackend",
        "SPN_BASE_URL": base,
        "SPN_ACCESS_KEY": "test-access",
        "SPN_SECRET_KEY": "test-secret",
    }


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_archive_now_action_fills_the_archived_copy_and_access_date_by_a_worker(client, settings, tmp_path):
    settings.TIMELINE_ARCHIVE_ENABLED = True
    source = SourceFactory(title="Budanov interview", url=ORIGINAL, archived_url="", accessed=None)
    offline = SourceFactory(title="Briefing notes", url="", archived_url="")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    archive = SavePageNowImitation()

    with local_server(archive) as base:
        response = client.post(
            reverse("admin:timeline_source_changelist"),
            {"action": "archive_now", "_selected_action": [source.pk, offline.pk]},
            follow=True,
        )
        with worker_running(media_root=tmp_path, env=worker_env(base)):
            done = wait_for(lambda: DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"]).exists())
    flagged = client.get(reverse("admin:timeline_source_changelist"), {"archive": "missing"})

    source.refresh_from_db()
    assert done, (tmp_path / "worker.log").read_text()
    assert "1 source(s) queued for archiving" in response.content.decode()
    assert "1 without a URL left alone." in response.content.decode()
    assert source.archived_url == f"{base}/web/20251125101500/{ORIGINAL}"
    assert source.accessed == dt.date(2025, 11, 25)
    assert [(method, path) for method, path, *_ in archive.requests] == [
        ("POST", "/save"),
        ("GET", "/save/status/spn2-1"),
        ("GET", "/save/status/spn2-1"),
    ]
    assert archive.requests[0][3]["url"] == [ORIGINAL]
    assert source.history.first().history_change_reason == "Archived now"
    assert list(flagged.context["cl"].result_list) == []


@pytest.mark.django_db(transaction=True)
def test_archive_now_button_queues_one_source(client, settings, tmp_path):
    settings.TIMELINE_ARCHIVE_ENABLED = True
    source = SourceFactory(title="Budanov interview", url=ORIGINAL, archived_url="", accessed=None)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:timeline_source_change", args=[source.pk])).content.decode()

    response = client.post(reverse("admin:timeline_source_archive", args=[source.pk]), follow=True)

    assert 'class="archive-now">Archive now</button>' in page
    assert "was queued for archiving" in response.content.decode()
    (job,) = DBTaskResult.objects.all()
    assert (job.task_path, job.args_kwargs["kwargs"]) == (
        "timeline.tasks.archive_source_job",
        {"source_id": source.pk},
    )


@pytest.mark.django_db
def test_archive_now_is_not_offered_when_archiving_is_off(client, settings):
    settings.TIMELINE_ARCHIVE_ENABLED = False
    source = SourceFactory(url=ORIGINAL, archived_url="")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:timeline_source_change", args=[source.pk])).content.decode()
    changelist = client.get(reverse("admin:timeline_source_changelist"))
    refused = client.post(reverse("admin:timeline_source_archive", args=[source.pk]))

    assert "Archive now" not in page
    assert "archive_now" not in [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert refused.status_code == 403


@pytest.mark.django_db
def test_archive_now_of_a_source_one_may_not_see_is_404(client, settings):
    settings.TIMELINE_ARCHIVE_ENABLED = True
    source = SourceFactory(url=ORIGINAL, archived_url="")  # cited nowhere: hidden from readers
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)

    response = client.post(reverse("admin:timeline_source_archive", args=[source.pk]))

    assert response.status_code == 404
    assert DBTaskResult.objects.count() == 0


def test_save_page_now_backend_reports_the_archive_refusal():
    backend_with_keys = SavePageNowImitation(fail=True)

    with local_server(backend_with_keys) as base:
        backend = SavePageNowBackend(base_url=base, access_key="test-access", secret_key="test-secret")
        backend.poll_interval = 0.05
        with pytest.raises(ArchiveFailed) as refused:
            backend.archive(ORIGINAL)
        unauthorised = SavePageNowBackend(base_url=base, access_key="wrong", secret_key="keys")
        with pytest.raises(ArchiveFailed) as anonymous:
            unauthorised.archive(ORIGINAL)

    assert str(refused.value) == "This URL is blocked."
    assert str(anonymous.value) == "The archive answered HTTP 401."
