"""GET /health/: the database, the cache and the task queue, answered under any Host over http."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from timeline.tasks import render_brief_job


@pytest.mark.django_db
def test_health_is_200_when_database_cache_and_queue_answer(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "queue": "ok (no job waiting)"},
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_answers_any_host_over_http_with_the_https_redirect_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["timelines.example.org"]

    health = client.get("/health/", HTTP_HOST="10.0.0.7:8000")
    page = client.get("/api/v1/", HTTP_HOST="timelines.example.org")

    assert health.status_code == 200
    assert (page.status_code, page["Location"]) == (301, "https://timelines.example.org/api/v1/")


@pytest.mark.django_db
def test_health_is_503_naming_the_cache_when_it_does_not_answer(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.ReusedClientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["failed"]) == ("failing", ["cache"])
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("failed: ConnectionError")


@pytest.mark.django_db
def test_health_is_503_naming_the_queue_when_a_job_waits_too_long(client, settings):
    settings.TIMELINE_QUEUE_STALE_SECONDS = 60
    job = render_brief_job.enqueue(timeline_id=1, query="", user_id=None)
    DBTaskResult.objects.filter(id=job.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=5))

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["queue"]
    assert body["checks"]["queue"].startswith("failed: RuntimeError: a job has waited 30")
    assert body["checks"]["queue"].endswith("s: is a worker running?")


@pytest.mark.django_db
def test_health_counts_jobs_waiting_for_a_worker(client):
    render_brief_job.enqueue(timeline_id=1, query="", user_id=None)

    response = client.get("/health/")

    assert response.json()["checks"]["queue"] == "ok (1 waiting)"
